// Dataset roles of a task file -> DatasetSpec (see task.h for the layout).
#include <algorithm>
#include <filesystem>
#include <map>

#include "data/task_internal.h"

namespace shrink::data::detail {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kGenericKeys = {"format", "name",  "input_name",
                                               "limit",  "split", "preprocess"};

// Keys each format accepts at the role level (the fields of its options struct in dataset.h).
const std::map<std::string, std::vector<std::string>>& FormatKeys() {
  static const std::map<std::string, std::vector<std::string>> keys = {
      {"idx", {"images", "labels"}},
      {"mnist_json", {"package_dir"}},
      {"csv", {"path", "header", "label_column", "label_is_class", "delimiter"}},
      {"npy", {"inputs", "labels"}},
      {"npz", {"path", "labels_key", "input_keys"}},
      {"image_folder", {"root", "channels"}},
      {"text", {"paths", "record_format", "seq_len", "charset"}},
      {"wav", {"dir", "transcription", "sample_rate"}},
      {"ocr_render",
       {"num_examples", "charset", "min_length", "max_length", "height", "fonts", "channels"}},
  };
  return keys;
}

std::vector<std::string> FormatNames() {
  std::vector<std::string> out;
  for (const auto& [name, keys] : FormatKeys()) out.push_back(name);
  return out;
}

std::vector<float> FloatList(const YamlValue& v) {
  std::vector<float> out;
  if (v.IsScalar()) return {static_cast<float>(v.Double())};
  for (const auto& item : v.Items()) out.push_back(static_cast<float>(item.Double()));
  if (out.empty()) v.Fail("expected a number or a non-empty list of numbers");
  return out;
}

void ParseSplit(const YamlValue& v, SplitSpec& split, bool& named) {
  static const std::initializer_list<std::string_view> kNames = {"all", "train", "calibration",
                                                                 "eval"};
  if (v.IsScalar()) {
    split.name = v.Enum(kNames);
    named = true;
    return;
  }
  YamlMap m = v.Map();
  m.Allow({"name", "train_fraction", "calibration_fraction", "seed"});
  m.Finish();
  if (auto n = m.Optional("name")) split.name = n->Enum(kNames), named = true;
  if (auto f = m.Optional("train_fraction")) split.train_fraction = f->Double(0, 1);
  if (auto f = m.Optional("calibration_fraction")) split.calibration_fraction = f->Double(0, 1);
  if (auto s = m.Optional("seed")) split.seed = static_cast<uint64_t>(s->Int(0));
  if (split.train_fraction + split.calibration_fraction > 1 + 1e-9)
    v.Fail("train_fraction + calibration_fraction must not exceed 1");
}

void ParsePreprocess(const YamlValue& v, PreprocessSpec& p) {
  YamlMap m = v.Map();
  m.Allow(
      {"scale", "mean", "std", "resize_h", "resize_w", "layout", "flatten", "pad_to", "pad_value"});
  m.Finish();
  if (auto x = m.Optional("scale")) p.scale = static_cast<float>(x->Double());
  if (auto x = m.Optional("mean")) p.mean = FloatList(*x);
  if (auto x = m.Optional("std")) {
    p.std = FloatList(*x);
    for (float s : p.std)
      if (!(s > 0)) x->Fail("every std value must be > 0");
  }
  if (auto x = m.Optional("resize_h")) p.resize_h = x->Int(0, 1 << 16);
  if (auto x = m.Optional("resize_w")) p.resize_w = x->Int(0, 1 << 16);
  if (auto x = m.Optional("layout")) p.layout = x->Enum({"NCHW", "NHWC"});
  if (auto x = m.Optional("flatten")) p.flatten = x->Bool();
  if (auto x = m.Optional("pad_to")) p.pad_to = x->Int(0, int64_t{1} << 32);
  if (auto x = m.Optional("pad_value")) p.pad_value = static_cast<float>(x->Double());
}

// Reads the generic keys and those of `format` from one mapping into `spec`.
void Apply(const YamlValue& v, const std::string& format, DatasetSpec& spec, bool& split_named,
           const std::string& base) {
  YamlMap m = v.Map();
  const auto& own = FormatKeys().at(format);
  for (const auto& key : m.Keys()) {
    if (std::count(kGenericKeys.begin(), kGenericKeys.end(), key) ||
        std::count(own.begin(), own.end(), key))
      continue;
    for (const auto& [other, keys] : FormatKeys())
      if (std::count(keys.begin(), keys.end(), key))
        m.Optional(key)->Fail("belongs to format '" + other + "', but the format here is '" +
                              format + "'");
  }
  for (const auto& key : kGenericKeys) m.Allow({key});
  for (const auto& key : own) m.Allow({key});
  m.Finish();

  if (auto x = m.Optional("name")) spec.name = x->Str();
  if (auto x = m.Optional("input_name")) spec.input_name = x->NonEmptyStr();
  if (auto x = m.Optional("limit")) spec.limit = x->Int(0);
  if (auto x = m.Optional("split")) ParseSplit(*x, spec.split, split_named);
  if (auto x = m.Optional("preprocess")) ParsePreprocess(*x, spec.preprocess);

  auto path = [&](const char* key, std::string& out) {
    if (auto x = m.Optional(key)) out = ResolveTaskPath(*x, base, true);
  };
  if (format == "idx") {
    path("images", spec.idx.images);
    path("labels", spec.idx.labels);
  } else if (format == "mnist_json") {
    path("package_dir", spec.mnist_json.package_dir);
  } else if (format == "csv") {
    path("path", spec.csv.path);
    if (auto x = m.Optional("header"))
      spec.csv.header = x->Enum({"auto", "sklearn", "names", "none"});
    if (auto x = m.Optional("label_column")) spec.csv.label_column = x->Str();
    if (auto x = m.Optional("label_is_class")) spec.csv.label_is_class = x->Bool();
    if (auto x = m.Optional("delimiter")) {
      const std::string d = x->Str();
      if (d.size() != 1) x->Fail("the delimiter must be exactly one character");
      spec.csv.delimiter = d[0];
    }
  } else if (format == "npy") {
    path("inputs", spec.npy.inputs);
    path("labels", spec.npy.labels);
  } else if (format == "npz") {
    path("path", spec.npz.path);
    if (auto x = m.Optional("labels_key")) spec.npz.labels_key = x->Str();
    if (auto x = m.Optional("input_keys")) spec.npz.input_keys = x->StrList();
  } else if (format == "image_folder") {
    path("root", spec.image_folder.root);
    if (auto x = m.Optional("channels")) {
      spec.image_folder.channels = static_cast<int>(x->Int(0, 3));
      if (spec.image_folder.channels == 2) x->Fail("channels must be 0 (auto), 1 or 3");
    }
  } else if (format == "text") {
    if (auto x = m.Optional("paths")) {
      spec.text.paths.clear();
      const std::vector<YamlValue> items = x->IsScalar() ? std::vector{*x} : x->Items();
      if (items.empty()) x->Fail("needs at least one file or folder");
      for (const auto& item : items) spec.text.paths.push_back(ResolveTaskPath(item, base, true));
    }
    if (auto x = m.Optional("record_format"))
      spec.text.record_format = x->Enum({"fortune", "lines", "raw"});
    if (auto x = m.Optional("seq_len")) spec.text.seq_len = x->Int(1, 1 << 20);
    if (auto x = m.Optional("charset")) spec.text.charset = x->Str();
  } else if (format == "wav") {
    path("dir", spec.wav.dir);
    path("transcription", spec.wav.transcription);
    if (auto x = m.Optional("sample_rate"))
      spec.wav.sample_rate = static_cast<int>(x->Int(1, 1 << 20));
  } else if (format == "ocr_render") {
    auto& o = spec.ocr;
    if (auto x = m.Optional("num_examples")) o.num_examples = x->Int(1, int64_t{1} << 31);
    if (auto x = m.Optional("charset")) o.charset = x->NonEmptyStr();
    if (auto x = m.Optional("min_length")) o.min_length = static_cast<int>(x->Int(1, 4096));
    if (auto x = m.Optional("max_length")) {
      o.max_length = static_cast<int>(x->Int(1, 4096));
      if (o.max_length < o.min_length)
        x->Fail("max_length (" + std::to_string(o.max_length) + ") is below min_length (" +
                std::to_string(o.min_length) + ")");
    }
    if (auto x = m.Optional("height")) o.height = static_cast<int>(x->Int(8, 1024));
    if (auto x = m.Optional("fonts")) {
      o.fonts.clear();
      for (const auto& item : x->Items()) o.fonts.push_back(ResolveTaskPath(item, base, true));
    }
    if (auto x = m.Optional("channels")) {
      o.channels = static_cast<int>(x->Int(1, 3));
      if (o.channels == 2) x->Fail("channels must be 1 or 3");
    }
  }
}

// The first key of `format` that must be set, if it is not.
const char* MissingRequired(const DatasetSpec& s) {
  if (s.format == "idx" && s.idx.images.empty()) return "images";
  if (s.format == "csv" && s.csv.path.empty()) return "path";
  if (s.format == "npy" && s.npy.inputs.empty()) return "inputs";
  if (s.format == "npz" && s.npz.path.empty()) return "path";
  if (s.format == "image_folder" && s.image_folder.root.empty()) return "root";
  if (s.format == "text" && s.text.paths.empty()) return "paths";
  if (s.format == "wav" && s.wav.dir.empty()) return "dir";
  return nullptr;
}

}  // namespace

