// Trainable shape / indexing ops, Constant and Cast.
#include <algorithm>

#include "train/torch_program.h"

namespace shrink::train {
namespace {

std::vector<int64_t> AxesInputOrAttr(const OpContext& c, int64_t since_opset) {
  if (c.opset >= since_opset) return c.has(1) ? c.ints(1) : std::vector<int64_t>{};
  return c.node.GetInts("axes");
}

void Reshape(OpContext& c) {
  const auto& x = c.x(0);
  auto shape = c.ints(1);
  const bool allow_zero = c.node.GetInt("allowzero", 0) != 0;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 0 && !allow_zero) {
      if (static_cast<int64_t>(i) >= x.dim())
        Throw(StatusCode::kInvalidArgument, "Reshape: 0 copies a dim the input lacks");
      shape[i] = x.size(static_cast<int64_t>(i));
    }
  c.out[0] = x.reshape(shape);
}

void Squeeze(OpContext& c) {
  auto axes = AxesInputOrAttr(c, 13);
  const auto& x = c.x(0);
  if (axes.empty()) {
    c.out[0] = x.squeeze();
    return;
  }
  std::vector<int64_t> shape;
  for (auto& a : axes) a = c.axis(a, x.dim());
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) {
      shape.push_back(x.size(d));
    } else if (x.size(d) != 1) {
      Throw(StatusCode::kInvalidArgument, "Squeeze: dim " + std::to_string(d) + " is not 1");
    }
  }
  c.out[0] = x.reshape(shape);
}

void Unsqueeze(OpContext& c) {
  auto axes = AxesInputOrAttr(c, 13);
  const auto& x = c.x(0);
  const int64_t out_rank = x.dim() + static_cast<int64_t>(axes.size());
  for (auto& a : axes) a = c.axis(a, out_rank);
  std::sort(axes.begin(), axes.end());
  std::vector<int64_t> shape;
  int64_t src = 0;
  for (int64_t d = 0; d < out_rank; ++d) {
    if (std::binary_search(axes.begin(), axes.end(), d))
      shape.push_back(1);
    else
      shape.push_back(x.size(src++));
  }
  c.out[0] = x.reshape(shape);
}

void Split(OpContext& c) {
  const auto& x = c.x(0);
  const int64_t axis = c.axis(c.node.GetInt("axis", 0), x.dim());
  std::vector<int64_t> sizes =
      c.opset >= 13 ? (c.has(1) ? c.ints(1) : std::vector<int64_t>{}) : c.node.GetInts("split");
  const int64_t n = static_cast<int64_t>(c.out.size());
  if (sizes.empty()) {
    const int64_t dim = x.size(axis);
    const int64_t chunk = (dim + n - 1) / n;  // opset 18 num_outputs: last chunk may be smaller
    for (int64_t i = 0; i < n; ++i) sizes.push_back(std::min(chunk, dim - i * chunk));
  }
  auto parts = torch::split_with_sizes(x, sizes, axis);
  if (static_cast<int64_t>(parts.size()) != n)
    Throw(StatusCode::kInvalidArgument, "Split: sizes do not match the number of outputs");
  for (int64_t i = 0; i < n; ++i) c.out[static_cast<size_t>(i)] = parts[static_cast<size_t>(i)];
}

void Slice(OpContext& c) {
  const auto& x = c.x(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.opset >= 10) {
    starts = c.ints(1);
    ends = c.ints(2);
    if (c.has(3)) axes = c.ints(3);
    if (c.has(4)) steps = c.ints(4);
  } else {
    starts = c.node.GetInts("starts");
    ends = c.node.GetInts("ends");
    axes = c.node.GetInts("axes");
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  torch::Tensor y = x;
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t a = c.axis(axes[i], x.dim());
    const int64_t dim = x.size(a), step = steps[i];
    if (step == 0) Throw(StatusCode::kInvalidArgument, "Slice: step 0");
    int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      y = y.slice(a, s, std::max(s, e), step);
    } else {
      s = std::clamp<int64_t>(s, -1, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      std::vector<int64_t> idx;
      for (int64_t j = s; j > e; j += step) idx.push_back(j);
      y = y.index_select(a, torch::tensor(idx, torch::kInt64));
    }
  }
  c.out[0] = y;
}

