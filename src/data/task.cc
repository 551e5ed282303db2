#include "data/task.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "data/task_internal.h"
#include "data/yaml_util.h"

namespace shrink::data {
namespace {

namespace fs = std::filesystem;
using detail::ParseDatasetRole;
using detail::ResolveTaskPath;

constexpr int64_t kSchemaVersion = 1;

const char* PredictionKindName(PredictionKind k) {
  switch (k) {
    case PredictionKind::kClass:
      return "class";
    case PredictionKind::kText:
      return "text";
    case PredictionKind::kTokens:
      return "token";
    case PredictionKind::kValues:
      return "value";
    case PredictionKind::kSegmentation:
      return "segmentation";
  }
  return "?";
}

// UTF-8 string -> one symbol per code point (invalid bytes become single-byte symbols).
std::vector<std::string> SplitUtf8(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + n > s.size()) n = 1;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::vector<std::string> ReadCharsetFile(const YamlValue& v, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) v.Fail("cannot read " + path, StatusCode::kIOError);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  if (out.empty()) v.Fail(path + " holds no symbols");
  return out;
}

OutputMapping ParseOutput(const YamlValue& v, const std::string& base) {
  YamlMap m = v.Map();
  OutputMapping out;
  const std::string kind =
      m.Required("mapping").Enum({"argmax", "ctc_greedy", "sigmoid_threshold", "next_token",
                                  "identity", "regression", "segmentation"});
  m.Allow({"name"});
  if (kind == "argmax") {
    out.kind = OutputMappingKind::kArgmax;
    m.Allow({"axis"});
  } else if (kind == "ctc_greedy") {
    out.kind = OutputMappingKind::kCtcGreedy;
    m.Allow({"charset", "charset_file", "blank_index", "append_space"});
  } else if (kind == "sigmoid_threshold") {
    out.kind = OutputMappingKind::kSigmoidThreshold;
    m.Allow({"threshold", "logits"});
  } else if (kind == "next_token") {
    out.kind = OutputMappingKind::kNextToken;
  } else if (kind == "segmentation") {
    out.kind = OutputMappingKind::kSegmentation;
    out.axis = 1;
    m.Allow({"axis"});
  } else {
    out.kind = OutputMappingKind::kIdentity;
  }
  m.Finish();
  if (auto x = m.Optional("name")) out.output = x->NonEmptyStr();
  if (auto x = m.Optional("axis")) out.axis = x->Int(-8, 7);
  if (auto x = m.Optional("threshold")) out.threshold = x->Double(0, 1);
  if (auto x = m.Optional("logits")) out.logits = x->Bool();
  if (auto x = m.Optional("append_space")) out.append_space = x->Bool();
  const auto inline_cs = m.Optional("charset");
  const auto file_cs = m.Optional("charset_file");
  if (inline_cs && file_cs) file_cs->Fail("give either charset or charset_file, not both");
  if (inline_cs) {
    out.charset_source = CharsetSource::kInline;
    out.charset =
        inline_cs->IsScalar() ? SplitUtf8(inline_cs->NonEmptyStr()) : inline_cs->StrList();
    if (out.charset.empty()) inline_cs->Fail("the charset is empty");
  } else if (file_cs) {
    out.charset_source = CharsetSource::kFile;
    out.charset_file = ResolveTaskPath(*file_cs, base, true);
    out.charset = ReadCharsetFile(*file_cs, out.charset_file);
  }
  if (out.append_space && out.charset_source != CharsetSource::kDataset) out.charset.push_back(" ");
  if (auto x = m.Optional("blank_index")) {
    const int64_t max = out.charset_source == CharsetSource::kDataset
                            ? INT64_MAX
                            : static_cast<int64_t>(out.charset.size());
    out.blank_index = x->Int(0, max);
  }
  return out;
}

const KnownMetric& FindMetric(const std::string& name) {
  for (const auto& k : KnownMetrics())
    if (k.name == name) return k;
  Throw(StatusCode::kInternal, "unknown metric " + name);
}

MetricSpec ParseMetric(const YamlValue& v, PredictionKind produced, const std::string& mapping) {
  std::vector<std::string> names;
  for (const auto& k : KnownMetrics()) names.push_back(k.name);
  MetricSpec spec;
  std::optional<YamlValue> name_value, hib, k;
  std::optional<YamlMap> m;
  if (v.IsScalar()) {
    name_value = v;
  } else {
    m.emplace(v.Map());
    m->Allow({"name", "higher_is_better", "k"});
    m->Finish();
    name_value = m->Required("name");
    hib = m->Optional("higher_is_better");
    k = m->Optional("k");
  }
  spec.name = name_value->Enum(names);
  const KnownMetric& known = FindMetric(spec.name);
  spec.higher_is_better = known.higher_is_better;
  if (hib && hib->Bool() != known.higher_is_better)
    hib->Fail("'" + spec.name + "' is " + (known.higher_is_better ? "higher" : "lower") +
              "-is-better; drop this field or set it to " +
              (known.higher_is_better ? "true" : "false"));
  if (spec.name == "top5") spec.k = 5;
  if (spec.name == "top_k") {
    if (!k) v.At(v.path() + ".k").Fail("required field is missing (top_k needs k)");
    spec.k = k->Int(1, 1000);
  } else if (k) {
    k->Fail("only metric 'top_k' takes k");
  }
  if (std::find(known.accepts.begin(), known.accepts.end(), produced) == known.accepts.end())
    name_value->Fail("metric '" + spec.name + "' cannot score " + PredictionKindName(produced) +
                     " predictions, which output.mapping '" + mapping + "' produces");
  return spec;
}

std::vector<CohortSpec> ParseCohorts(const YamlValue& v, PredictionKind produced) {
  std::vector<CohortSpec> out;
  std::set<std::string> names;
  for (const auto& item : v.Items()) {
    YamlMap m = item.Map();
    CohortSpec c;
    const YamlValue by = m.Required("by");
    const std::string kind = by.Enum({"label", "metadata", "text_length"});
    m.Allow({"name"});
    if (kind == "label") {
      c.kind = CohortKind::kLabel;
      c.name = "by_label";
      if (produced != PredictionKind::kClass)
        by.Fail(
            "cohorts by label need class predictions (output.mapping argmax or "
            "sigmoid_threshold)");
    } else if (kind == "metadata") {
      c.kind = CohortKind::kMetadata;
      m.Allow({"key"});
      m.Finish();
      c.key = m.Required("key").NonEmptyStr();
      c.name = "by_" + c.key;
    } else {
      c.kind = CohortKind::kTextLength;
      c.name = "by_text_length";
      m.Allow({"buckets"});
      m.Finish();
      const YamlValue buckets = m.Required("buckets");
      for (const auto& b : buckets.Items()) {
        c.buckets.push_back(b.Int(1, 1 << 20));
        if (c.buckets.size() > 1 && c.buckets.back() <= c.buckets[c.buckets.size() - 2])
          b.Fail("bucket edges must be strictly ascending");
      }
      if (c.buckets.empty()) buckets.Fail("needs at least one bucket edge");
      if (produced != PredictionKind::kText)
        by.Fail("cohorts by text_length need text predictions (output.mapping ctc_greedy)");
    }
    m.Finish();
    if (auto n = m.Optional("name")) c.name = n->NonEmptyStr();
    if (!names.insert(c.name).second)
      (m.Has("name") ? *m.Optional("name") : item).Fail("duplicate cohort name '" + c.name + "'");
    out.push_back(std::move(c));
  }
  return out;
}

TaskSpec ParseRoot(const YamlValue& root, TaskSpec spec) {
  if (root.IsNull()) root.Fail("the task file is empty");
  YamlMap m = root.Map();
  m.Allow({"version", "name", "description", "seed", "batch_size", "class_names", "datasets",
           "output", "metric", "extra_metrics", "cohorts"});
  m.Finish();
  const YamlValue version = m.Required("version");
  spec.version = version.Int();
  if (spec.version != kSchemaVersion)
    version.Fail("unsupported schema version " + std::to_string(spec.version) +
                 " (this shrink reads version " + std::to_string(kSchemaVersion) + ")");
  spec.name = m.Required("name").NonEmptyStr();
  if (auto x = m.Optional("description")) spec.description = x->Str();
  if (auto x = m.Optional("seed")) spec.seed = static_cast<uint64_t>(x->Int(0));
  if (auto x = m.Optional("batch_size")) spec.batch_size = x->Int(1, 65536);
  if (auto x = m.Optional("class_names")) spec.class_names = x->StrList();

  YamlMap ds = m.Required("datasets").Map();
  ds.Allow({"common", "calibration", "evaluation", "training"});
  ds.Finish();
  const auto common = ds.Optional("common");
  if (common) (void)common->Map();  // must be a mapping even when every role sets the format
  spec.calibration =
      ParseDatasetRole(common, ds.Required("calibration"), "calibration", spec.seed, spec.base_dir);
  spec.evaluation =
      ParseDatasetRole(common, ds.Required("evaluation"), "eval", spec.seed, spec.base_dir);
  if (auto t = ds.Optional("training"))
    spec.training = ParseDatasetRole(common, *t, "train", spec.seed, spec.base_dir);

  const YamlValue output = m.Required("output");
  spec.output = ParseOutput(output, spec.base_dir);
  const PredictionKind produced = PredictionKindOf(spec.output.kind);
  const std::string mapping = OutputMappingName(spec.output.kind);
  spec.metric = ParseMetric(m.Required("metric"), produced, mapping);
  if (auto x = m.Optional("extra_metrics"))
    for (const auto& item : x->Items())
      spec.extra_metrics.push_back(ParseMetric(item, produced, mapping));
  if (auto x = m.Optional("cohorts")) spec.cohorts = ParseCohorts(*x, produced);
  return spec;
}

}  // namespace

