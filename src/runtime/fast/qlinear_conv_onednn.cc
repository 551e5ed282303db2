// oneDNN int8 Conv: QLinearConv (u8/s8 activations with a zero point, (u)int8 weights with a
// per-tensor or per-output-channel zero point and scale, int32 bias, requantized to y_scale /
// y_zero_point inside the primitive) and ConvInteger (int32 output, no scales). 1-3 spatial dims,
// groups / depthwise, strides, pads (incl. auto_pad), dilations.
// Weights are converted to s8 (w - w_zp) once at create and reordered into each primitive's
// preferred layout once per input shape; primitives are cached by input shape. Activations are
// plain NC... or channels-last outside the kernel, each as the plan chose (layout.h: x and y can
// both be channels-last, independently), and reordered to the primitive's layout and back only
// when it prefers another one. Every scale / zero point must be constant; otherwise the factory
// declines.
// Zero points never reach oneDNN's zero-point attributes (its kernels with them ran ~10x slower
// here: 30 us vs 3 us for a 16x16 1x1 conv on 28x28): the destination zero point is an eltwise
// linear post-op (+y_zp before rounding, what the attribute does too), and the source zero point
// of an unpadded conv is folded into the int32 bias per shape: conv(x - zp, w) = conv(x, w) -
// zp * sum(w[m]) exactly. A padded 2-D conv reads a padded copy of its input instead, whose
// borders hold the zero point (written once a shape; each run copies the interior), through an
// unpadded primitive, so its zero point folds the same way: with the attribute oneDNN's AVX2
// kernel for Fashion-MNIST's first conv (1 -> 32 channels, 3x3, batch 32) took 0.77 ms, twice
// its fp32 conv. Other ranks keep the attribute (their border windows see fewer real inputs than
// sum(w[m]) assumes).
// Rounding: see int8_util.h (at most one quantization step from the reference kernel).
// Without VNNI only u8 activations with 7-bit weights run here (int8_exact.h: Int8DotExactFor),
// the rest decline.
// com.shrink QLinearConvAct (passes::FuseQdqConvActivation; reference runtime/kernels/
// conv_integer.cc) runs on the same primitive with output scales x_scale * w_scale[m] (the
// float domain), the activation as an eltwise post-op, then eltwise linear (1 / y_scale, + y_zp)
// before the destination's rounding and saturation.
// com.shrink QConvFloat (passes::FuseQdqFloatOutput; reference runtime/kernels/qconv_float.cc):
// the same primitive with a float32 destination, output scales x_scale * w_scale[m], an f32 bias
// in the accumulator's units and fused eltwise post-ops (see MakeQConvFloat).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "runtime/fast/int8_exact.h"
#include "runtime/fast/int8_util.h"
#include "runtime/fast/onednn_conv.h"
#include "runtime/fast/qlinear_conv_native.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

// Grouped / depthwise convs and convs below this many multiply-adds skip AMX (SkipAmx).
constexpr int64_t kAmxMinMacs = 2'000'000;

class Int8ConvOneDnn : public FastKernel {
 public:
  Int8ConvOneDnn(const CreateInfo& info, Int8ConvParams p) : node_(*info.node), p_(std::move(p)) {
    group_ = node_.GetInt("group", 1);
    x_zp_mem_ = ZeroPointMemory(p_.x_zp);
    const int64_t m = p_.w.dim(0), per_row = p_.w.numel() / std::max<int64_t>(m, 1);
    w_row_sums_.assign(m, 0);
    for (int64_t o = 0; o < m; ++o)
      for (int64_t i = 0; i < per_row; ++i) w_row_sums_[o] += p_.w.data<int8_t>()[o * per_row + i];
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    current_ = &FindOrBuild(cache_, shapes[0], [this](const Shape& s) { return Build(s); });
    return {{p_.y_dtype, current_->y_shape}};
  }

  size_t workspace_bytes() const override { return current_ ? current_->workspace : 0; }

  LayoutCaps layout_caps() const override { return {{0}, true, false}; }
  void SetLayouts(const std::vector<Layout>& in, Layout out) override {
    x_layout_ = in.empty() ? Layout::kPlain : in[0];
    y_layout_ = out;
    cache_.clear();  // primitives were built for the old layouts
    current_ = nullptr;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    std::unordered_map<int, memory> args;
    if (b.bias) args[DNNL_ARG_BIAS] = b.bias;
    if (b.x_zp_attr) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = x_zp_mem_;
    if (b.padded.empty()) return b.Execute(in[0], out[0], std::move(args));
    CopyInterior(b, static_cast<const uint8_t*>(in[0]));
    b.Execute(b.padded.data(), out[0], std::move(args));
  }

