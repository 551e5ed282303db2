#include "quant/weight_channels.h"

#include <algorithm>
#include <cmath>

#include "passes/pattern_util.h"

namespace shrink::quant {

namespace {

bool IsGemm(const ir::Node& n) { return n.op_type() == "Gemm"; }
bool IsConv(const ir::Node& n) { return n.op_type() == "Conv"; }

template <typename F>
void Rescale(ir::Value* v, F channel_of, const std::vector<double>& s) {
  Tensor t = v->data().Clone();
  float* d = t.data<float>();
  for (int64_t e = 0; e < t.numel(); ++e)
    d[e] = static_cast<float>(d[e] * s[static_cast<size_t>(channel_of(e))]);
  v->set_data(std::move(t));
}

template <typename F>
std::vector<double> AbsMax(const Tensor& w, int64_t channels, F channel_of) {
  std::vector<double> m(static_cast<size_t>(std::max<int64_t>(channels, 0)), 0.0);
  const float* d = w.data<float>();
  for (int64_t e = 0; e < w.numel() && channels > 0; ++e) {
    double& x = m[static_cast<size_t>(channel_of(e))];
    x = std::max(x, static_cast<double>(std::abs(d[e])));
  }
  return m;
}

}  // namespace

ir::Value* OwnedWeight(const ir::Node& node, int index) {
  ir::Value* v = node.input(index);
  if (!v || !v->is_initializer() || v->is_graph_input() || v->is_graph_output()) return nullptr;
  if (v->data().dtype() != DataType::kFloat32 || v->uses().size() != 1) return nullptr;
  return v;
}

int64_t OutChannels(const ir::Node& node, const Shape& w) {
  if (IsConv(node)) return w.size() >= 3 ? w[0] : 0;
  if (w.size() != 2) return 0;
  if (IsGemm(node)) {
    if (node.GetInt("transA", 0)) return 0;
    return node.GetInt("transB", 0) ? w[0] : w[1];
  }
  return node.op_type() == "MatMul" ? w[1] : 0;
}

int64_t InChannels(const ir::Node& node, const Shape& w) {
  if (IsConv(node)) return w.size() >= 3 ? w[1] * node.GetInt("group", 1) : 0;
  if (w.size() != 2) return 0;
  if (IsGemm(node)) {
    if (node.GetInt("transA", 0)) return 0;
    return node.GetInt("transB", 0) ? w[1] : w[0];
  }
  return node.op_type() == "MatMul" ? w[0] : 0;
}

int64_t OutChannelOf(const ir::Node& node, const Shape& w, int64_t e) {
  if (IsConv(node)) return e / (NumElements(w) / w[0]);
  const bool rows = IsGemm(node) && node.GetInt("transB", 0);
  return rows ? e / w[1] : e % w[1];
}

int64_t InChannelOf(const ir::Node& node, const Shape& w, int64_t e) {
  if (IsConv(node)) {
    const int64_t group = node.GetInt("group", 1), kernel = NumElements(w) / (w[0] * w[1]);
    const int64_t o = e / (w[1] * kernel), local = (e / kernel) % w[1];
    return (o / (w[0] / group)) * w[1] + local;
  }
  const bool rows = IsGemm(node) && node.GetInt("transB", 0);
  return rows ? e % w[1] : e / w[1];
}

void ScaleOutChannels(const ir::Node& node, ir::Value* weight, const std::vector<double>& s) {
  const Shape w = weight->data().shape();
  Rescale(
      weight, [&](int64_t e) { return OutChannelOf(node, w, e); }, s);
}

void ScaleInChannels(const ir::Node& node, ir::Value* weight, const std::vector<double>& s) {
  const Shape w = weight->data().shape();
  Rescale(
      weight, [&](int64_t e) { return InChannelOf(node, w, e); }, s);
}

std::vector<double> OutChannelAbsMax(const ir::Node& node, const Tensor& w) {
  return AbsMax(w, OutChannels(node, w.shape()),
                [&](int64_t e) { return OutChannelOf(node, w.shape(), e); });
}

std::vector<double> InChannelAbsMax(const ir::Node& node, const Tensor& w) {
  return AbsMax(w, InChannels(node, w.shape()),
                [&](int64_t e) { return InChannelOf(node, w.shape(), e); });
}

void ScaleVector(ir::Value* v, const std::vector<double>& s) {
  Rescale(
      v, [](int64_t e) { return e; }, s);
}

}  // namespace shrink::quant
