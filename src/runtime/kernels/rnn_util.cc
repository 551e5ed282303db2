#include "runtime/kernels/rnn_util.h"

#include <algorithm>
#include <cctype>

#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct ActInfo {
  const char* name;
  RnnActivation::Kind kind;
  bool has_alpha, has_beta;
  double alpha, beta;  // defaults
};

constexpr ActInfo kActs[] = {
    {"sigmoid", RnnActivation::Kind::kSigmoid, false, false, 0, 0},
    {"tanh", RnnActivation::Kind::kTanh, false, false, 0, 0},
    {"relu", RnnActivation::Kind::kRelu, false, false, 0, 0},
    {"hardsigmoid", RnnActivation::Kind::kHardSigmoid, true, true, 0.2, 0.5},
    {"leakyrelu", RnnActivation::Kind::kLeakyRelu, true, false, 0.01, 0},
    {"thresholdedrelu", RnnActivation::Kind::kThresholdedRelu, true, false, 1.0, 0},
    {"scaledtanh", RnnActivation::Kind::kScaledTanh, true, true, 1.0, 1.0},
    {"affine", RnnActivation::Kind::kAffine, true, true, 1.0, 0.0},
    {"elu", RnnActivation::Kind::kElu, true, false, 1.0, 0},
    {"softsign", RnnActivation::Kind::kSoftsign, false, false, 0, 0},
    {"softplus", RnnActivation::Kind::kSoftplus, false, false, 0, 0},
};

std::vector<RnnActivation> ParseActivations(const KernelContext& ctx, int64_t dirs,
                                            const std::vector<std::string>& defaults) {
  std::vector<std::string> names;
  if (const ir::Attribute* a = ctx.node().FindAttr("activations")) {
    if (a->kind != ir::AttrKind::kStrings) ctx.Fail("activations must be a list of strings");
    names = a->strings;
    if (names.size() == defaults.size() && dirs == 2)  // one set given for both directions
      names.insert(names.end(), a->strings.begin(), a->strings.end());
  } else {
    for (int64_t d = 0; d < dirs; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  }
  if (names.size() != defaults.size() * static_cast<size_t>(dirs))
    ctx.Fail("activations has " + std::to_string(names.size()) + " entries, expected " +
             std::to_string(defaults.size() * static_cast<size_t>(dirs)));
  const std::vector<float> alphas = ctx.attr_floats("activation_alpha");
  const std::vector<float> betas = ctx.attr_floats("activation_beta");
  size_t ai = 0, bi = 0;
  std::vector<RnnActivation> acts;
  for (const std::string& name : names) {
    const std::string lname = Lower(name);
    const auto* info = std::find_if(std::begin(kActs), std::end(kActs),
                                    [&](const ActInfo& i) { return lname == i.name; });
    if (info == std::end(kActs)) ctx.Unsupported("activation '" + name + "'");
    RnnActivation act;
    act.kind = info->kind;
    act.alpha = info->alpha;
    act.beta = info->beta;
    if (info->has_alpha && ai < alphas.size()) act.alpha = alphas[ai++];
    if (info->has_beta && bi < betas.size()) act.beta = betas[bi++];
    acts.push_back(act);
  }
  return acts;
}

}  // namespace

RnnSetup ReadRnnSetup(const KernelContext& ctx, int gates,
                      const std::vector<std::string>& defaults) {
  RnnSetup s;
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Tensor& r = ctx.in(2);
  if (w.dtype() != x.dtype() || r.dtype() != x.dtype()) ctx.Fail("X, W and R must share a dtype");
  s.batch_major = ctx.opset() >= 14 && ctx.attr_int("layout", 0) == 1;
  const std::string direction = ctx.attr_string("direction", "forward");
  if (direction == "bidirectional") {
    s.dirs = 2;
  } else if (direction == "reverse") {
    s.reverse = true;
  } else if (direction != "forward") {
    ctx.Fail("unknown direction '" + direction + "'");
  }
  if (x.rank() != 3) ctx.Fail("X must be 3-D, got " + ShapeToString(x.shape()));
  s.seq = s.batch_major ? x.dim(1) : x.dim(0);
  s.batch = s.batch_major ? x.dim(0) : x.dim(1);
  s.input = x.dim(2);
  if (w.rank() != 3 || w.dim(0) != s.dirs || w.dim(1) % gates != 0 || w.dim(2) != s.input)
    ctx.Fail("W has shape " + ShapeToString(w.shape()) + ", expected [" + std::to_string(s.dirs) +
             ", " + std::to_string(gates) + " * hidden_size, " + std::to_string(s.input) + "]");
  s.hidden = ctx.attr_int("hidden_size", w.dim(1) / gates);
  if (w.dim(1) != gates * s.hidden) ctx.Fail("W.shape[1] != gates * hidden_size");
  if (r.shape() != Shape{s.dirs, gates * s.hidden, s.hidden})
    ctx.Fail("R has shape " + ShapeToString(r.shape()) + ", expected " +
             ShapeToString({s.dirs, gates * s.hidden, s.hidden}));
  s.clip = ctx.has_attr("clip") ? ctx.attr_float("clip", 0.0f) : 0.0;
  if (ctx.has_attr("clip") && !(s.clip > 0)) ctx.Fail("clip must be positive");
  s.lens.assign(static_cast<size_t>(s.batch), s.seq);
  if (const Tensor* sl = ctx.input(4)) {
    s.lens = ReadInts(ctx, *sl);
    if (static_cast<int64_t>(s.lens.size()) != s.batch)
      ctx.Fail("sequence_lens must have " + std::to_string(s.batch) + " entries");
    for (int64_t l : s.lens)
      if (l < 0 || l > s.seq)
        ctx.Fail("sequence_lens value " + std::to_string(l) + " out of range");
  }
  s.acts = ParseActivations(ctx, s.dirs, defaults);
  return s;
}

}  // namespace shrink::runtime
