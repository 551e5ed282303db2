// Reference kernel for Einsum (opset 12+).
//
// Supports implicit and explicit outputs, repeated labels inside one operand (diagonals), "..."
// with broadcasting, and any number of operands. Evaluation: each operand is turned into a
// contiguous tensor with unique labels (taking diagonals) and summed over labels nobody else needs;
// operands are then contracted left to right, each pair as a batched matmul [batch, M, K] x
// [batch, K, N] (so "bhid,bhjd->bhij" costs one matmul per (b, h), not a loop over every index
// combination). float16/bfloat16 compute in float32.
#include <algorithm>
#include <map>
#include <set>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

constexpr int kEllipsisBase = 52;  // labels 0..51 are letters (A-Z, a-z); then ellipsis dims

struct Equation {
  std::vector<std::vector<int>> inputs;  // labels per input dim (ellipsis expanded)
  std::vector<int> output;
};

int LetterLabel(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -1;
}

// Parses one term into letter labels with -1 marking the ellipsis position.
std::vector<int> ParseTerm(const KernelContext& ctx, const std::string& term) {
  std::vector<int> out;
  bool ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term.compare(i, 3, "...") == 0) {
      if (ellipsis) ctx.Fail("more than one ellipsis in term '" + term + "'");
      ellipsis = true;
      out.push_back(-1);
      i += 2;
      continue;
    }
    const int l = LetterLabel(term[i]);
    if (l < 0) ctx.Fail(std::string("invalid character '") + term[i] + "' in equation");
    out.push_back(l);
  }
  return out;
}

// Replaces the ellipsis marker by labels kEllipsisBase + k, right-aligned to `max_ell` dims.
std::vector<int> ExpandEllipsis(const std::vector<int>& term, int ell_rank, int max_ell) {
  std::vector<int> out;
  for (int l : term) {
    if (l != -1) {
      out.push_back(l);
      continue;
    }
    for (int k = 0; k < ell_rank; ++k) out.push_back(kEllipsisBase + max_ell - ell_rank + k);
  }
  return out;
}

