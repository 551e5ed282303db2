#include "passes/upgrade_opset_rules.h"

#include <string>
#include <utility>

#include "passes/pattern_util.h"

namespace shrink::passes::upgrade {
namespace {

std::string Hint(const ir::Node* n, const char* what) {
  return (n->name().empty() ? n->op_type() : n->name()) + "_" + what;
}

ir::Value* Int64Input(RuleContext& ctx, const ir::Node* n, const char* what,
                      const std::vector<int64_t>& v) {
  return AddConstant(*ctx.graph, Hint(n, what),
                     Tensor::FromVector<int64_t>({static_cast<int64_t>(v.size())}, v));
}

ir::Value* ScalarInput(RuleContext& ctx, const ir::Node* n, const char* what, DataType dtype,
                       double v) {
  Tensor t(dtype, {});
  t.SetFromDouble(0, v);
  return AddConstant(*ctx.graph, Hint(n, what), std::move(t));
}

// X's element type for new scalar inputs (float32 when it cannot be found: the old versions of
// the ops that take such scalars only accept float types, float32 in practice).
DataType FloatTypeOf(const ir::Value* v) {
  const DataType t = InferElementType(v);
  return t == DataType::kUndefined ? DataType::kFloat32 : t;
}

Status Fail(const ir::Node* n, const std::string& why) {
  return Unimplemented(n->Describe() + ": " + why);
}

// Replaces `node` by `op(inputs){attrs}` with its first `num_outputs` outputs, which keep their
// names, types and consumers. Outputs past `num_outputs` must be unused (checked by the rule).
ir::Node* Replace(RuleContext& ctx, ir::Node* node, const std::string& op,
                  const std::vector<ir::Value*>& inputs, std::vector<ir::Attribute> attrs,
                  size_t num_outputs) {
  ir::Graph& g = *ctx.graph;
  std::vector<std::string> names;
  for (size_t i = 0; i < num_outputs; ++i) {
    const ir::Value* o = node->output(static_cast<int>(i));
    names.push_back(o ? g.UniqueName(o->name() + "_upgraded") : "");
  }
  ir::Node* n = g.AddNode(op, inputs, names, std::move(attrs), "", node->domain());
  std::vector<std::pair<ir::Value*, std::string>> renames;
  for (size_t i = 0; i < num_outputs; ++i) {
    ir::Value* old_out = node->output(static_cast<int>(i));
    if (!old_out) continue;
    ir::Value* new_out = n->output(static_cast<int>(i));
    new_out->type() = old_out->type();
    g.ReplaceAllUsesWith(old_out, new_out);
    renames.emplace_back(new_out, old_out->name());
  }
  const std::string node_name = node->name();
  SHRINK_CHECK(g.RemoveNode(node), "upgrade: could not remove " + node->Describe());
  for (auto& [v, name] : renames) g.RenameValue(v, name);
  n->set_name(node_name);
  return n;
}

// True when output `i` of `n` exists and is read (by a node, a subgraph or as a graph output).
bool OutputUsed(const ir::Node* n, int i) {
  const ir::Value* v = n->output(i);
  return v && (!v->uses().empty() || v->is_graph_output() || ImplicitlyUsed(v));
}

// attribute `name` (ints) -> int64 input `index`, when present.
Status IntsAttrToInput(RuleContext& ctx, ir::Node*& n, const char* name, int index) {
  if (!ctx.apply) return Status::Ok();
  const ir::Attribute* a = n->FindAttr(name);
  if (!a) return Status::Ok();
  const std::vector<int64_t> v = a->ints;
  n->RemoveAttr(name);
  n->SetInput(index, Int64Input(ctx, n, name, v));
  return Status::Ok();
}

Status AxesToInput(RuleContext& ctx, ir::Node*& n) { return IntsAttrToInput(ctx, n, "axes", 1); }

Status SplitToInput(RuleContext& ctx, ir::Node*& n) { return IntsAttrToInput(ctx, n, "split", 1); }

Status SplitNumOutputs(RuleContext& ctx, ir::Node*& n) {
  if (!ctx.apply || n->input(1) || n->HasAttr("split")) return Status::Ok();
  n->SetAttr(ir::MakeAttr("num_outputs", static_cast<int64_t>(n->outputs().size())));
  return Status::Ok();
}

Status ClipToInputs(RuleContext& ctx, ir::Node*& n) {
  if (!ctx.apply) return Status::Ok();
  const DataType t = FloatTypeOf(n->input(0));
  const ir::Attribute* lo = n->FindAttr("min");
  const ir::Attribute* hi = n->FindAttr("max");
  ir::Value* lo_v = lo ? ScalarInput(ctx, n, "min", t, lo->f) : nullptr;
  ir::Value* hi_v = hi ? ScalarInput(ctx, n, "max", t, hi->f) : nullptr;
  n->RemoveAttr("min");
  n->RemoveAttr("max");
  if (lo_v || hi_v) n->SetInput(1, lo_v);
  if (hi_v) n->SetInput(2, hi_v);
  return Status::Ok();
}

Status SliceToInputs(RuleContext& ctx, ir::Node*& n) {
  if (!ctx.apply) return Status::Ok();
  const std::vector<int64_t> starts = n->GetInts("starts"), ends = n->GetInts("ends");
  const ir::Attribute* axes = n->FindAttr("axes");
  n->SetInput(1, Int64Input(ctx, n, "starts", starts));
  n->SetInput(2, Int64Input(ctx, n, "ends", ends));
  if (axes) n->SetInput(3, Int64Input(ctx, n, "axes", axes->ints));
  n->RemoveAttr("starts");
  n->RemoveAttr("ends");
  n->RemoveAttr("axes");
  return Status::Ok();
}

Status TopKToInput(RuleContext& ctx, ir::Node*& n) {
  if (!ctx.apply) return Status::Ok();
  const int64_t k = n->GetInt("k", 0);
  n->RemoveAttr("k");
  n->SetInput(1, Int64Input(ctx, n, "k", {k}));
  return Status::Ok();
}

Status PadToInputs(RuleContext& ctx, ir::Node*& n) {
  if (!ctx.apply) return Status::Ok();
  const std::vector<int64_t> pads = n->GetInts("pads");
  const ir::Attribute* value = n->FindAttr("value");
  n->SetInput(1, Int64Input(ctx, n, "pads", pads));
  if (value && value->f != 0.0f)
    n->SetInput(2, ScalarInput(ctx, n, "value", FloatTypeOf(n->input(0)), value->f));
  n->RemoveAttr("pads");
  n->RemoveAttr("value");
  return Status::Ok();
}

Status DropoutRatio(RuleContext& ctx, ir::Node*& n) {
  if (ctx.from < 10 && OutputUsed(n, 1))
    return Fail(n, "the mask output changes type (to bool) at opset 10 and is used");
  if (!ctx.apply) return Status::Ok();
  const float ratio = n->GetFloat("ratio", 0.5f);
  n->RemoveAttr("ratio");
  n->SetInput(1, ScalarInput(ctx, n, "ratio", DataType::kFloat32, ratio));
  return Status::Ok();
}

// Upsample 7-9 / Resize 10 -> Resize 11+ (or Resize 10 when that is the target).
Status LegacyResize(RuleContext& ctx, ir::Node*& n) {
  const std::string mode = n->GetString("mode", "nearest");
  if (mode != "nearest" && mode != "linear") return Fail(n, "unknown mode '" + mode + "'");
  ir::Value* scales_v = n->input(1);
  std::vector<double> scales;
  if (!scales_v) {
    for (float f : n->GetFloats("scales")) scales.push_back(f);
  } else if (const Tensor* t = ConstantOf(scales_v)) {
    scales = ToDoubles(*t);
  }
  if (!scales_v && scales.empty()) return Fail(n, "no scales");
  bool up = false, down = false;
  for (double s : scales) (s > 1 ? up : down) |= s != 1;
  if (mode == "nearest" && (up && down))
    return Fail(n, "nearest mode that both up- and downscales has no Resize-11 equivalent");
  if (mode == "nearest" && scales.empty())
    return Fail(n, "nearest mode with non-constant scales has no exact Resize-11 equivalent");
  if (!ctx.apply) return Status::Ok();
  if (!scales_v) {
    std::vector<float> f(scales.begin(), scales.end());
    scales_v = AddConstant(*ctx.graph, Hint(n, "scales"),
                           Tensor::FromVector<float>({static_cast<int64_t>(f.size())}, f));
  }
  std::vector<ir::Attribute> attrs = {ir::MakeAttr("mode", mode)};
  std::vector<ir::Value*> inputs = {n->input(0), scales_v};
  if (ctx.to >= 11) {
    attrs.push_back(ir::MakeAttr("coordinate_transformation_mode", "asymmetric"));
    if (mode == "nearest") attrs.push_back(ir::MakeAttr("nearest_mode", down ? "ceil" : "floor"));
    ir::Value* roi =
        ctx.to >= 13 ? nullptr
                     : AddConstant(*ctx.graph, Hint(n, "roi"), Tensor::FromVector<float>({0}, {}));
    inputs = {n->input(0), roi, scales_v};
  }
  n = Replace(ctx, n, "Resize", inputs, std::move(attrs), 1);
  return Status::Ok();
}

Status ResizeV13(RuleContext& /*ctx*/, ir::Node*& n) {
  if (n->GetString("coordinate_transformation_mode", "") == "tf_half_pixel_for_nn")
    return Fail(n, "coordinate_transformation_mode tf_half_pixel_for_nn was removed at opset 13");
  return Status::Ok();
}

// Before 13: input coerced to 2-D [prod(d[0:axis]), prod(d[axis:])], op on dim 1; default axis 1.
Status SoftmaxAxis(RuleContext& ctx, ir::Node*& n) {
  if (!ctx.apply) return Status::Ok();
  const int64_t axis = n->GetInt("axis", 1);
  int64_t rank = -1;
  if (auto it = ctx.ranks->find(n->input(0)); it != ctx.ranks->end()) rank = it->second;
  if (axis == -1 || (rank >= 1 && axis == rank - 1)) {
    n->SetAttr(ir::MakeAttr("axis", int64_t{-1}));
    return Status::Ok();
  }
  ir::Graph& g = *ctx.graph;
  const std::string base = n->name().empty() ? n->op_type() : n->name();
  ir::Value* x = n->input(0);
  ir::Value* shape =
      g.AddNode("Shape", {x}, {g.UniqueName(base + "_shape")}, {}, g.UniqueName(base + "_shape"))
          ->output(0);
  ir::Value* flat = g.AddNode("Flatten", {x}, {g.UniqueName(base + "_2d")},
                              {ir::MakeAttr("axis", axis)}, g.UniqueName(base + "_flatten"))
                        ->output(0);
  ir::Node* op = g.AddNode(n->op_type(), {flat}, {g.UniqueName(base + "_2d_out")},
                           {ir::MakeAttr("axis", int64_t{-1})}, "", n->domain());
  n = Replace(ctx, n, "Reshape", {op->output(0), shape}, {}, 1);
  op->set_name(n->name());
  n->set_name(g.UniqueName(base + "_reshape"));
  return Status::Ok();
}

Status BatchNormSpatial(RuleContext& ctx, ir::Node*& n) {
  if (n->GetInt("spatial", 1) != 1) return Fail(n, "spatial=0 has no opset-9 equivalent");
  if (ctx.apply) n->RemoveAttr("spatial");
  return Status::Ok();
}

Status BatchNormOutputs(RuleContext& ctx, ir::Node*& n) {
  for (int i = 1; i < static_cast<int>(n->outputs().size()); ++i)
    if (OutputUsed(n, i)) return Fail(n, "training-mode outputs changed at opset 14 and are used");
  if (!ctx.apply || n->outputs().size() <= 1) return Status::Ok();
  n = Replace(ctx, n, "BatchNormalization", n->inputs(), n->attributes(), 1);
  return Status::Ok();
}

Status ScatterToElements(RuleContext& ctx, ir::Node*& n) {
  if (ctx.apply) n = Replace(ctx, n, "ScatterElements", n->inputs(), n->attributes(), 1);
  return Status::Ok();
}

Status RoiAlignCoordinates(RuleContext& ctx, ir::Node*& n) {
  if (ctx.apply && !n->HasAttr("coordinate_transformation_mode"))
    n->SetAttr(ir::MakeAttr("coordinate_transformation_mode", "output_half_pixel"));
  return Status::Ok();
}

Status GridSampleModes(RuleContext& ctx, ir::Node*& n) {
  if (!ctx.apply) return Status::Ok();
  const std::string mode = n->GetString("mode", "bilinear");
  n->SetAttr(ir::MakeAttr("mode", mode == "bilinear"  ? std::string("linear")
                                  : mode == "bicubic" ? std::string("cubic")
                                                      : mode));
  return Status::Ok();
}

}  // namespace

const std::vector<OpChange>& OpChanges() {
  static const std::vector<OpChange> changes = {
      {"BatchNormalization", 9, BatchNormSpatial},
      {"BatchNormalization", 14, BatchNormOutputs},
      {"Clip", 11, ClipToInputs},
      {"DFT", 20, nullptr},
      {"Dropout", 12, DropoutRatio},
      {"GridSample", 20, GridSampleModes},
      {"GroupNormalization", 21, nullptr},
      {"Hardmax", 13, SoftmaxAxis},
      {"LogSoftmax", 13, SoftmaxAxis},
      {"Pad", 11, PadToInputs},
      {"ReduceL1", 18, AxesToInput},
      {"ReduceL2", 18, AxesToInput},
      {"ReduceLogSum", 18, AxesToInput},
      {"ReduceLogSumExp", 18, AxesToInput},
      {"ReduceMax", 18, AxesToInput},
      {"ReduceMean", 18, AxesToInput},
      {"ReduceMin", 18, AxesToInput},
      {"ReduceProd", 18, AxesToInput},
      {"ReduceSum", 13, AxesToInput},
      {"ReduceSumSquare", 18, AxesToInput},
      {"Resize", 11, LegacyResize},
      {"Resize", 13, ResizeV13},
      {"RoiAlign", 16, RoiAlignCoordinates},
      {"Scan", 9, nullptr},
      {"Scatter", 11, ScatterToElements},
      {"Slice", 10, SliceToInputs},
      {"Softmax", 13, SoftmaxAxis},
      {"Split", 13, SplitToInput},
      {"Split", 18, SplitNumOutputs},
      {"Squeeze", 13, AxesToInput},
      {"TopK", 10, TopKToInput},
      {"Unsqueeze", 13, AxesToInput},
      {"Upsample", 10, LegacyResize},
      // Experimental ops removed at opset 10.
      {"Affine", 10, nullptr},
      {"ConstantFill", 10, nullptr},
      {"Crop", 10, nullptr},
      {"DynamicSlice", 10, nullptr},
      {"GivenTensorFill", 10, nullptr},
      {"ImageScaler", 10, nullptr},
      {"ParametricSoftplus", 10, nullptr},
      {"Scale", 10, nullptr},
      {"ScaledTanh", 10, nullptr},
  };
  return changes;
}

}  // namespace shrink::passes::upgrade
