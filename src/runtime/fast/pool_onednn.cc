// oneDNN pooling: MaxPool (no Indices output, storage_order 0), AveragePool
// (count_include_pad, ceil_mode unless combined with count_include_pad), GlobalAveragePool and
// GlobalMaxPool, 1-3 spatial dims. Primitives cached by shape.
// float32: plain NC... or channels-last (layout.h) in and out, each as the plan chose; MaxPool also
// on uint8 / int8 (opset >= 12; channels-last inside the kernel) for 3-D pooling (1-2 spatial dims:
// the native kernel of maxpool_native.h, registered first).
#include <map>

#include "runtime/fast/int8_util.h"
#include "runtime/fast/maxpool_native.h"
#include "runtime/fast/onednn_conv.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;

enum class PoolKind { kMax, kAvg, kGlobalAvg, kGlobalMax };

class PoolOneDnn : public FastKernel {
 public:
  PoolOneDnn(const CreateInfo& info, PoolKind kind)
      : node_(*info.node), kind_(kind), dtype_(info.input_dtypes[0]) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    current_ = &FindOrBuild(cache_, shapes[0], [this](const Shape& s) { return Build(s); });
    return {{dtype_, current_->y_shape}};
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    if (!b.x_reorder && !b.y_reorder) return b.pool.Execute(in[0], out[0]);
    auto& s = CpuStream();
    if (b.x_reorder) {
      b.x_user.set_data_handle(const_cast<void*>(in[0]));
      b.x_reorder.execute(s, b.x_user, b.pool.src);
    } else {
      b.pool.src.set_data_handle(const_cast<void*>(in[0]));
    }
    b.y_user.set_data_handle(out[0]);
    b.pool.prim.execute(s, {{DNNL_ARG_SRC, b.pool.src}, {DNNL_ARG_DST, b.pool.dst}});
    b.y_reorder.execute(s, b.pool.dst, b.y_user);
    s.wait();
  }

  size_t workspace_bytes() const override { return current_ ? current_->workspace : 0; }

  LayoutCaps layout_caps() const override {
    if (dtype_ != DataType::kFloat32) return {};
    return {{0}, true, false, true};
  }
  void SetLayouts(const std::vector<Layout>& in, Layout out) override {
    x_layout_ = in.empty() ? Layout::kPlain : in[0];
    y_layout_ = out;
    cache_.clear();  // primitives were built for the old layouts
    current_ = nullptr;
  }

 private:
  // 8-bit pooling has fast implementations for channels-last only: the kernel then reorders
  // plain NC... into NDHWC-style buffers it owns and back (x_reorder / y_reorder set). float32
  // with a channels-last input and a plain output (oneDNN has only its reference kernel for
  // mixed layouts: 10 ms for PaddleOCR rec's last pooling) pools channels-last into an own
  // buffer and reorders that (y_reorder only).
  struct Built {
    Shape y_shape;
    SrcDstPrimitive pool;
    memory x_user, y_user;
    dnnl::reorder x_reorder, y_reorder;
    size_t workspace = 0;
  };

  Built Build(const Shape& x) {
    if (x.size() < 3 || x.size() > 5) Throw(StatusCode::kUnimplemented, "pool rank");
    const Shape in(x.begin() + 2, x.end());
    WindowGeometry g;
    dnnl::algorithm alg = dnnl::algorithm::pooling_max;
    if (kind_ == PoolKind::kGlobalAvg || kind_ == PoolKind::kGlobalMax) {
      g.strides = g.dilations = Shape(in.size(), 1);
      g.pads_begin = g.pads_end = Shape(in.size(), 0);
      g.out = Shape(in.size(), 1);
      alg = kind_ == PoolKind::kGlobalAvg ? dnnl::algorithm::pooling_avg_exclude_padding
                                          : dnnl::algorithm::pooling_max;
      kernel_ = in;
    } else {
      kernel_ = node_.GetInts("kernel_shape");
      const bool ceil = node_.GetInt("ceil_mode", 0) != 0;
      g = MakeWindow(node_, in, kernel_, ceil);
      if (ceil)  // extend the end padding so oneDNN produces the ceil-mode output size
        for (size_t i = 0; i < in.size(); ++i) {
          const int64_t ek = (kernel_[i] - 1) * g.dilations[i] + 1;
          const int64_t need = (g.out[i] - 1) * g.strides[i] + ek - in[i] - g.pads_begin[i];
          g.pads_end[i] = std::max(g.pads_end[i], need);
        }
      if (kind_ == PoolKind::kAvg)
        alg = node_.GetInt("count_include_pad", 0) ? dnnl::algorithm::pooling_avg_include_padding
                                                   : dnnl::algorithm::pooling_avg_exclude_padding;
    }
    Built b;
    b.y_shape = {x[0], x[1]};
    b.y_shape.insert(b.y_shape.end(), g.out.begin(), g.out.end());
    memory::dims dil;
    for (int64_t d : g.dilations) dil.push_back(d - 1);
    auto& eng = CpuEngine();
    const auto dt = DnnlType(dtype_);
    const bool nhwc = dtype_ != DataType::kFloat32;
    const auto last = x.size() == 3   ? memory::format_tag::acb
                      : x.size() == 4 ? memory::format_tag::acdb
                                      : memory::format_tag::acdeb;
    // A [N, C, 1...] output has the same bytes in either layout: described like the input.
    const bool y_point = NumElements(b.y_shape) == b.y_shape[0] * b.y_shape[1];
    const Layout y_layout = y_point ? x_layout_ : y_layout_;
    memory::desc x_md = nhwc ? memory::desc(ToDims(x), dt, last) : ActivationDesc(x, dt, x_layout_);
    memory::desc y_md =
        nhwc ? memory::desc(ToDims(b.y_shape), dt, last) : ActivationDesc(b.y_shape, dt, y_layout);
    dnnl::pooling_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, x_md, y_md,
                                     ToDims(g.strides), ToDims(kernel_), dil, ToDims(g.pads_begin),
                                     ToDims(g.pads_end));
    dnnl::pooling_v2_forward::primitive_desc pd(d, eng);
    if (!nhwc && y_layout != x_layout_) {
      const memory::desc y_same = ActivationDesc(b.y_shape, dt, x_layout_);
      dnnl::pooling_v2_forward::desc same(dnnl::prop_kind::forward_inference, alg, x_md, y_same,
                                          ToDims(g.strides), ToDims(kernel_), dil,
                                          ToDims(g.pads_begin), ToDims(g.pads_end));
      b.pool = SrcDstPrimitive{
          dnnl::pooling_v2_forward(dnnl::pooling_v2_forward::primitive_desc(same, eng)),
          memory(x_md, eng, DNNL_MEMORY_NONE), memory(y_same, eng)};
      b.y_user = memory(y_md, eng, DNNL_MEMORY_NONE);
      b.y_reorder = dnnl::reorder(b.pool.dst, b.y_user);
      b.workspace = y_same.get_size();
      return b;
    }
    if (!nhwc) {
      b.pool = SrcDstPrimitive{dnnl::pooling_v2_forward(pd), memory(x_md, eng, DNNL_MEMORY_NONE),
                               memory(y_md, eng, DNNL_MEMORY_NONE)};
      return b;
    }
    b.pool = SrcDstPrimitive{dnnl::pooling_v2_forward(pd), memory(x_md, eng), memory(y_md, eng)};
    b.x_user = memory(PlainDesc(x, dt), eng, DNNL_MEMORY_NONE);
    b.y_user = memory(PlainDesc(b.y_shape, dt), eng, DNNL_MEMORY_NONE);
    b.x_reorder = dnnl::reorder(b.x_user, b.pool.src);
    b.y_reorder = dnnl::reorder(b.pool.dst, b.y_user);
    b.workspace = x_md.get_size() + y_md.get_size();
    return b;
  }

  const ir::Node& node_;
  PoolKind kind_;
  DataType dtype_;
  Shape kernel_;
  std::map<Shape, Built> cache_;
  Built* current_ = nullptr;
  Layout x_layout_ = Layout::kPlain, y_layout_ = Layout::kPlain;  // float32 only
};

