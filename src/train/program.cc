// train::Program: graph -> torch interpretation, parameter handling, write-back.
#include "train/program.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "train/torch_program.h"

namespace shrink::train {

torch::ScalarType TorchType(DataType dt) {
  switch (dt) {
    case DataType::kFloat32:
      return torch::kFloat32;
    case DataType::kFloat64:
      return torch::kFloat64;
    case DataType::kFloat16:
      return torch::kFloat16;
    case DataType::kBFloat16:
      return torch::kBFloat16;
    case DataType::kInt64:
      return torch::kInt64;
    case DataType::kInt32:
      return torch::kInt32;
    case DataType::kInt16:
      return torch::kInt16;
    case DataType::kInt8:
      return torch::kInt8;
    case DataType::kUInt8:
      return torch::kUInt8;
    case DataType::kBool:
      return torch::kBool;
    default:
      Throw(StatusCode::kUnimplemented,
            std::string("dtype ") + DataTypeName(dt) + " is not supported by the trainer");
  }
}

DataType ShrinkType(torch::ScalarType st) {
  switch (st) {
    case torch::kFloat32:
      return DataType::kFloat32;
    case torch::kFloat64:
      return DataType::kFloat64;
    case torch::kFloat16:
      return DataType::kFloat16;
    case torch::kBFloat16:
      return DataType::kBFloat16;
    case torch::kInt64:
      return DataType::kInt64;
    case torch::kInt32:
      return DataType::kInt32;
    case torch::kInt16:
      return DataType::kInt16;
    case torch::kInt8:
      return DataType::kInt8;
    case torch::kUInt8:
      return DataType::kUInt8;
    case torch::kBool:
      return DataType::kBool;
    default:
      Throw(StatusCode::kUnimplemented,
            std::string("torch dtype ") + c10::toString(st) + " has no shrink dtype");
  }
}

torch::Tensor ToTorch(const Tensor& t) {
  const auto st = TorchType(t.dtype());
  auto out = torch::empty(t.shape(), torch::TensorOptions().dtype(st));
  if (t.nbytes() > 0) std::memcpy(out.data_ptr(), t.raw(), t.nbytes());
  return out;
}

Tensor FromTorch(const torch::Tensor& t) {
  auto c = t.detach().contiguous();
  Tensor out(ShrinkType(c.scalar_type()), Shape(c.sizes().begin(), c.sizes().end()));
  if (out.nbytes() > 0) std::memcpy(out.raw(), c.data_ptr(), out.nbytes());
  return out;
}

const torch::Tensor& OpContext::x(size_t i) const {
  if (!has(i)) Throw(StatusCode::kInvalidArgument, "input " + std::to_string(i) + " is required");
  return in[i];
}

std::vector<int64_t> OpContext::ints(size_t i) const {
  auto t = x(i).to(torch::kInt64).contiguous().reshape({-1});
  const int64_t* p = t.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + t.numel());
}