 private:
  struct Built : BuiltConv {
    memory bias;  // the node's, or bias - x_zp * row sums (own buffer) when x_zp is folded
    bool x_zp_attr = false;
    // 2-D with a source zero point: the input copied into `padded`, whose borders hold the zero
    // point, and an unpadded primitive on it (x: the input's shape; pt / pl: top / left pads).
    std::vector<uint8_t> padded;
    Shape x;
    int64_t pt = 0, pl = 0, hp = 0, wp = 0;
  };

  // The input into b.padded's interior, in the input's layout.
  void CopyInterior(Built& b, const uint8_t* x) const {
    const int64_t n = b.x[0], c = b.x[1], h = b.x[2], w = b.x[3];
    uint8_t* p = b.padded.data();
    if (x_layout_ == Layout::kChannelsLast) {
      for (int64_t r = 0; r < n * h; ++r)
        std::memcpy(p + (((r / h) * b.hp + r % h + b.pt) * b.wp + b.pl) * c, x + r * w * c,
                    static_cast<size_t>(w * c));
      return;
    }
    for (int64_t r = 0; r < n * c * h; ++r)
      std::memcpy(p + ((r / h) * b.hp + r % h + b.pt) * b.wp + b.pl, x + r * w,
                  static_cast<size_t>(w));
  }

  Built Build(const Shape& x_in) {
    ConvShapes cs = MakeConvShapes(node_, x_in, p_.w.shape(), group_);
    Built b;
    const auto zero = [](const memory::dims& d) {
      return std::all_of(d.begin(), d.end(), [](int64_t v) { return v == 0; });
    };
    Shape x = x_in;
    const bool padded = !(zero(cs.pads_begin) && zero(cs.pads_end));
    if (p_.x_zp != 0 && padded && x.size() == 4) {  // pad here, fold the zero point below
      b.x = x;
      b.pt = cs.pads_begin[0];
      b.pl = cs.pads_begin[1];
      b.hp = x[2] + b.pt + cs.pads_end[0];
      b.wp = x[3] + b.pl + cs.pads_end[1];
      x = {x[0], x[1], b.hp, b.wp};
      b.padded.assign(static_cast<size_t>(NumElements(x)), static_cast<uint8_t>(p_.x_zp));
      cs.pads_begin = {0, 0};
      cs.pads_end = {0, 0};
    }
    const auto xdt = DnnlType(p_.x_dtype), ydt = DnnlType(p_.y_dtype);
    const bool float_y = p_.y_dtype == DataType::kFloat32;  // QConvFloat: no requantization
    memory::desc x_any(ToDims(x), xdt, tag::any), y_any(ToDims(cs.y), ydt, tag::any),
        w_any(cs.w, memory::data_type::s8, tag::any),
        bias_md({p_.w.dim(0)}, float_y ? memory::data_type::f32 : memory::data_type::s32, tag::a);
    b.x_zp_attr = p_.x_zp != 0 && !(zero(cs.pads_begin) && zero(cs.pads_end));
    const bool fold = p_.x_zp != 0 && !b.x_zp_attr;
    dnnl::primitive_attr attr;
    if (!p_.scales.empty()) attr.set_output_scales(p_.scales.size() > 1 ? 1 << 1 : 0, p_.scales);
    if (b.x_zp_attr) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
    if (!p_.acts.empty()) {
      dnnl::post_ops po = MakePostOps(p_.acts);
      if (!float_y)
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f / p_.y_scale,
                          static_cast<float>(p_.y_zp));
      attr.set_post_ops(po);
    } else if (p_.y_zp != 0) {
      attr.set_post_ops(ZeroPointPostOp(p_.y_zp));
    }
    const bool has_bias = p_.bias.defined() || fold;
    dnnl::convolution_forward::primitive_desc pd(
        ConvDesc(cs, x_any, w_any, has_bias ? &bias_md : nullptr, y_any), attr, CpuEngine());
    // Multiply-adds: output elements x (input channels per group x kernel window).
    const int64_t macs = NumElements(cs.y) * (p_.w.numel() / std::max<int64_t>(p_.w.dim(0), 1));
    SkipAmx(pd, group_ > 1 || macs < kAmxMinMacs);
    b.Init(pd, cs, p_.w.raw(), memory::data_type::s8, x, xdt, ydt, x_layout_, y_layout_);
    b.workspace += b.padded.size();
    if (fold) {
      b.bias = memory(bias_md, CpuEngine());
      auto* dst = static_cast<int32_t*>(b.bias.get_data_handle());
      auto* fdst = static_cast<float*>(b.bias.get_data_handle());
      for (size_t o = 0; float_y && o < w_row_sums_.size(); ++o)
        fdst[o] = static_cast<float>((p_.bias.defined() ? p_.bias.data<float>()[o] : 0.0) -
                                     static_cast<double>(p_.x_zp) * w_row_sums_[o]);
      for (size_t o = 0; !float_y && o < w_row_sums_.size(); ++o)
        dst[o] = (p_.bias.defined() ? p_.bias.data<int32_t>()[o] : 0) -
                 p_.x_zp * static_cast<int32_t>(w_row_sums_[o]);
    } else if (has_bias) {
      b.bias = memory(bias_md, CpuEngine(), p_.bias.raw());
    }
    return b;
  }

  const ir::Node& node_;
  Int8ConvParams p_;
  int64_t group_ = 1;
  memory x_zp_mem_;
  std::vector<int64_t> w_row_sums_;  // sum of each output channel's s8 weights
  Layout x_layout_ = Layout::kPlain, y_layout_ = Layout::kPlain;
  std::map<Shape, Built> cache_;
  Built* current_ = nullptr;
};

