// A small typed, schema-checking reader over yaml-cpp for shrink's config files (tasks, policies).
//
// Contract: every problem is reported by throwing shrink::Error(kInvalidArgument) whose message is
//   "<file>:<line>:<col>: field '<dotted.path>': <problem>"
// with 1-based line/column taken from the yaml-cpp Mark of the offending node (for a missing field,
// the mapping that lacks it; for an unknown key, the key itself). Malformed YAML is reported at the
// parser's position as "<file>:<line>:<col>: malformed YAML: <problem>". Paths look like
// "datasets.calibration.format" and "cohorts[1].by".
//
// A YamlMap remembers which keys were read; Finish() rejects every key that was not, with a
// "did you mean" hint when a known key is close, so typos are never silently ignored. Duplicate
// keys are rejected when the mapping is opened. Callers are parsers inside a part: they let the
// Error propagate and convert it to a Status at the part boundary.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace shrink::data {

class YamlMap;

// One node of a parsed document together with where it came from.
class YamlValue {
 public:
  YamlValue(std::string file, YAML::Node node, std::string path, YAML::Mark mark);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  int line() const;    // 1-based
  int column() const;  // 1-based

  bool IsNull() const { return !node_.IsDefined() || node_.IsNull(); }
  bool IsScalar() const { return node_.IsScalar(); }
  bool IsSequence() const { return node_.IsSequence(); }
  bool IsMap() const { return node_.IsMap(); }

  // Typed reads; each throws (naming this value) when the node has another type or is out of range.
  std::string Str() const;  // any scalar, as written
  std::string NonEmptyStr() const;
  int64_t Int(int64_t min = INT64_MIN, int64_t max = INT64_MAX) const;
  double Double(double min = -1e308, double max = 1e308) const;
  bool Bool() const;  // true/false, yes/no, on/off
  // One of `allowed`; the error lists them and hints at the closest.
  std::string Enum(std::initializer_list<std::string_view> allowed) const;
  std::string Enum(const std::vector<std::string>& allowed) const;
  std::vector<YamlValue> Items() const;      // a sequence (paths "x[0]", "x[1]"...)
  std::vector<std::string> StrList() const;  // a sequence of scalars
  YamlMap Map() const;                       // a mapping (duplicate keys rejected)

  // Throws with this value's position and path (kInvalidArgument unless `code` says otherwise).
  [[noreturn]] void Fail(const std::string& problem,
                         StatusCode code = StatusCode::kInvalidArgument) const;
  // The same file and position with another path (e.g. a required key missing from this map).
  YamlValue At(const std::string& path) const { return YamlValue(file_, node_, path, mark_); }
  // A short description of the node's kind for messages: "a mapping", "a list", "'abc'"...
  std::string Describe() const;

 private:
  std::string file_;
  YAML::Node node_;
  std::string path_;
  YAML::Mark mark_;
};

// A mapping whose keys are consumed as they are read.
class YamlMap {
 public:
  explicit YamlMap(YamlValue self);

  const YamlValue& self() const { return self_; }
  bool Has(std::string_view key) const;
  // Marks `key` as known. Optional: nullopt when absent (an explicit null counts as present).
  std::optional<YamlValue> Optional(std::string_view key);
  YamlValue Required(std::string_view key);  // throws "required field is missing"
  // Marks keys as known without reading them (e.g. keys handled by another parser).
  void Allow(std::initializer_list<std::string_view> keys);
  // Throws for the first key (in document order) that was never read or allowed.
  void Finish() const;
  // Names of all keys present, in document order.
  std::vector<std::string> Keys() const;

 private:
  YamlValue Child(std::string_view key) const;
  YamlValue self_;
  std::set<std::string, std::less<>> known_;
};

// Parses `text` (named `file` in messages). Throws on malformed YAML. The root may be any node.
YamlValue ParseYaml(const std::string& text, const std::string& file);
// Reads and parses a file; a missing/unreadable file throws kNotFound/kIOError naming it.
YamlValue LoadYamlFile(const std::string& path);

// "<file>:<line>:<col>: field '<path>': <problem>" (mark null -> 1:1; empty path -> no field part).
std::string FormatYamlError(const std::string& file, const YAML::Mark& mark,
                            const std::string& path, const std::string& problem);
// The candidate closest to `word` by edit distance, if close enough to be a plausible typo.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace shrink::data