const char* OutputMappingName(OutputMappingKind kind) {
  switch (kind) {
    case OutputMappingKind::kArgmax:
      return "argmax";
    case OutputMappingKind::kCtcGreedy:
      return "ctc_greedy";
    case OutputMappingKind::kSigmoidThreshold:
      return "sigmoid_threshold";
    case OutputMappingKind::kNextToken:
      return "next_token";
    case OutputMappingKind::kIdentity:
      return "identity";
    case OutputMappingKind::kSegmentation:
      return "segmentation";
  }
  return "?";
}

const char* CohortKindName(CohortKind kind) {
  switch (kind) {
    case CohortKind::kLabel:
      return "label";
    case CohortKind::kMetadata:
      return "metadata";
    case CohortKind::kTextLength:
      return "text_length";
  }
  return "?";
}

PredictionKind PredictionKindOf(OutputMappingKind kind) {
  switch (kind) {
    case OutputMappingKind::kArgmax:
    case OutputMappingKind::kSigmoidThreshold:
      return PredictionKind::kClass;
    case OutputMappingKind::kCtcGreedy:
      return PredictionKind::kText;
    case OutputMappingKind::kNextToken:
      return PredictionKind::kTokens;
    case OutputMappingKind::kIdentity:
      return PredictionKind::kValues;
    case OutputMappingKind::kSegmentation:
      return PredictionKind::kSegmentation;
  }
  return PredictionKind::kValues;
}