// The kernel, where its products are exact (int8_exact.h).
std::unique_ptr<FastKernel> MakeInt8Conv(const CreateInfo& info, Int8ConvParams p) {
  if (!Int8DotExactFor(p.x_dtype, p.w)) return nullptr;
  return std::make_unique<Int8ConvOneDnn>(info, std::move(p));
}

// QLinearConv; with `acts`, the QLinearConvAct variant (int8_util.h: QLinearConvParams).
std::unique_ptr<FastKernel> MakeQLinearConvWith(const CreateInfo& info,
                                                std::vector<FusedActivation> acts) {
  auto p = QLinearConvParams(info, std::move(acts));
  if (!p) return nullptr;
  return MakeInt8Conv(info, std::move(*p));
}

std::unique_ptr<FastKernel> MakeQLinearConv(const CreateInfo& info) {
  return MakeQLinearConvWith(info, {});
}

// com.shrink QLinearConvAct: activation "HardSwish" only (what the reference kernel implements).
std::unique_ptr<FastKernel> MakeQLinearConvAct(const CreateInfo& info) {
  if (info.node->GetString("activation", "") != "HardSwish") return nullptr;
  return MakeQLinearConvWith(info, {FusedActivation{"HardSwish"}});
}

// com.shrink QConvFloat(x, x_scale, x_zp, w, w_scale, w_zp[, B]) -> float32 (passes::
// FuseQdqFloatOutput): output scales x_scale * w_scale[c], no destination zero point, fused
// eltwise post-ops after the scale. oneDNN 2.x adds the bias to the accumulator before the output
// scale, so the float bias goes in as an f32 bias in the accumulator's units, B[c] / (x_scale *
// w_scale[c]) (float32, not rounded to an integer): y = (acc + B'[c]) * scale[c] = acc * scale[c]
// + B[c] up to float32 rounding (a folded source zero point, see above, adds -x_zp * sum(w[m]) to
// that f32 bias: the sum then rounds to float32 near |conv(x, w)|, within ~1 accumulator unit for
// K up to ~500). A zero or non-finite multiplier declines (reference kernel).
std::unique_ptr<FastKernel> MakeQConvFloat(const CreateInfo& info) {
  const Tensor* w = ConstInput(info, 3);
  auto xs = FloatsOf(ConstInput(info, 1)), ws = FloatsOf(ConstInput(info, 4));
  auto xzp = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  if (!w || w->rank() < 3 || !xs || !ws || !xzp || xs->size() != 1) return nullptr;
  if (!OmittedInput(info, 5) && !ConstInput(info, 5)) return nullptr;
  const int64_t m = w->dim(0);
  if (ws->size() != 1 && static_cast<int64_t>(ws->size()) != m) return nullptr;
  Int8ConvParams p;
  p.x_dtype = info.input_dtypes[0];
  p.y_dtype = DataType::kFloat32;
  auto s8 = ToS8Weights(*w, ConstInput(info, 5), 0);
  if (!s8) return nullptr;
  p.w = std::move(*s8);
  p.scales = OutputScales((*xs)[0], *ws, 1.0f);
  if (!OmittedInput(info, 6)) {
    const Tensor* b = ConstInput(info, 6);
    if (!b || b->dtype() != DataType::kFloat32 || b->numel() != m) return nullptr;
    p.bias = Tensor(DataType::kFloat32, {m});
    for (int64_t c = 0; c < m; ++c) {
      const float s = p.scales[p.scales.size() == 1 ? 0 : c];
      const float v = b->data<float>()[c] / s;
      if (s == 0.0f || !std::isfinite(v)) return nullptr;
      p.bias.data<float>()[c] = v;
    }
  }
  p.x_zp = *xzp;
  p.acts = info.post_ops;
  return MakeInt8Conv(info, std::move(p));
}