bool OneOutput(const CreateInfo& info) {
  for (size_t i = 1; i < info.node->outputs().size(); ++i)
    if (info.node->output(static_cast<int>(i))) return false;
  return true;
}

std::unique_ptr<FastKernel> MakeMaxPool(const CreateInfo& info) {
  if (!OneOutput(info) || info.node->GetInt("storage_order", 0) != 0) return nullptr;
  if (!info.node->HasAttr("kernel_shape")) return nullptr;
  return std::make_unique<PoolOneDnn>(info, PoolKind::kMax);
}

std::unique_ptr<FastKernel> MakeAvgPool(const CreateInfo& info) {
  const ir::Node& n = *info.node;
  if (!n.HasAttr("kernel_shape") || n.HasAttr("dilations")) return nullptr;
  if (n.GetInt("ceil_mode", 0) && n.GetInt("count_include_pad", 0)) return nullptr;
  return std::make_unique<PoolOneDnn>(info, PoolKind::kAvg);
}

std::unique_ptr<FastKernel> MakeGlobalAvg(const CreateInfo& info) {
  return std::make_unique<PoolOneDnn>(info, PoolKind::kGlobalAvg);
}

std::unique_ptr<FastKernel> MakeGlobalMax(const CreateInfo& info) {
  return std::make_unique<PoolOneDnn>(info, PoolKind::kGlobalMax);
}

}  // namespace

SHRINK_FAST_KERNEL("", "MaxPool", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeMaxPool,
                   nullptr);
// 8-bit MaxPool with 1-2 spatial dims: the native NCHW kernel first (no reorders;
// maxpool_native.h).
SHRINK_FAST_KERNEL("", "MaxPool", 12, kLatestOpset, DataType::kUInt8, "native",
                   MakeMaxPoolInt8Native, nullptr);
SHRINK_FAST_KERNEL("", "MaxPool", 12, kLatestOpset, DataType::kInt8, "native",
                   MakeMaxPoolInt8Native, nullptr);
SHRINK_FAST_KERNEL("", "MaxPool", 12, kLatestOpset, DataType::kUInt8, "onednn", MakeMaxPool,
                   nullptr);
SHRINK_FAST_KERNEL("", "MaxPool", 12, kLatestOpset, DataType::kInt8, "onednn", MakeMaxPool,
                   nullptr);
SHRINK_FAST_KERNEL("", "AveragePool", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeAvgPool,
                   nullptr);
SHRINK_FAST_KERNEL("", "GlobalAveragePool", 1, kLatestOpset, DataType::kFloat32, "onednn",
                   MakeGlobalAvg, nullptr);
SHRINK_FAST_KERNEL("", "GlobalMaxPool", 1, kLatestOpset, DataType::kFloat32, "onednn",
                   MakeGlobalMax, nullptr);

}  // namespace shrink::runtime::fast