Equation ParseEquation(const KernelContext& ctx, const std::string& raw,
                       const std::vector<int>& ranks) {
  std::string eq;
  for (char c : raw)
    if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::vector<int>> terms;
  size_t pos = 0;
  while (true) {
    const size_t comma = lhs.find(',', pos);
    terms.push_back(
        ParseTerm(ctx, lhs.substr(pos, comma == std::string::npos ? comma : comma - pos)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (terms.size() != ranks.size())
    ctx.Fail("equation has " + std::to_string(terms.size()) + " operands but the node has " +
             std::to_string(ranks.size()) + " inputs");
  int max_ell = 0;
  std::vector<int> ell_ranks;
  bool any_ellipsis = false;
  for (size_t i = 0; i < terms.size(); ++i) {
    const bool has = std::count(terms[i].begin(), terms[i].end(), -1) > 0;
    any_ellipsis |= has;
    const int letters = static_cast<int>(terms[i].size()) - (has ? 1 : 0);
    const int e = ranks[i] - letters;
    if (e < 0 || (!has && e != 0))
      ctx.Fail("term " + std::to_string(i) + " does not match input rank " +
               std::to_string(ranks[i]));
    ell_ranks.push_back(e);
    max_ell = std::max(max_ell, e);
  }
  Equation out;
  std::map<int, int> count;
  for (size_t i = 0; i < terms.size(); ++i) {
    out.inputs.push_back(ExpandEllipsis(terms[i], ell_ranks[i], max_ell));
    for (int l : out.inputs.back()) ++count[l];
  }
  if (arrow != std::string::npos) {
    const auto term = ParseTerm(ctx, eq.substr(arrow + 2));
    out.output = ExpandEllipsis(term, max_ell, max_ell);
    std::set<int> seen;
    for (int l : out.output) {
      if (!seen.insert(l).second) ctx.Fail("output label repeated");
      if (count.count(l) == 0) ctx.Fail("output label does not appear in any input");
    }
  } else {
    if (any_ellipsis)
      for (int k = 0; k < max_ell; ++k) out.output.push_back(kEllipsisBase + k);
    for (const auto& [l, n] : count)  // std::map iterates in label (ASCII) order
      if (l < kEllipsisBase && n == 1) out.output.push_back(l);
  }
  return out;
}

// A contiguous row-major operand with unique labels.
template <typename T>
struct Operand {
  std::vector<int> labels;
  Shape dims;
  std::vector<T> data;
};

// data[i] = src[offset + sum_d i_d * strides[d]] over `shape`.
template <typename T>
std::vector<T> Gather(const T* src, const Shape& shape, const std::vector<int64_t>& strides) {
  const int64_t n = NumElements(shape);
  std::vector<T> out(static_cast<size_t>(n));
  std::vector<int64_t> counter(shape.size(), 0);
  int64_t off = 0;
  for (int64_t i = 0; i < n; ++i) {
    out[static_cast<size_t>(i)] = src[off];
    for (size_t d = shape.size(); d-- > 0;) {
      if (++counter[d] < shape[d]) {
        off += strides[d];
        break;
      }
      off -= strides[d] * (shape[d] - 1);
      counter[d] = 0;
    }
  }
  return out;
}

// Stride of each label of `op` as read into a layout over `order` with global sizes `size`
// (0 for a label op broadcasts).
template <typename T>
std::vector<int64_t> StridesFor(const Operand<T>& op, const std::vector<int>& order,
                                const std::map<int, int64_t>& size) {
  const auto own = StridesOf(op.dims);
  std::vector<int64_t> out;
  for (int l : order) {
    const size_t at =
        static_cast<size_t>(std::find(op.labels.begin(), op.labels.end(), l) - op.labels.begin());
    out.push_back(op.dims[at] == 1 && size.at(l) != 1 ? 0 : own[at]);
  }
  return out;
}

// Sums `op` over every label not in `keep`.
template <typename T>
Operand<T> SumOut(const Operand<T>& op, const std::set<int>& keep) {
  Operand<T> out;
  for (size_t i = 0; i < op.labels.size(); ++i)
    if (keep.count(op.labels[i])) {
      out.labels.push_back(op.labels[i]);
      out.dims.push_back(op.dims[i]);
    }
  if (out.labels.size() == op.labels.size()) return op;
  out.data.assign(static_cast<size_t>(NumElements(out.dims)), T(0));
  const auto out_strides = StridesOf(out.dims);
  std::vector<int64_t> to(op.labels.size(), 0);  // output stride per input dim (0 = summed)
  for (size_t i = 0, j = 0; i < op.labels.size(); ++i)
    if (keep.count(op.labels[i])) to[i] = out_strides[j++];
  std::vector<int64_t> counter(op.dims.size(), 0);
  int64_t dst = 0;
  for (size_t i = 0; i < op.data.size(); ++i) {
    out.data[static_cast<size_t>(dst)] += op.data[i];
    for (size_t d = op.dims.size(); d-- > 0;) {
      if (++counter[d] < op.dims[d]) {
        dst += to[d];
        break;
      }
      dst -= to[d] * (op.dims[d] - 1);
      counter[d] = 0;
    }
  }
  return out;
}

// Contracts a and b as a batched matmul; the result keeps the labels in `keep`.
template <typename T>
Operand<T> Contract(const Operand<T>& a0, const Operand<T>& b0, const std::set<int>& keep,
                    const std::map<int, int64_t>& size) {
  std::set<int> a_need(keep), b_need(keep);
  a_need.insert(b0.labels.begin(), b0.labels.end());
  b_need.insert(a0.labels.begin(), a0.labels.end());
  const Operand<T> a = SumOut(a0, a_need);
  const Operand<T> b = SumOut(b0, b_need);
  auto in_b = [&](int l) { return std::count(b.labels.begin(), b.labels.end(), l) > 0; };
  auto in_a = [&](int l) { return std::count(a.labels.begin(), a.labels.end(), l) > 0; };
  std::vector<int> batch, m, k, n;
  for (int l : a.labels) (in_b(l) ? (keep.count(l) ? batch : k) : m).push_back(l);
  for (int l : b.labels)
    if (!in_a(l)) n.push_back(l);
  auto extent = [&](const std::vector<int>& ls) {
    int64_t e = 1;
    for (int l : ls) e *= size.at(l);
    return e;
  };
  const int64_t nb = extent(batch), nm = extent(m), nk = extent(k), nn = extent(n);
  auto cat = [](std::vector<int> x, const std::vector<int>& y, const std::vector<int>& z) {
    x.insert(x.end(), y.begin(), y.end());
    x.insert(x.end(), z.begin(), z.end());
    return x;
  };
  const auto a_order = cat(batch, m, k), b_order = cat(batch, k, n);
  auto dims_of = [&](const std::vector<int>& ls) {
    Shape s;
    for (int l : ls) s.push_back(size.at(l));
    return s;
  };
  const auto pa = Gather(a.data.data(), dims_of(a_order), StridesFor(a, a_order, size));
  const auto pb = Gather(b.data.data(), dims_of(b_order), StridesFor(b, b_order, size));
  Operand<T> c;
  c.labels = cat(batch, m, n);
  c.dims = dims_of(c.labels);
  c.data.assign(static_cast<size_t>(nb * nm * nn), T(0));
  for (int64_t bi = 0; bi < nb; ++bi)
    for (int64_t mi = 0; mi < nm; ++mi) {
      T* crow = c.data.data() + (bi * nm + mi) * nn;
      const T* arow = pa.data() + (bi * nm + mi) * nk;
      for (int64_t ki = 0; ki < nk; ++ki) {
        const T av = arow[ki];
        const T* brow = pb.data() + (bi * nk + ki) * nn;
        for (int64_t ni = 0; ni < nn; ++ni) crow[ni] = static_cast<T>(crow[ni] + av * brow[ni]);
      }
    }
  return c;
}

template <typename T>
Tensor RunEinsum(const KernelContext& ctx, const std::vector<Tensor>& xs, const Equation& eq) {
  // Global label sizes; a size-1 dimension broadcasts against the others (numpy rules).
  std::map<int, int64_t> size;
  for (size_t i = 0; i < xs.size(); ++i)
    for (size_t d = 0; d < eq.inputs[i].size(); ++d) {
      const int l = eq.inputs[i][d];
      const int64_t s = xs[i].dim(static_cast<int>(d));
      const auto it = size.find(l);
      if (it == size.end() || it->second == 1) {
        size[l] = s;
      } else if (s != it->second && s != 1) {
        ctx.Fail("dimension sizes disagree for one label: " + std::to_string(s) + " vs " +
                 std::to_string(it->second));
      }
    }
  // Operands with unique labels (diagonals taken).
  std::vector<Operand<T>> ops;
  for (size_t i = 0; i < xs.size(); ++i) {
    Operand<T> op;
    std::vector<int64_t> strides;
    const auto own = StridesOf(xs[i].shape());
    for (size_t d = 0; d < eq.inputs[i].size(); ++d) {
      const int l = eq.inputs[i][d];
      const auto at = std::find(op.labels.begin(), op.labels.end(), l);
      if (at != op.labels.end()) {
        const size_t j = static_cast<size_t>(at - op.labels.begin());
        if (op.dims[j] != xs[i].dim(static_cast<int>(d))) ctx.Fail("diagonal dims differ");
        strides[j] += own[d];
      } else {
        op.labels.push_back(l);
        op.dims.push_back(xs[i].dim(static_cast<int>(d)));
        strides.push_back(own[d]);
      }
    }
    op.data = Gather(xs[i].data<T>(), op.dims, strides);
    ops.push_back(std::move(op));
  }
  const std::set<int> out_set(eq.output.begin(), eq.output.end());
  // Labels needed after operand i: the output plus every later operand.
  auto needed_after = [&](size_t i) {
    std::set<int> need(out_set);
    for (size_t j = i + 1; j < ops.size(); ++j)
      need.insert(ops[j].labels.begin(), ops[j].labels.end());
    return need;
  };
  Operand<T> acc = SumOut(ops[0], needed_after(0));
  for (size_t i = 1; i < ops.size(); ++i) acc = Contract(acc, ops[i], needed_after(i), size);
  acc = SumOut(acc, out_set);
  // Transpose into output order.
  Shape out_shape;
  for (int l : eq.output) out_shape.push_back(size.at(l));
  Tensor out(DataTypeOf<T>::value, out_shape);
  const auto data = Gather(acc.data.data(), out_shape, StridesFor(acc, eq.output, size));
  std::copy(data.begin(), data.end(), out.data<T>());
  return out;
}

void EinsumKernel(KernelContext& ctx) {
  if (ctx.num_inputs() == 0) ctx.Fail("needs at least one input");
  if (!ctx.has_attr("equation")) ctx.Fail("missing required attribute 'equation'");
  const DataType dtype = ctx.in(0).dtype();
  std::vector<Tensor> xs;
  std::vector<int> ranks;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.in(i).dtype() != dtype) ctx.Fail("inputs have different dtypes");
    xs.push_back(WidenHalf(ctx.in(i)));
    ranks.push_back(ctx.in(i).rank());
  }
  const Equation eq = ParseEquation(ctx, ctx.attr_string("equation", ""), ranks);
  DispatchNumeric(ctx, xs[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, NarrowToHalf(RunEinsum<T>(ctx, xs, eq), dtype));
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "Einsum", 12, kLatestOpset, EinsumKernel);

}  // namespace shrink::runtime