int64_t OpContext::axis(int64_t a, int64_t rank) const {
  const int64_t r = a < 0 ? a + rank : a;
  if (r < 0 || r >= std::max<int64_t>(rank, 1))
    Throw(StatusCode::kInvalidArgument,
          "axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
  return r;
}

const OpTable& Ops() {
  static const OpTable table = [] {
    OpTable t;
    AddMathOps(t);
    AddNnOps(t);
    AddShapeOps(t);
    return t;
  }();
  return table;
}

bool IsConfigInput(const std::string& op, int index) {
  static const std::map<std::string, std::set<int>> kConfig = {
      {"Reshape", {1}},    {"Slice", {1, 2, 3, 4}},
      {"Squeeze", {1}},    {"Unsqueeze", {1}},
      {"Split", {1}},      {"ReduceMean", {1}},
      {"Clip", {1, 2}},    {"Pow", {1}},
      {"Dropout", {1, 2}}, {"Expand", {1}},
      {"Gather", {1}},     {"BatchNormalization", {3, 4}},
  };
  auto it = kConfig.find(op);
  return it != kConfig.end() && it->second.count(index) > 0;
}

std::vector<std::string> TrainableOps() {
  std::vector<std::string> names;
  for (const auto& [k, v] : Ops()) names.push_back(k);
  return names;
}

std::unordered_map<std::string, torch::Tensor> ProgramImpl::FeedsFrom(
    const NamedTensors& feeds) const {
  std::unordered_map<std::string, torch::Tensor> out;
  for (const auto& [name, t] : feeds) out[name] = ToTorch(t);
  return out;
}

std::vector<torch::Tensor> ProgramImpl::Run(
    const std::unordered_map<std::string, torch::Tensor>& feeds, bool training) {
  const ir::Graph& g = *model->graph;
  std::unordered_map<std::string, torch::Tensor> env = values;
  for (const ir::Value* in : g.inputs()) {
    auto it = feeds.find(in->name());
    if (it == feeds.end()) {
      if (env.count(in->name())) continue;
      Throw(StatusCode::kInvalidArgument, "graph input '" + in->name() + "' was not fed");
    }
    env[in->name()] = it->second;
  }
  for (const auto& [name, t] : feeds)
    if (!env.count(name)) env[name] = t;  // initializer overrides are allowed too
  const OpTable& ops = Ops();
  for (const auto& node : g.nodes()) {
    OpContext ctx{*node, opset, training, {}, {}};
    for (const ir::Value* v : node->inputs()) {
      if (v == nullptr) {
        ctx.in.emplace_back();
        continue;
      }
      auto it = env.find(v->name());
      if (it == env.end())
        Throw(StatusCode::kInternal, node->Describe() + ": value '" + v->name() + "' not computed");
      ctx.in.push_back(it->second);
    }
    ctx.out.resize(node->outputs().size());
    try {
      ops.at(node->op_type())(ctx);
    } catch (const Error& e) {
      Throw(e.code(), node->Describe() + ": " + e.what());
    } catch (const c10::Error& e) {
      Throw(StatusCode::kInvalidArgument, node->Describe() + ": " + e.what_without_backtrace());
    }
    for (size_t i = 0; i < node->outputs().size(); ++i) {
      const ir::Value* o = node->outputs()[i];
      if (o == nullptr) continue;
      if (!ctx.out[i].defined())
        Throw(StatusCode::kUnimplemented,
              node->Describe() + ": output " + std::to_string(i) + " is not supported in training");
      env[o->name()] = ctx.out[i];
    }
  }
  std::vector<torch::Tensor> outs;
  for (const ir::Value* o : g.outputs()) outs.push_back(env.at(o->name()));
  return outs;
}

Program::~Program() = default;

Expected<std::unique_ptr<Program>> Program::Create(const ir::Model& model,
                                                   const ProgramOptions& options) {
  try {
    const ir::Graph& g = *model.graph;
    const int64_t opset = model.OpsetFor("");
    const OpTable& ops = Ops();
    for (const auto& node : g.nodes()) {
      if (!node->domain().empty() && node->domain() != "ai.onnx")
        return Unimplemented(node->Describe() + " (domain " + node->domain() +
                             "): not trainable yet");
      if (!ops.count(node->op_type()) || !node->Subgraphs().empty())
        return Unimplemented(node->Describe() + " (opset " + std::to_string(opset) + "): op " +
                             node->op_type() + " is not trainable yet");
    }
    auto p = std::unique_ptr<Program>(new Program());
    p->impl_ = std::make_unique<ProgramImpl>();
    ProgramImpl& impl = *p->impl_;
    impl.model = &model;
    impl.opset = opset;
    const std::set<std::string> frozen(options.frozen.begin(), options.frozen.end());
    for (const ir::Value* v : g.initializers()) {
      if (!v->data().defined())
        return InvalidArgument("initializer '" + v->name() + "' has no data");
      torch::Tensor t = ToTorch(v->data());
      bool buffer = false, config = false;
      for (const ir::Use& u : v->uses()) {
        if (u.node->op_type() == "BatchNormalization" && u.index >= 3)
          buffer = true;
        else if (IsConfigInput(u.node->op_type(), u.index))
          config = true;
      }
      if (v->data().dtype() == DataType::kFloat32 && buffer) {
        impl.buffer_names.push_back(v->name());
        impl.buffers.push_back(t);
      } else if (v->data().dtype() == DataType::kFloat32 && !config && v->data().rank() > 0 &&
                 !frozen.count(v->name()) && !v->uses().empty()) {
        t.set_requires_grad(true);
        impl.param_names.push_back(v->name());
        impl.params.push_back(t);
      }
      impl.values[v->name()] = t;
    }
    return p;
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const c10::Error& e) {
    return Internal(std::string("torch: ") + e.what_without_backtrace());
  }
}

Expected<std::vector<Tensor>> Program::Forward(const NamedTensors& feeds, bool training) {
  try {
    torch::NoGradGuard no_grad;
    auto outs = impl_->Run(impl_->FeedsFrom(feeds), training);
    std::vector<Tensor> result;
    for (const auto& o : outs) result.push_back(FromTorch(o));
    return result;
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const c10::Error& e) {
    return InvalidArgument(std::string("torch: ") + e.what_without_backtrace());
  }
}

Status Program::WriteBack(ir::Model& model) const {
  try {
    ir::Graph& g = *model.graph;
    auto put = [&](const std::string& name, const torch::Tensor& t) -> Status {
      ir::Value* v = g.FindValue(name);
      if (v == nullptr || !v->is_initializer())
        return NotFound("WriteBack: initializer '" + name + "' not in the model");
      Tensor data = FromTorch(t);
      if (data.dtype() != v->data().dtype() || data.shape() != v->data().shape())
        return InvalidArgument("WriteBack: '" + name + "' changed dtype or shape");
      v->set_data(std::move(data));
      return Status::Ok();
    };
    for (size_t i = 0; i < impl_->params.size(); ++i)
      SHRINK_RETURN_IF_ERROR(put(impl_->param_names[i], impl_->params[i]));
    for (size_t i = 0; i < impl_->buffers.size(); ++i)
      SHRINK_RETURN_IF_ERROR(put(impl_->buffer_names[i], impl_->buffers[i]));
    return Status::Ok();
  } catch (const Error& e) {
    return e.ToStatus();
  }
}

std::vector<std::string> Program::ParameterNames() const { return impl_->param_names; }
std::vector<std::string> Program::BufferNames() const { return impl_->buffer_names; }
int64_t Program::NumParameterElements() const {
  int64_t n = 0;
  for (const auto& p : impl_->params) n += p.numel();
  return n;
}

}  // namespace shrink::train