const std::vector<KnownMetric>& KnownMetrics() {
  using P = PredictionKind;
  static const std::vector<KnownMetric> metrics = {
      {"accuracy", true, {P::kClass, P::kTokens}},
      {"top1", true, {P::kClass}},
      {"top5", true, {P::kClass}},
      {"top_k", true, {P::kClass}},
      {"precision", true, {P::kClass}},
      {"recall", true, {P::kClass}},
      {"f1", true, {P::kClass}},
      {"roc_auc", true, {P::kClass}},
      {"log_loss", false, {P::kClass}},
      {"perplexity", false, {P::kTokens}},
      {"cross_entropy", false, {P::kTokens, P::kClass}},
      {"cer", false, {P::kText}},
      {"wer", false, {P::kText}},
      {"exact_match", true, {P::kText}},
      {"bleu", true, {P::kText}},
      {"rouge_l", true, {P::kText}},
      {"mean_iou", true, {P::kSegmentation, P::kClass}},
      {"mse", false, {P::kValues}},
      {"mae", false, {P::kValues}},
      {"rmse", false, {P::kValues}},
      {"r2", true, {P::kValues}},
  };
  return metrics;
}

Expected<TaskSpec> ParseTask(const std::string& text, const std::string& file_name,
                             const std::string& base_dir) {
  try {
    TaskSpec spec;
    spec.file = file_name;
    std::error_code ec;
    fs::path base = base_dir.empty() ? fs::path(file_name).parent_path() : fs::path(base_dir);
    base = fs::absolute(base.empty() ? fs::current_path(ec) : base, ec).lexically_normal();
    spec.base_dir = base.string();
    if (spec.base_dir.size() > 1 && spec.base_dir.back() == '/') spec.base_dir.pop_back();
    return ParseRoot(ParseYaml(text, file_name.empty() ? "<task>" : file_name), std::move(spec));
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const std::exception& e) {
    return Internal(file_name + ": " + e.what());
  }
}

Expected<TaskSpec> LoadTask(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return NotFound(path + ": no such task file");
    return IOError(path + ": cannot be read");
  }
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) return IOError(path + ": read failed");
  return ParseTask(os.str(), path);
}

}  // namespace shrink::data
