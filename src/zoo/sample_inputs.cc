// Sample-input fills of the catalog: text form and tensor generation.
#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "zoo/catalog.h"

namespace shrink::zoo {
namespace {

std::string Num(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

bool ParseNum(const std::string& s, double* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto r = std::from_chars(s.data(), end, *out);
  return r.ec == std::errc() && r.ptr == end && std::isfinite(*out);
}

// Splits "a,b" into two numbers (or one when `two` is false).
bool ParseArgs(const std::string& body, bool two, double* a, double* b) {
  const size_t comma = body.find(',');
  if (!two) return comma == std::string::npos && ParseNum(body, a);
  if (comma == std::string::npos) return false;
  return ParseNum(body.substr(0, comma), a) && ParseNum(body.substr(comma + 1), b);
}

bool StartsEnds(const std::string& s, const std::string& head, const std::string& tail,
                std::string* body) {
  if (s.size() < head.size() + tail.size() || s.compare(0, head.size(), head) != 0 ||
      s.compare(s.size() - tail.size(), tail.size(), tail) != 0)
    return false;
  *body = s.substr(head.size(), s.size() - head.size() - tail.size());
  return true;
}

double Unit(std::mt19937_64& rng) {  // [0, 1) with 53 random bits
  return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace

std::string SampleFillToString(const SampleFill& f) {
  switch (f.kind) {
    case SampleFill::Kind::kUniform:
      return "uniform(" + Num(f.a) + "," + Num(f.b) + ")";
    case SampleFill::Kind::kNormal:
      return "normal(" + Num(f.a) + "," + Num(f.b) + ")";
    case SampleFill::Kind::kIntRange:
      return "int[" + Num(f.a) + "," + Num(f.b) + ")";
    case SampleFill::Kind::kConstant:
      return "const(" + Num(f.a) + ")";
  }
  return "?";
}

Expected<SampleFill> ParseSampleFill(const std::string& s) {
  std::string body;
  double a = 0, b = 0;
  if (StartsEnds(s, "uniform(", ")", &body) && ParseArgs(body, true, &a, &b) && a < b)
    return SampleFill::Uniform(a, b);
  if (StartsEnds(s, "normal(", ")", &body) && ParseArgs(body, true, &a, &b) && b >= 0)
    return SampleFill::Normal(a, b);
  if (StartsEnds(s, "int[", ")", &body) && ParseArgs(body, true, &a, &b) && a < b &&
      a == std::floor(a) && b == std::floor(b))
    return SampleFill{SampleFill::Kind::kIntRange, a, b};
  if (StartsEnds(s, "const(", ")", &body) && ParseArgs(body, false, &a, &b))
    return SampleFill::Constant(a);
  return InvalidArgument("bad sample fill '" + s +
                         "' (want uniform(lo,hi), normal(mean,std), int[lo,hi) or const(v))");
}

std::string SampleInputToString(const SampleInput& s) {
  return s.name + " " + DataTypeName(s.dtype) + ShapeToString(s.shape) + " " +
         SampleFillToString(s.fill);
}

Expected<std::vector<std::pair<std::string, Tensor>>> MakeSampleInputs(
    const std::vector<SampleInput>& inputs, uint64_t seed) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (size_t idx = 0; idx < inputs.size(); ++idx) {
    const SampleInput& in = inputs[idx];
    const SampleFill& f = in.fill;
    if ((f.kind == SampleFill::Kind::kUniform || f.kind == SampleFill::Kind::kIntRange) &&
        !(f.a < f.b))
      return InvalidArgument("sample input '" + in.name + "': empty range " +
                             SampleFillToString(f));
    if (in.dtype == DataType::kString || in.dtype == DataType::kUndefined)
      return InvalidArgument("sample input '" + in.name + "': unsupported dtype");
    Expected<Tensor> created = Tensor::Create(in.dtype, in.shape);
    if (!created.ok()) return created.status().WithContext("sample input '" + in.name + "'");
    Tensor t = std::move(created).value();
    // One generator per input, so adding an input does not change the others.
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + idx + 1);
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i) {
      double v = f.a;
      switch (f.kind) {
        case SampleFill::Kind::kUniform:
          v = f.a + (f.b - f.a) * Unit(rng);
          break;
        case SampleFill::Kind::kNormal: {  // Box-Muller
          const double u1 = 1.0 - Unit(rng), u2 = Unit(rng);
          v = f.a + f.b * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
          break;
        }
        case SampleFill::Kind::kIntRange: {
          const auto span = static_cast<uint64_t>(f.b - f.a);
          v = f.a + static_cast<double>(rng() % span);
          break;
        }
        case SampleFill::Kind::kConstant:
          break;
      }
      t.SetFromDouble(i, v);
    }
    out.emplace_back(in.name, std::move(t));
  }
  return out;
}

}  // namespace shrink::zoo