// ConvInteger(x, w[, x_zp, w_zp]) -> int32.
std::unique_ptr<FastKernel> MakeConvInteger(const CreateInfo& info) {
  const Tensor* w = ConstInput(info, 1);
  auto xzp = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  if (!w || !xzp || (!OmittedInput(info, 3) && !ConstInput(info, 3))) return nullptr;
  Int8ConvParams p;
  p.x_dtype = info.input_dtypes[0];
  auto s8 = ToS8Weights(*w, ConstInput(info, 3), 0);
  if (!s8) return nullptr;
  p.w = std::move(*s8);
  p.x_zp = *xzp;
  return MakeInt8Conv(info, std::move(p));
}

// Small u8 convolutions run natively (qlinear_conv_native.h), the rest on oneDNN.
std::unique_ptr<FastKernel> MakeQLinearConvSmallNative(const CreateInfo& info) {
  return MakeQLinearConvNative(info, &MakeQLinearConv, {});
}
std::unique_ptr<FastKernel> MakeQLinearConvActSmallNative(const CreateInfo& info) {
  if (info.node->GetString("activation", "") != "HardSwish") return nullptr;
  return MakeQLinearConvNative(info, &MakeQLinearConvAct, {FusedActivation{"HardSwish"}});
}

}  // namespace

SHRINK_FAST_KERNEL("", "QLinearConv", 10, kLatestOpset, DataType::kUInt8, "native",
                   MakeQLinearConvSmallNative, nullptr);
SHRINK_FAST_KERNEL("", "QLinearConv", 10, kLatestOpset, DataType::kUInt8, "onednn", MakeQLinearConv,
                   nullptr);
SHRINK_FAST_KERNEL("", "QLinearConv", 10, kLatestOpset, DataType::kInt8, "onednn", MakeQLinearConv,
                   nullptr);
SHRINK_FAST_KERNEL("com.shrink", "QLinearConvAct", 1, kLatestOpset, DataType::kUInt8, "native",
                   MakeQLinearConvActSmallNative, nullptr);
SHRINK_FAST_KERNEL("com.shrink", "QLinearConvAct", 1, kLatestOpset, DataType::kUInt8, "onednn",
                   MakeQLinearConvAct, nullptr);
SHRINK_FAST_KERNEL("com.shrink", "QLinearConvAct", 1, kLatestOpset, DataType::kInt8, "onednn",
                   MakeQLinearConvAct, nullptr);
SHRINK_FAST_KERNEL("com.shrink", "QConvFloat", 1, kLatestOpset, DataType::kUInt8, "onednn",
                   MakeQConvFloat, CanFuseEltwise);
SHRINK_FAST_KERNEL("com.shrink", "QConvFloat", 1, kLatestOpset, DataType::kInt8, "onednn",
                   MakeQConvFloat, CanFuseEltwise);
SHRINK_FAST_KERNEL("", "ConvInteger", 10, kLatestOpset, DataType::kUInt8, "onednn", MakeConvInteger,
                   nullptr);
SHRINK_FAST_KERNEL("", "ConvInteger", 10, kLatestOpset, DataType::kInt8, "onednn", MakeConvInteger,
                   nullptr);

}  // namespace shrink::runtime::fast
