#include "eval/robustness.h"

#include <cmath>
#include <iomanip>
#include <memory>
#include <random>
#include <sstream>

#include "core/dtype.h"

namespace shrink::eval {
namespace {

struct KindName {
  PerturbationKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {{PerturbationKind::kNoise, "noise"},
                               {PerturbationKind::kBrightness, "brightness"},
                               {PerturbationKind::kContrast, "contrast"},
                               {PerturbationKind::kLength, "length"}};

bool IsIdentity(const Perturbation& p) {
  switch (p.kind) {
    case PerturbationKind::kNoise:
    case PerturbationKind::kBrightness:
      return p.amount == 0;
    case PerturbationKind::kContrast:
    case PerturbationKind::kLength:
      return p.amount == 1;
  }
  return true;
}

// Element access for any floating-point tensor (float32 directly).
double Get(const Tensor& t, int64_t i) {
  return t.dtype() == DataType::kFloat32 ? t.data<float>()[i] : t.GetAsDouble(i);
}
void Set(Tensor& t, int64_t i, double v) {
  if (t.dtype() == DataType::kFloat32) {
    t.data<float>()[i] = static_cast<float>(v);
  } else {
    t.SetFromDouble(i, v);
  }
}

double StdOf(const Tensor& t) {
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double v = Get(t, i);
    sum += v;
    sq += v * v;
  }
  const double n = static_cast<double>(std::max<int64_t>(t.numel(), 1));
  const double mean = sum / n;
  return std::sqrt(std::max(sq / n - mean * mean, 0.0));
}

// Returns whether `t` was changed (and replaced by a perturbed copy).
bool Perturb(const Perturbation& p, std::mt19937_64& rng, Tensor* t) {
  const bool is_float = IsFloat(t->dtype());
  const int64_t n = t->numel();
  const bool image = is_float && t->rank() == 4;
  switch (p.kind) {
    case PerturbationKind::kNoise: {
      if (!is_float || n == 0) return false;
      const double sigma = p.amount * StdOf(*t);
      Tensor out = t->Clone();
      std::normal_distribution<double> normal(0.0, 1.0);
      for (int64_t i = 0; i < n; ++i) Set(out, i, Get(out, i) + sigma * normal(rng));
      *t = std::move(out);
      return true;
    }
    case PerturbationKind::kBrightness: {
      if (!image || n == 0) return false;
      const double shift = p.amount * StdOf(*t);
      Tensor out = t->Clone();
      for (int64_t i = 0; i < n; ++i) Set(out, i, Get(out, i) + shift);
      *t = std::move(out);
      return true;
    }
    case PerturbationKind::kContrast: {
      if (!image || n == 0) return false;
      Tensor out = t->Clone();
      const int64_t per = n / t->dim(0);
      for (int64_t e = 0; e < t->dim(0); ++e) {
        double mean = 0;
        for (int64_t i = e * per; i < (e + 1) * per; ++i) mean += Get(out, i);
        mean /= static_cast<double>(std::max<int64_t>(per, 1));
        for (int64_t i = e * per; i < (e + 1) * per; ++i)
          Set(out, i, mean + p.amount * (Get(out, i) - mean));
      }
      *t = std::move(out);
      return true;
    }
    case PerturbationKind::kLength: {
      const bool tokens = IsInteger(t->dtype()) && t->rank() >= 2;
      if (!(tokens || (is_float && t->rank() >= 3)) || n == 0) return false;
      const int64_t len = t->dim(-1);
      const auto keep = static_cast<int64_t>(std::ceil(p.amount * static_cast<double>(len)));
      if (keep >= len) return false;
      Tensor out = t->Clone();
      for (int64_t row = 0; row < n / len; ++row) {
        const int64_t base = row * len;
        for (int64_t j = keep; j < len; ++j) {
          if (tokens) {
            out.SetFromDouble(base + j, 0);
          } else {
            Set(out, base + j, Get(*t, base + len - 1));
          }
        }
      }
      *t = std::move(out);
      return true;
    }
  }
  return false;
}

std::string Fixed(double v, int precision = 4) {
  if (std::isnan(v)) return "n/a";
  std::ostringstream os;
  os << std::fixed << std::setprecision(precision) << v;
  return os.str();
}

nlohmann::json HealthJson(const OutputHealth& h) {
  return {{"values", h.values}, {"nan", h.nan}, {"inf", h.inf}};
}

nlohmann::json Number(double v) {
  return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
}

}  // namespace

std::string Perturbation::Name() const {
  std::ostringstream os;
  for (const auto& k : kKinds)
    if (k.kind == kind) os << k.name;
  os << "=" << amount;
  return os.str();
}

Expected<std::vector<Perturbation>> ParsePerturbations(const std::string& text) {
  std::vector<Perturbation> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string name = item.substr(0, eq);
    const KindName* kind = nullptr;
    for (const auto& k : kKinds)
      if (name == k.name) kind = &k;
    if (!kind)
      return InvalidArgument("unknown perturbation '" + name +
                             "' (noise, brightness, contrast or length, as name=amount)");
    if (eq == std::string::npos)
      return InvalidArgument("perturbation '" + name + "' needs =amount");
    Perturbation p;
    p.kind = kind->kind;
    const std::string value = item.substr(eq + 1);
    size_t used = 0;
    try {
      p.amount = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size() || !std::isfinite(p.amount))
      return InvalidArgument("perturbation '" + name + "': '" + value + "' is not a number");
    if ((p.kind == PerturbationKind::kNoise || p.kind == PerturbationKind::kContrast) &&
        p.amount < 0)
      return InvalidArgument("perturbation '" + name + "' must be >= 0");
    if (p.kind == PerturbationKind::kLength && (p.amount <= 0 || p.amount > 1))
      return InvalidArgument("perturbation 'length' keeps a fraction in (0, 1]");
    out.push_back(p);
  }
  if (out.empty()) return InvalidArgument("no perturbation given");
  return out;
}

