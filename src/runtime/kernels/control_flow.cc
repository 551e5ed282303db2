// If (opset 1, 11, 13, 16, 19, 21) and Loop (opset 1, 11, 13, 16, 19, 21) over tensor values.
// Sequence- and optional-typed values are not representable in Tensor and so never reach here.
//
// If runs then_branch or else_branch (no inputs) through ctx.RunSubgraph and forwards its outputs.
// Loop runs body(iteration_num, cond, v...) -> (cond, v..., scan...) while
// iteration < M (when given) and cond (when given); loop-carried values may change shape between
// iterations; each scan output is the stack of its per-iteration values along a new axis 0 and
// must keep one shape. With zero iterations a scan output is empty, shaped [0, declared dims...]
// when the body declares a static shape for it, [0] otherwise.
#include <cstring>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

bool ReadBool(const KernelContext& ctx, const Tensor& t, const char* what) {
  if (t.numel() != 1)
    ctx.Fail(std::string(what) + " must hold exactly one element, got shape " +
             ShapeToString(t.shape()));
  if (t.dtype() == DataType::kBool) return t.data<bool>()[0];
  return t.GetAsDouble(0) != 0.0;
}

const ir::Graph& GraphAttr(const KernelContext& ctx, const char* name) {
  const ir::Graph* g = ctx.node().GetGraph(name);
  if (!g) ctx.Fail(std::string("missing graph attribute ") + name);
  return *g;
}

void IfKernel(KernelContext& ctx) {
  const bool cond = ReadBool(ctx, ctx.in(0), "cond");
  const ir::Graph& branch = GraphAttr(ctx, cond ? "then_branch" : "else_branch");
  std::vector<Tensor> outs = ctx.RunSubgraph(branch, {});
  if (static_cast<int>(outs.size()) != ctx.num_outputs())
    ctx.Fail(std::string(cond ? "then" : "else") + "_branch returned " +
             std::to_string(outs.size()) + " values, the node has " +
             std::to_string(ctx.num_outputs()) + " outputs");
  for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move(outs[i]));
}

// Stacks equally shaped tensors along a new axis 0.
Tensor Stack(const KernelContext& ctx, const std::vector<Tensor>& parts, const ir::Value* decl) {
  if (parts.empty()) {
    Shape shape = {0};
    DataType dtype = decl ? decl->type().dtype : DataType::kUndefined;
    if (dtype == DataType::kUndefined) dtype = DataType::kFloat32;
    if (decl && decl->type().has_static_shape()) {
      const Shape s = decl->type().static_shape();
      shape.insert(shape.end(), s.begin(), s.end());
    }
    return Tensor(dtype, shape);
  }
  const Tensor& first = parts.front();
  Shape shape = first.shape();
  shape.insert(shape.begin(), static_cast<int64_t>(parts.size()));
  Tensor out(first.dtype(), shape);
  const size_t bytes = first.nbytes();
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor& p = parts[i];
    if (p.dtype() != first.dtype() || p.shape() != first.shape())
      ctx.Fail("scan output changes from " + std::string(DataTypeName(first.dtype())) +
               ShapeToString(first.shape()) + " to " + DataTypeName(p.dtype()) +
               ShapeToString(p.shape()) + " at iteration " + std::to_string(i));
    if (first.dtype() == DataType::kString) {
      for (int64_t j = 0; j < p.numel(); ++j)
        out.strings()[static_cast<size_t>(static_cast<int64_t>(i) * p.numel() + j)] =
            p.strings()[static_cast<size_t>(j)];
    } else if (IsPacked4(first.dtype()) && first.numel() % 2 != 0) {
      for (int64_t j = 0; j < p.numel(); ++j)
        out.SetFromDouble(static_cast<int64_t>(i) * p.numel() + j, p.GetAsDouble(j));
    } else if (bytes > 0) {
      std::memcpy(static_cast<uint8_t*>(out.raw()) + i * bytes, p.raw(), bytes);
    }
  }
  return out;
}

void LoopKernel(KernelContext& ctx) {
  const ir::Graph& body = GraphAttr(ctx, "body");
  const int n_carried = ctx.num_inputs() - 2;
  if (n_carried < 0) ctx.Fail("Loop needs the M and cond inputs (possibly empty)");
  const int n_scan = ctx.num_outputs() - n_carried;
  if (n_scan < 0) ctx.Fail("fewer outputs than loop-carried values");
  if (static_cast<int>(body.inputs().size()) != n_carried + 2)
    ctx.Fail("body has " + std::to_string(body.inputs().size()) + " inputs, expected " +
             std::to_string(n_carried + 2));
  if (static_cast<int>(body.outputs().size()) != 1 + n_carried + n_scan)
    ctx.Fail("body has " + std::to_string(body.outputs().size()) + " outputs, expected " +
             std::to_string(1 + n_carried + n_scan));
  int64_t max_trips = -1;  // -1: unbounded
  if (const Tensor* m = ctx.input(0)) {
    const std::vector<int64_t> v = ReadInts(ctx, *m);
    if (v.size() != 1) ctx.Fail("M must hold exactly one element");
    max_trips = v[0] < 0 ? 0 : v[0];
  }
  bool cond = ctx.has_input(1) ? ReadBool(ctx, ctx.in(1), "cond") : true;
  std::vector<Tensor> carried;
  for (int i = 0; i < n_carried; ++i) carried.push_back(ctx.in(2 + i));
  std::vector<std::vector<Tensor>> scans(static_cast<size_t>(n_scan));
  for (int64_t iter = 0; (max_trips < 0 || iter < max_trips) && cond; ++iter) {
    std::vector<Tensor> feeds = {Tensor::Scalar<int64_t>(iter), Tensor::Scalar<bool>(cond)};
    feeds.insert(feeds.end(), carried.begin(), carried.end());
    std::vector<Tensor> outs = ctx.RunSubgraph(body, feeds);
    if (static_cast<int>(outs.size()) != 1 + n_carried + n_scan)
      ctx.Fail("body returned " + std::to_string(outs.size()) + " values");
    cond = ReadBool(ctx, outs[0], "body condition output");
    for (int i = 0; i < n_carried; ++i) carried[i] = std::move(outs[1 + i]);
    for (int k = 0; k < n_scan; ++k) scans[k].push_back(std::move(outs[1 + n_carried + k]));
  }
  for (int i = 0; i < n_carried; ++i) ctx.set_output(i, std::move(carried[i]));
  for (int k = 0; k < n_scan; ++k)
    ctx.set_output(n_carried + k, Stack(ctx, scans[k], body.outputs()[1 + n_carried + k]));
}

}  // namespace

SHRINK_REF_KERNEL("", "If", 1, kLatestOpset, IfKernel);
SHRINK_REF_KERNEL("", "Loop", 1, kLatestOpset, LoopKernel);

}  // namespace shrink::runtime
