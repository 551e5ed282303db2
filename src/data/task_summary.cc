#include "data/task_summary.h"

#include <sstream>

namespace shrink::data {
namespace {

using nlohmann::json;

json FormatOptions(const DatasetSpec& s) {
  if (s.format == "idx") return {{"images", s.idx.images}, {"labels", s.idx.labels}};
  if (s.format == "mnist_json") return {{"package_dir", s.mnist_json.package_dir}};
  if (s.format == "csv")
    return {{"path", s.csv.path},
            {"header", s.csv.header},
            {"label_column", s.csv.label_column},
            {"label_is_class", s.csv.label_is_class},
            {"delimiter", std::string(1, s.csv.delimiter)}};
  if (s.format == "npy") return {{"inputs", s.npy.inputs}, {"labels", s.npy.labels}};
  if (s.format == "npz")
    return {
        {"path", s.npz.path}, {"labels_key", s.npz.labels_key}, {"input_keys", s.npz.input_keys}};
  if (s.format == "image_folder")
    return {{"root", s.image_folder.root}, {"channels", s.image_folder.channels}};
  if (s.format == "text")
    return {{"paths", s.text.paths},
            {"record_format", s.text.record_format},
            {"seq_len", s.text.seq_len},
            {"charset", s.text.charset}};
  if (s.format == "wav")
    return {{"dir", s.wav.dir},
            {"transcription", s.wav.transcription},
            {"sample_rate", s.wav.sample_rate}};
  if (s.format == "ocr_render")
    return {{"num_examples", s.ocr.num_examples},
            {"charset", s.ocr.charset},
            {"min_length", s.ocr.min_length},
            {"max_length", s.ocr.max_length},
            {"height", s.ocr.height},
            {"fonts", s.ocr.fonts},
            {"channels", s.ocr.channels}};
  return json::object();
}

json MetricToJson(const MetricSpec& m) {
  json j = {{"name", m.name}, {"higher_is_better", m.higher_is_better}};
  if (m.name == "top_k" || m.name == "top5") j["k"] = m.k;
  return j;
}

std::string DatasetLine(const DatasetSpec& s) {
  std::ostringstream os;
  os << s.format << ", split " << s.split.name;
  if (s.split.name != "all")
    os << " (train " << s.split.train_fraction << ", calibration " << s.split.calibration_fraction
       << ", seed " << s.split.seed << ")";
  if (s.limit > 0) os << ", limit " << s.limit;
  return os.str();
}

}  // namespace

json DatasetSpecToJson(const DatasetSpec& s) {
  const auto& p = s.preprocess;
  return {{"format", s.format},
          {"name", s.name},
          {"input_name", s.input_name},
          {"limit", s.limit},
          {"split",
           {{"name", s.split.name},
            {"train_fraction", s.split.train_fraction},
            {"calibration_fraction", s.split.calibration_fraction},
            {"seed", s.split.seed}}},
          {"preprocess",
           {{"scale", p.scale},
            {"mean", p.mean},
            {"std", p.std},
            {"resize_h", p.resize_h},
            {"resize_w", p.resize_w},
            {"layout", p.layout},
            {"flatten", p.flatten},
            {"pad_to", p.pad_to},
            {"pad_value", p.pad_value}}},
          {"options", FormatOptions(s)}};
}

json TaskToJson(const TaskSpec& t) {
  json datasets = {{"calibration", DatasetSpecToJson(t.calibration)},
                   {"evaluation", DatasetSpecToJson(t.evaluation)}};
  if (t.training) datasets["training"] = DatasetSpecToJson(*t.training);
  const OutputMapping& o = t.output;
  json output = {{"mapping", OutputMappingName(o.kind)}, {"name", o.output}};
  switch (o.kind) {
    case OutputMappingKind::kArgmax:
    case OutputMappingKind::kSegmentation:
      output["axis"] = o.axis;
      break;
    case OutputMappingKind::kCtcGreedy:
      output["charset_source"] = o.charset_source == CharsetSource::kDataset ? "dataset"
                                 : o.charset_source == CharsetSource::kFile  ? "file"
                                                                             : "inline";
      if (o.charset_source == CharsetSource::kFile) output["charset_file"] = o.charset_file;
      output["charset_size"] = o.charset.size();
      if (o.charset.size() <= 64) output["charset"] = o.charset;
      output["blank_index"] = o.blank_index;
      output["append_space"] = o.append_space;
      break;
    case OutputMappingKind::kSigmoidThreshold:
      output["threshold"] = o.threshold;
      output["logits"] = o.logits;
      break;
    default:
      break;
  }
  json extra = json::array();
  for (const auto& m : t.extra_metrics) extra.push_back(MetricToJson(m));
  json cohorts = json::array();
  for (const auto& c : t.cohorts) {
    json j = {{"name", c.name}, {"by", CohortKindName(c.kind)}};
    if (c.kind == CohortKind::kMetadata) j["key"] = c.key;
    if (c.kind == CohortKind::kTextLength) j["buckets"] = c.buckets;
    cohorts.push_back(j);
  }
  return {{"version", t.version},
          {"name", t.name},
          {"description", t.description},
          {"file", t.file},
          {"base_dir", t.base_dir},
          {"seed", t.seed},
          {"batch_size", t.batch_size},
          {"class_names", t.class_names},
          {"datasets", datasets},
          {"output", output},
          {"metric", MetricToJson(t.metric)},
          {"extra_metrics", extra},
          {"cohorts", cohorts}};
}

std::string TaskSummaryText(const TaskSpec& t) {
  std::ostringstream os;
  os << "task " << t.name << " (version " << t.version << ", seed " << t.seed << ", batch "
     << t.batch_size << ")\n";
  if (!t.description.empty()) os << "  " << t.description << "\n";
  os << "datasets:\n";
  os << "  calibration: " << DatasetLine(t.calibration) << "\n";
  os << "  evaluation:  " << DatasetLine(t.evaluation) << "\n";
  if (t.training) os << "  training:    " << DatasetLine(*t.training) << "\n";
  os << "output: " << OutputMappingName(t.output.kind) << " of "
     << (t.output.output.empty() ? "the first model output" : "'" + t.output.output + "'");
  if (t.output.kind == OutputMappingKind::kCtcGreedy)
    os << ", charset "
       << (t.output.charset_source == CharsetSource::kDataset
               ? std::string("from the dataset")
               : std::to_string(t.output.charset.size()) + " symbols")
       << ", blank " << t.output.blank_index;
  if (t.output.kind == OutputMappingKind::kSigmoidThreshold)
    os << ", threshold " << t.output.threshold;
  os << "\nmetric: " << t.metric.name << " (" << (t.metric.higher_is_better ? "higher" : "lower")
     << " is better)";
  for (const auto& m : t.extra_metrics)
    os << (&m == &t.extra_metrics[0] ? "; also " : ", ") << m.name;
  os << "\n";
  if (!t.class_names.empty()) os << "classes: " << t.class_names.size() << "\n";
  for (const auto& c : t.cohorts) {
    os << "cohort " << c.name << ": by " << CohortKindName(c.kind);
    if (c.kind == CohortKind::kMetadata) os << " '" << c.key << "'";
    if (c.kind == CohortKind::kTextLength) {
      os << " buckets";
      for (auto b : c.buckets) os << " <=" << b;
      os << " and longer";
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace shrink::data
