// AssignLayouts, PlainCopy, ToChannelsLastInPlace (plan_step.h): the plan's side of layout.h.
#include "runtime/fast/plan_step.h"

namespace shrink::runtime::fast {

std::vector<Layout> AssignLayouts(std::vector<PlanStep>& steps, size_t num_slots,
                                  const std::unordered_set<int>& plain_slots, bool fp32) {
  std::vector<LayoutStep> ls(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    const PlanStep& st = steps[i];
    LayoutStep& l = ls[i];
    l.has_kernel = st.kernel != nullptr;
    if (l.has_kernel) l.caps = st.kernel->layout_caps();
    if (l.caps.fp32 && !fp32) l.caps = {};
    l.in_slots = st.chain[0].in_slots;
    // A fused residual may take any layout: the session converts it into output 0's.
    for (size_t c = 1; c < st.chain.size(); ++c)
      for (int s : st.chain[c].in_slots)
        if (s != st.sum_slot) l.other_reads.push_back(s);
    l.out_slot = st.chain.back().out_slots.empty() ? -1 : st.final_slot();
    l.out_rank = st.out_specs.empty() ? 0 : st.out_specs[0].shape.size();
  }
  std::vector<Layout> layouts = DecideLayouts(ls, num_slots, plain_slots);
  auto at = [&](int s) { return s < 0 ? Layout::kPlain : layouts[static_cast<size_t>(s)]; };
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!ls[i].has_kernel) continue;
    std::vector<Layout> in;
    bool any = at(ls[i].out_slot) == Layout::kChannelsLast;
    for (int s : ls[i].in_slots) {
      in.push_back(at(s));
      any = any || in.back() == Layout::kChannelsLast;
    }
    if (!any) continue;
    steps[i].kernel->SetLayouts(in, at(ls[i].out_slot));
    steps[i].last_shapes.clear();
  }
  return layouts;
}

Tensor PlainCopy(const Tensor& t) {
  Tensor out(t.dtype(), t.shape());
  if (t.numel() > 0) ToPlain(t.raw(), out.raw(), t.shape(), t.nbytes() / t.numel());
  return out;
}

void ToChannelsLastInPlace(Tensor& t) {
  if (t.numel() == 0) return;
  const Tensor plain = t.Clone();
  ToChannelsLast(plain.raw(), t.raw(), t.shape(), t.nbytes() / t.numel());
}

}  // namespace shrink::runtime::fast
