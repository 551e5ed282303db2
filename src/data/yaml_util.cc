#include "data/yaml_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/status.h"

namespace shrink::data {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Optimal string alignment distance (a swap of two neighbours counts as one edit), ignoring case.
size_t EditDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = lower(a[i - 1]) == lower(b[j - 1]);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string HintFor(std::string_view word, const std::vector<std::string>& allowed) {
  auto best = ClosestMatch(word, allowed);
  return best ? " (did you mean '" + *best + "'?)" : "";
}

}  // namespace

std::string FormatYamlError(const std::string& file, const YAML::Mark& mark,
                            const std::string& path, const std::string& problem) {
  const int line = mark.is_null() ? 1 : mark.line + 1;
  const int col = mark.is_null() ? 1 : mark.column + 1;
  std::string out = file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
  if (!path.empty()) out += "field '" + path + "': ";
  return out + problem;
}

std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_d = SIZE_MAX;
  for (const auto& c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  // A plausible typo: at most a third of the longer word, and at least one edit allowed.
  const size_t limit = best ? std::max<size_t>(1, std::max(word.size(), best->size()) / 3) : 0;
  if (!best || best_d > limit) return std::nullopt;
  return best;
}

// ---------------------------------------------------------------------------------- YamlValue

YamlValue::YamlValue(std::string file, YAML::Node node, std::string path, YAML::Mark mark)
    : file_(std::move(file)), node_(std::move(node)), path_(std::move(path)), mark_(mark) {
  // An empty value's own mark is where the parser saw the next token: keep the caller's (its key).
  if (node_.IsDefined() && !node_.IsNull() && !node_.Mark().is_null()) mark_ = node_.Mark();
}

int YamlValue::line() const { return mark_.is_null() ? 1 : mark_.line + 1; }
int YamlValue::column() const { return mark_.is_null() ? 1 : mark_.column + 1; }

void YamlValue::Fail(const std::string& problem, StatusCode code) const {
  Throw(code, FormatYamlError(file_, mark_, path_, problem));
}

std::string YamlValue::Describe() const {
  if (IsNull()) return "nothing";
  if (IsMap()) return "a mapping";
  if (IsSequence()) return "a list";
  std::string s = node_.Scalar();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return "'" + s + "'";
}

std::string YamlValue::Str() const {
  if (!IsScalar()) Fail("expected a string, got " + Describe());
  return node_.Scalar();
}

std::string YamlValue::NonEmptyStr() const {
  std::string s = Str();
  if (s.empty()) Fail("must not be empty");
  return s;
}

int64_t YamlValue::Int(int64_t min, int64_t max) const {
  if (!IsScalar()) Fail("expected an integer, got " + Describe());
  const std::string& s = node_.Scalar();
  int64_t v = 0;
  const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) Fail("integer " + s + " is out of range");
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty())
    Fail("expected an integer, got " + Describe());
  if (v < min || v > max)
    Fail("value " + s + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) +
         "]");
  return v;
}

double YamlValue::Double(double min, double max) const {
  if (!IsScalar()) Fail("expected a number, got " + Describe());
  const std::string& s = node_.Scalar();
  double v = 0;
  const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty() || !std::isfinite(v))
    Fail("expected a number, got " + Describe());
  if (v < min || v > max) {
    std::ostringstream os;
    os << "value " << s << " is out of range [" << min << ", " << max << "]";
    Fail(os.str());
  }
  return v;
}