std::string ResolveTaskPath(const YamlValue& v, const std::string& base_dir, bool must_exist) {
  const std::string text = v.NonEmptyStr();
  fs::path p(text);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  p = p.lexically_normal();
  std::error_code ec;
  if (must_exist && !fs::exists(p, ec)) {
    std::string problem = "file not found: " + p.string();
    if (fs::path(text).is_relative())
      problem += " (relative paths resolve against " + base_dir + ")";
    v.Fail(problem, StatusCode::kNotFound);
  }
  return p.string();
}

DatasetSpec ParseDatasetRole(const std::optional<YamlValue>& common, const YamlValue& role,
                             const std::string& default_split, uint64_t seed,
                             const std::string& base_dir) {
  // The format decides which keys are allowed: the role's own, else the common one.
  std::optional<YamlValue> format_value;
  for (const YamlValue* v : {&role, common ? &*common : nullptr}) {
    if (v == nullptr || format_value) continue;
    YamlMap m = v->Map();
    if (m.Has("format")) format_value = m.Optional("format");
  }
  if (!format_value) role.At(role.path() + ".format").Fail("required field is missing");
  DatasetSpec spec;
  spec.format = format_value->Enum(FormatNames());
  spec.split.seed = seed;
  bool split_named = false;
  if (common) Apply(*common, spec.format, spec, split_named, base_dir);
  Apply(role, spec.format, spec, split_named, base_dir);
  if (!split_named) spec.split.name = default_split;
  if (const char* key = MissingRequired(spec))
    role.At(role.path() + "." + key)
        .Fail("required field is missing (format '" + spec.format + "' needs it)");
  return spec;
}

}  // namespace shrink::data::detail