std::vector<Perturbation> DefaultPerturbations() {
  return {{PerturbationKind::kNoise, 0.1},
          {PerturbationKind::kNoise, 0.5},
          {PerturbationKind::kBrightness, 0.5},
          {PerturbationKind::kContrast, 0.5},
          {PerturbationKind::kLength, 0.5}};
}

int ApplyPerturbation(const Perturbation& p, uint64_t seed, NamedTensors* inputs) {
  if (IsIdentity(p)) return 0;
  std::mt19937_64 rng(seed);
  int changed = 0;
  for (auto& [name, tensor] : *inputs) changed += Perturb(p, rng, &tensor) ? 1 : 0;
  return changed;
}

void CountNonFinite(const NamedTensors& outputs, OutputHealth* health) {
  for (const auto& [name, t] : outputs) {
    if (!t.defined() || !IsFloat(t.dtype())) continue;
    health->values += t.numel();
    for (int64_t i = 0; i < t.numel(); ++i) {
      const double v = Get(t, i);
      if (std::isnan(v)) ++health->nan;
      if (std::isinf(v)) ++health->inf;
    }
  }
}

BatchRunner PerturbedRunner(const BatchRunner& run, const Perturbation* p, uint64_t seed,
                            OutputHealth* health, bool* applied) {
  auto batch_index = std::make_shared<uint64_t>(0);
  return [=](const NamedTensors& inputs) -> Expected<NamedTensors> {
    const uint64_t b = (*batch_index)++;
    Expected<NamedTensors> out = [&]() -> Expected<NamedTensors> {
      if (!p) return run(inputs);
      NamedTensors perturbed = inputs;
      if (ApplyPerturbation(*p, seed + b, &perturbed) > 0 && applied) *applied = true;
      return run(perturbed);
    }();
    if (out.ok() && health) CountNonFinite(*out, health);
    return out;
  };
}

nlohmann::json RobustnessReport::ToJson() const {
  nlohmann::json j;
  j["metric"] = clean.primary.name;
  j["clean"] = Number(clean.primary.value);
  j["clean_health"] = HealthJson(clean_health);
  j["checks"] = nlohmann::json::array();
  for (const auto& c : checks)
    j["checks"].push_back({{"name", c.perturbation.Name()},
                           {"metric", clean.primary.name},
                           {"value", Number(c.value)},
                           {"delta", Number(c.delta)},
                           {"applied", c.applied},
                           {"health", HealthJson(c.health)}});
  return j;
}

std::string RobustnessReport::ToTable() const {
  std::ostringstream os;
  os << std::left << std::setw(18) << "check" << std::right << std::setw(12) << clean.primary.name
     << std::setw(10) << "delta" << std::setw(10) << "nan" << std::setw(10) << "inf"
     << "\n";
  const auto row = [&](const std::string& name, double value, const std::string& delta,
                       const OutputHealth& h, const std::string& note) {
    os << std::left << std::setw(18) << name << std::right << std::setw(12) << Fixed(value)
       << std::setw(10) << delta << std::setw(10) << h.nan << std::setw(10) << h.inf << note
       << "\n";
  };
  row("clean", clean.primary.value, "-", clean_health, "");
  for (const auto& c : checks)
    row(c.perturbation.Name(), c.value, Fixed(c.delta), c.health,
        c.applied ? "" : "  (no input it applies to)");
  return os.str();
}

Expected<RobustnessReport> EvaluateRobustness(const data::TaskSpec& task, const BatchRunner& run,
                                              const EvalOptions& eval_options,
                                              const RobustnessOptions& options) {
  RobustnessReport report;
  SHRINK_ASSIGN_OR_RETURN(
      report.clean, Evaluate(task, PerturbedRunner(run, nullptr, 0, &report.clean_health, nullptr),
                             eval_options));
  EvalOptions perturbed_options = eval_options;
  perturbed_options.bootstrap_samples = 0;
  for (const Perturbation& p : options.perturbations) {
    RobustnessCheck check;
    check.perturbation = p;
    SHRINK_ASSIGN_OR_RETURN(
        EvalResult r,
        Evaluate(task, PerturbedRunner(run, &p, options.seed, &check.health, &check.applied),
                 perturbed_options));
    check.value = r.primary.value;
    check.delta = check.value - report.clean.primary.value;
    report.checks.push_back(std::move(check));
  }
  return report;
}

}  // namespace shrink::eval