bool YamlValue::Bool() const {
  if (IsScalar()) {
    std::string s = node_.Scalar();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  Fail("expected true or false, got " + Describe());
}

std::string YamlValue::Enum(std::initializer_list<std::string_view> allowed) const {
  return Enum(std::vector<std::string>(allowed.begin(), allowed.end()));
}

std::string YamlValue::Enum(const std::vector<std::string>& allowed) const {
  if (!IsScalar()) Fail("expected one of " + Join(allowed) + ", got " + Describe());
  const std::string& s = node_.Scalar();
  if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return s;
  Fail("'" + s + "' is not one of " + Join(allowed) + HintFor(s, allowed));
}

std::vector<YamlValue> YamlValue::Items() const {
  if (!IsSequence()) Fail("expected a list, got " + Describe());
  std::vector<YamlValue> out;
  for (size_t i = 0; i < node_.size(); ++i)
    out.emplace_back(file_, node_[i], path_ + "[" + std::to_string(i) + "]", mark_);
  return out;
}

std::vector<std::string> YamlValue::StrList() const {
  std::vector<std::string> out;
  for (const auto& item : Items()) out.push_back(item.Str());
  return out;
}

YamlMap YamlValue::Map() const { return YamlMap(*this); }

// ------------------------------------------------------------------------------------ YamlMap

YamlMap::YamlMap(YamlValue self) : self_(std::move(self)) {
  if (!self_.IsMap()) self_.Fail("expected a mapping, got " + self_.Describe());
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : self_.node()) {
    const YamlValue key(self_.file(), kv.first, self_.path(), self_.node().Mark());
    if (!kv.first.IsScalar()) key.Fail("a key must be a plain name, got " + key.Describe());
    if (!seen.insert(kv.first.Scalar()).second)
      YamlValue(self_.file(), kv.first, ChildPath(self_.path(), kv.first.Scalar()), {})
          .Fail("duplicate key");
  }
}

bool YamlMap::Has(std::string_view key) const {
  for (const auto& kv : self_.node())
    if (kv.first.Scalar() == key) return true;
  return false;
}

YamlValue YamlMap::Child(std::string_view key) const {
  for (const auto& kv : self_.node())
    if (kv.first.Scalar() == key) {
      // A null value has no useful mark of its own: point at its key instead.
      return YamlValue(self_.file(), kv.second, ChildPath(self_.path(), key), kv.first.Mark());
    }
  return YamlValue(self_.file(), YAML::Node(YAML::NodeType::Undefined),
                   ChildPath(self_.path(), key), self_.node().Mark());
}

std::optional<YamlValue> YamlMap::Optional(std::string_view key) {
  known_.emplace(key);
  if (!Has(key)) return std::nullopt;
  return Child(key);
}

YamlValue YamlMap::Required(std::string_view key) {
  known_.emplace(key);
  if (!Has(key))
    YamlValue(self_.file(), self_.node(), ChildPath(self_.path(), key), {})
        .Fail("required field is missing");
  return Child(key);
}

void YamlMap::Allow(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) known_.emplace(k);
}

std::vector<std::string> YamlMap::Keys() const {
  std::vector<std::string> out;
  for (const auto& kv : self_.node()) out.push_back(kv.first.Scalar());
  return out;
}

void YamlMap::Finish() const {
  const std::vector<std::string> known(known_.begin(), known_.end());
  for (const auto& kv : self_.node()) {
    const std::string& k = kv.first.Scalar();
    if (known_.count(k)) continue;
    YamlValue(self_.file(), kv.first, ChildPath(self_.path(), k), {})
        .Fail("unknown field" + HintFor(k, known) + "; allowed here: " + Join(known));
  }
}

// ------------------------------------------------------------------------------------ parsing

YamlValue ParseYaml(const std::string& text, const std::string& file) {
  try {
    return YamlValue(file, YAML::Load(text), "", YAML::Mark::null_mark());
  } catch (const YAML::Exception& e) {
    Throw(StatusCode::kInvalidArgument,
          FormatYamlError(file, e.mark, "", "malformed YAML: " + e.msg));
  }
}

YamlValue LoadYamlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) Throw(StatusCode::kNotFound, path + ": no such file");
    Throw(StatusCode::kIOError, path + ": cannot be read");
  }
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) Throw(StatusCode::kIOError, path + ": read failed");
  return ParseYaml(os.str(), path);
}

}  // namespace shrink::data
