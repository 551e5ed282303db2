#include "pipeline/stage_config.h"

#include <algorithm>

namespace shrink::pipeline {
namespace {

// A scalar -> {scalar}; a list -> its items (non-empty, no repeats).
template <typename T, typename ReadOne>
std::vector<T> Choices(const data::YamlValue& v, ReadOne read) {
  std::vector<T> out;
  if (!v.IsSequence()) return {read(v)};
  for (const data::YamlValue& item : v.Items()) {
    T x = read(item);
    if (std::find(out.begin(), out.end(), x) != out.end()) item.Fail("repeated value");
    out.push_back(x);
  }
  if (out.empty()) v.Fail("an empty list: give at least one value");
  return out;
}

}  // namespace

std::vector<std::string> EnumChoices(const data::YamlValue& v,
                                     std::initializer_list<std::string_view> allowed) {
  return Choices<std::string>(v, [&](const data::YamlValue& x) { return x.Enum(allowed); });
}
std::vector<bool> BoolChoices(const data::YamlValue& v) {
  return Choices<bool>(v, [](const data::YamlValue& x) { return x.Bool(); });
}
std::vector<int64_t> IntChoices(const data::YamlValue& v, int64_t min, int64_t max) {
  return Choices<int64_t>(v, [&](const data::YamlValue& x) { return x.Int(min, max); });
}
std::vector<double> DoubleChoices(const data::YamlValue& v, double min, double max) {
  return Choices<double>(v, [&](const data::YamlValue& x) { return x.Double(min, max); });
}

}  // namespace shrink::pipeline
