// CSV tables (.csv / .csv.gz): numeric feature columns and one label column. Understands the
// header row of scikit-learn's bundled files ("n_samples,n_features,class names...").
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "data/sources.h"

namespace shrink::data::detail {
namespace {

std::string Trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '"')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '"')) --b;
  return s.substr(a, b - a);
}

std::vector<std::string> SplitFields(const std::string& line, char delim) {
  std::vector<std::string> f;
  size_t start = 0;
  while (true) {
    size_t p = line.find(delim, start);
    f.push_back(Trim(line.substr(start, p == std::string::npos ? std::string::npos : p - start)));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return f;
}

bool ParseDouble(const std::string& s, double* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && errno != ERANGE && std::isfinite(*v);
}

bool ParseInt(const std::string& s, int64_t* v) {
  double d;
  if (!ParseDouble(s, &d) || d != std::floor(d) || std::fabs(d) > 9e15) return false;
  *v = static_cast<int64_t>(d);
  return true;
}

class CsvSource : public Source {
 public:
  explicit CsvSource(const CsvOptions& o) {
    const std::string& path = o.path;
    RequireExists(path, "CSV file");
    std::vector<std::string> lines = SplitLines(ReadFileMaybeGz(path, size_t{1} << 30));
    // (line number, fields) of non-empty lines
    std::vector<std::pair<size_t, std::vector<std::string>>> rows;
    for (size_t i = 0; i < lines.size(); ++i)
      if (!Trim(lines[i]).empty()) rows.emplace_back(i + 1, SplitFields(lines[i], o.delimiter));
    if (rows.empty()) Throw(StatusCode::kCorrupt, "'" + path + "': no rows");

    std::string header = o.header;
    const auto& first = rows[0].second;
    int64_t n_samples = -1, n_features = -1;
    const bool sk_like = first.size() >= 2 && ParseInt(first[0], &n_samples) &&
                         ParseInt(first[1], &n_features) && n_samples >= 0 && n_features > 0;
    if (header == "auto") {
      bool numeric = true;
      double v;
      for (const auto& f : first) numeric = numeric && ParseDouble(f, &v);
      if (sk_like && n_samples == static_cast<int64_t>(rows.size()) - 1 &&
          (!numeric || rows.size() < 2 || first.size() != rows[1].second.size())) {
        header = "sklearn";
      } else {
        header = numeric ? "none" : "names";
      }
    }
    std::vector<std::string> names;
    size_t data_start = 0;
    if (header == "sklearn") {
      if (!sk_like)
        Throw(StatusCode::kCorrupt, "'" + path + "' line " + std::to_string(rows[0].first) +
                                        ": expected 'n_samples,n_features,...' header");
      if (n_samples != static_cast<int64_t>(rows.size()) - 1)
        Throw(StatusCode::kCorrupt, "'" + path + "': header says " + std::to_string(n_samples) +
                                        " samples, file has " + std::to_string(rows.size() - 1) +
                                        " rows");
      class_names_.assign(first.begin() + 2, first.end());
      data_start = 1;
    } else if (header == "names") {
      names = first;
      data_start = 1;
    } else if (header != "none") {
      Throw(StatusCode::kInvalidArgument,
            "CSV header must be auto, sklearn, names or none, got '" + o.header + "'");
    }
    if (data_start >= rows.size()) Throw(StatusCode::kCorrupt, "'" + path + "': no data rows");
    const int64_t cols = static_cast<int64_t>(rows[data_start].second.size());
    if (header == "sklearn" && cols < n_features + 1)
      Throw(StatusCode::kCorrupt, "'" + path + "' line " + std::to_string(rows[data_start].first) +
                                      ": " + std::to_string(cols) + " columns, header says " +
                                      std::to_string(n_features) + " features + target");
    // Label column.
    int64_t label_col = cols - 1;
    has_label_ = o.label_column != "none";
    if (!o.label_column.empty() && has_label_) {
      auto it = std::find(names.begin(), names.end(), o.label_column);
      int64_t idx;
      if (it != names.end()) {
        label_col = it - names.begin();
      } else if (ParseInt(o.label_column, &idx) && idx >= -cols && idx < cols) {
        label_col = idx < 0 ? cols + idx : idx;
      } else {
        Throw(StatusCode::kInvalidArgument,
              "'" + path + "': no label column '" + o.label_column + "'");
      }
    }
    features_ = has_label_ ? cols - 1 : cols;
    // Parse rows.
    std::vector<std::string> raw_labels;
    for (size_t r = data_start; r < rows.size(); ++r) {
      const auto& [line_no, f] = rows[r];
      const std::string where = "'" + path + "' line " + std::to_string(line_no);
      if (static_cast<int64_t>(f.size()) != cols)
        Throw(StatusCode::kCorrupt, where + ": " + std::to_string(f.size()) +
                                        " columns, expected " + std::to_string(cols));
      for (int64_t c = 0; c < cols; ++c) {
        if (has_label_ && c == label_col) {
          raw_labels.push_back(f[static_cast<size_t>(c)]);
          continue;
        }
        double v;
        if (!ParseDouble(f[static_cast<size_t>(c)], &v))
          Throw(StatusCode::kCorrupt, where + " column " + std::to_string(c + 1) +
                                          ": not a number: '" + f[static_cast<size_t>(c)] + "'");
        values_.push_back(static_cast<float>(v));
      }
    }
    n_ = static_cast<int64_t>(rows.size() - data_start);
    info_.format = "csv";
    info_.source_size = n_;
    info_.input_shapes = {{"input", {features_}}};
    if (has_label_) {
      if (o.label_is_class) {
        bool all_int = true;
        int64_t v;
        for (const auto& s : raw_labels) all_int = all_int && ParseInt(s, &v) && v >= 0;
        if (!all_int) {  // string classes -> sorted names
          std::set<std::string> uniq(raw_labels.begin(), raw_labels.end());
          class_names_.assign(uniq.begin(), uniq.end());
          for (const auto& s : raw_labels)
            labels_.push_back(std::lower_bound(class_names_.begin(), class_names_.end(), s) -
                              class_names_.begin());
        } else {
          int64_t max_label = -1;
          for (const auto& s : raw_labels) {
            (void)ParseInt(s, &v);
            labels_.push_back(v);
            max_label = std::max(max_label, v);
          }
          const int64_t named = static_cast<int64_t>(class_names_.size());
          if (named > 0 && max_label >= named)
            Throw(StatusCode::kCorrupt, "'" + path + "': label " + std::to_string(max_label) +
                                            " but the header names " + std::to_string(named) +
                                            " classes");
          info_.num_classes = std::max(named, max_label + 1);
        }
        if (info_.num_classes == 0) info_.num_classes = static_cast<int64_t>(class_names_.size());
        info_.label_kind = LabelKind::kClass;
        info_.class_names = class_names_;
      } else {
        for (size_t r = 0; r < raw_labels.size(); ++r) {
          double v;
          if (!ParseDouble(raw_labels[r], &v))
            Throw(StatusCode::kCorrupt, "'" + path + "' data row " + std::to_string(r + 1) +
                                            ": target is not a number: '" + raw_labels[r] + "'");
          targets_.push_back(static_cast<float>(v));
        }
        info_.label_kind = LabelKind::kRegression;
      }
    }
  }
  const DatasetInfo& info() const override { return info_; }
  int64_t size() const override { return n_; }
  Example Get(int64_t i) override {
    Example ex;
    const auto b = values_.begin() + static_cast<std::ptrdiff_t>(i * features_);
    ex.inputs.emplace_back(
        "input", Tensor::FromVector<float>({features_}, std::vector<float>(b, b + features_)));
    if (!labels_.empty()) {
      ex.label = labels_[static_cast<size_t>(i)];
      const size_t l = static_cast<size_t>(ex.label);
      ex.metadata["class"] = l < class_names_.size() ? class_names_[l] : std::to_string(ex.label);
    }
    if (!targets_.empty()) ex.targets = {targets_[static_cast<size_t>(i)]};
    return ex;
  }

 private:
  std::vector<float> values_;
  std::vector<int64_t> labels_;
  std::vector<float> targets_;
  std::vector<std::string> class_names_;
  int64_t n_ = 0, features_ = 0;
  bool has_label_ = true;
  DatasetInfo info_;
};

}  // namespace

std::unique_ptr<Source> OpenCsv(const DatasetSpec& spec) {
  return std::make_unique<CsvSource>(spec.csv);
}

}  // namespace shrink::data::detail