void Gather(OpContext& c) {
  const auto& data = c.x(0);
  const int64_t axis = c.axis(c.node.GetInt("axis", 0), data.dim());
  auto idx = c.x(1).to(torch::kInt64);
  idx = torch::where(idx < 0, idx + data.size(axis), idx);
  auto flat = torch::index_select(data, axis, idx.reshape({-1}));
  std::vector<int64_t> shape(data.sizes().begin(), data.sizes().begin() + axis);
  for (int64_t d : idx.sizes()) shape.push_back(d);
  for (int64_t d = axis + 1; d < data.dim(); ++d) shape.push_back(data.size(d));
  c.out[0] = flat.reshape(shape);
}

void Shape(OpContext& c) {
  const auto& x = c.x(0);
  const int64_t r = x.dim();
  int64_t start = c.node.GetInt("start", 0), end = c.node.GetInt("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, start, r);
  std::vector<int64_t> dims(x.sizes().begin() + start, x.sizes().begin() + end);
  c.out[0] = torch::tensor(dims, torch::kInt64);
}

void Constant(OpContext& c) {
  const ir::Node& n = c.node;
  if (const Tensor* t = n.GetTensor("value")) {
    c.out[0] = ToTorch(*t);
  } else if (n.HasAttr("value_float")) {
    c.out[0] = torch::tensor(n.GetFloat("value_float", 0), torch::kFloat32).reshape({});
  } else if (n.HasAttr("value_floats")) {
    c.out[0] = torch::tensor(n.GetFloats("value_floats"), torch::kFloat32);
  } else if (n.HasAttr("value_int")) {
    c.out[0] = torch::tensor(n.GetInt("value_int", 0), torch::kInt64).reshape({});
  } else if (n.HasAttr("value_ints")) {
    c.out[0] = torch::tensor(n.GetInts("value_ints"), torch::kInt64);
  } else {
    Throw(StatusCode::kUnimplemented, "Constant without a value/value_float(s)/value_int(s)");
  }
}

void Expand(OpContext& c) {
  const auto& x = c.x(0);
  auto shape = c.ints(1);
  auto out = at::infer_size(x.sizes(), shape);
  c.out[0] = x.expand(out);
}

}  // namespace

void AddShapeOps(OpTable& t) {
  t["Flatten"] = [](OpContext& c) {
    const auto& x = c.x(0);
    const int64_t r = x.dim();
    int64_t a = c.node.GetInt("axis", 1);
    if (a < 0) a += r;
    if (a < 0 || a > r) Throw(StatusCode::kInvalidArgument, "Flatten: axis out of range");
    int64_t outer = 1;
    for (int64_t d = 0; d < a; ++d) outer *= x.size(d);
    c.out[0] = x.reshape({outer, outer == 0 ? 0 : x.numel() / outer});
  };
  t["Reshape"] = Reshape;
  t["Transpose"] = [](OpContext& c) {
    const auto& x = c.x(0);
    auto perm = c.node.GetInts("perm");
    if (perm.empty())
      for (int64_t d = x.dim(); d-- > 0;) perm.push_back(d);
    c.out[0] = x.permute(perm);
  };
  t["Squeeze"] = Squeeze;
  t["Unsqueeze"] = Unsqueeze;
  t["Concat"] = [](OpContext& c) {
    std::vector<torch::Tensor> xs;
    for (const auto& x : c.in)
      if (x.defined()) xs.push_back(x);
    if (xs.empty()) Throw(StatusCode::kInvalidArgument, "Concat without inputs");
    c.out[0] = torch::cat(xs, c.axis(c.node.GetInt("axis", 0), xs[0].dim()));
  };
  t["Split"] = Split;
  t["Slice"] = Slice;
  t["Gather"] = Gather;
  t["Shape"] = Shape;
  t["Size"] = [](OpContext& c) {
    c.out[0] = torch::tensor(c.x(0).numel(), torch::kInt64).reshape({});
  };
  t["Constant"] = Constant;
  t["Identity"] = [](OpContext& c) { c.out[0] = c.x(0); };
  t["Cast"] = [](OpContext& c) {
    const auto to = static_cast<DataType>(c.node.GetInt("to", 0));
    c.out[0] = c.x(0).to(TorchType(to));
  };
  t["Expand"] = Expand;
  t["Range"] = [](OpContext& c) {  // scalars start, limit, delta; ceil((limit-start)/delta) values
    c.out[0] = torch::arange(c.x(0).item(), c.x(1).item(), c.x(2).item(), c.x(0).options());
  };
}

}  // namespace shrink::train
