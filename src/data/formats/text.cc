// Plain-text corpora for char-level language models: records are joined with '\n', mapped to
// byte-level token ids, and cut into fixed windows whose targets are the next tokens.
#include <algorithm>
#include <array>
#include <filesystem>

#include "data/sources.h"

namespace shrink::data::detail {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    RequireExists(p, "text corpus");
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> inside;
      for (const auto& e : fs::directory_iterator(p, ec)) {
        const std::string ext = e.path().extension().string();
        if (e.is_regular_file() && ext != ".dat" && ext != ".u8") inside.push_back(e.path());
      }
      std::sort(inside.begin(), inside.end());
      files.insert(files.end(), inside.begin(), inside.end());
    } else {
      files.push_back(p);
    }
  }
  return files;
}

std::vector<std::string> Records(const std::string& text, const std::string& format,
                                 const std::string& path) {
  std::vector<std::string> out;
  if (format == "raw") {
    if (!text.empty()) out.push_back(text);
    return out;
  }
  const std::vector<std::string> lines = SplitLines(text);
  if (format == "lines") {
    for (const auto& l : lines)
      if (!l.empty()) out.push_back(l);
    return out;
  }
  if (format != "fortune")
    Throw(StatusCode::kInvalidArgument, "'" + path +
                                            "': text record_format must be fortune, "
                                            "lines or raw, got '" +
                                            format + "'");
  std::string cur;
  for (const auto& l : lines) {
    if (l == "%") {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += cur.empty() ? l : "\n" + l;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

class TextSource : public Source {
 public:
  explicit TextSource(const TextOptions& o) : seq_len_(o.seq_len) {
    if (seq_len_ < 1) Throw(StatusCode::kInvalidArgument, "text seq_len must be >= 1");
    if (o.paths.empty()) Throw(StatusCode::kInvalidArgument, "text: no paths given");
    std::string corpus;
    for (const auto& f : ExpandPaths(o.paths)) {
      for (const auto& r : Records(ReadFileMaybeGz(f, size_t{1} << 30), o.record_format, f)) {
        corpus += r;
        corpus += '\n';
      }
      file_ends_.emplace_back(static_cast<int64_t>(corpus.size()), fs::path(f).filename());
    }
    // Vocabulary: id 0 = <unk>, then the charset (or every byte seen), sorted.
    std::array<bool, 256> used{};
    const std::string& chars = o.charset.empty() ? corpus : o.charset;
    for (unsigned char c : chars) used[c] = true;
    id_of_.fill(0);
    info_.vocabulary.push_back("<unk>");
    for (int b = 0; b < 256; ++b) {
      if (!used[static_cast<size_t>(b)]) continue;
      id_of_[static_cast<size_t>(b)] = static_cast<int64_t>(info_.vocabulary.size());
      info_.vocabulary.emplace_back(1, static_cast<char>(b));
    }
    corpus_ = std::move(corpus);
    n_ = corpus_.size() > 1 ? static_cast<int64_t>(corpus_.size() - 1) / seq_len_ : 0;
    if (n_ == 0)
      Throw(StatusCode::kInvalidArgument, "text corpus has fewer than seq_len + 1 characters");
    info_.format = "text";
    info_.source_size = n_;
    info_.input_shapes = {{"input", {seq_len_}}};
    info_.label_kind = LabelKind::kTokens;
    info_.num_classes = static_cast<int64_t>(info_.vocabulary.size());
  }
  const DatasetInfo& info() const override { return info_; }
  int64_t size() const override { return n_; }
  Example Get(int64_t i) override {
    Example ex;
    const int64_t start = i * seq_len_;
    std::vector<int64_t> ids(static_cast<size_t>(seq_len_));
    for (int64_t k = 0; k < seq_len_; ++k) {
      ids[static_cast<size_t>(k)] = Id(start + k);
      ex.tokens.push_back(Id(start + k + 1));
    }
    ex.inputs.emplace_back("input", Tensor::FromVector<int64_t>({seq_len_}, ids));
    ex.text = corpus_.substr(static_cast<size_t>(start), static_cast<size_t>(seq_len_));
    auto it = std::upper_bound(file_ends_.begin(), file_ends_.end(), start,
                               [](int64_t v, const auto& e) { return v < e.first; });
    if (it != file_ends_.end()) ex.metadata["file"] = it->second;
    return ex;
  }

 private:
  int64_t Id(int64_t pos) const {
    return id_of_[static_cast<unsigned char>(corpus_[static_cast<size_t>(pos)])];
  }
  int64_t seq_len_;
  std::string corpus_;
  std::vector<std::pair<int64_t, std::string>> file_ends_;
  std::array<int64_t, 256> id_of_{};
  int64_t n_ = 0;
  DatasetInfo info_;
};

}  // namespace

std::unique_ptr<Source> OpenText(const DatasetSpec& spec) {
  return std::make_unique<TextSource>(spec.text);
}

}  // namespace shrink::data::detail
