// WAV folders (16 kHz mono PCM16) with Sphinx-style transcripts "<s> words </s> (fileid)".
// Files are decoded when an example is requested; samples stay raw (-32768..32767) until
// preprocessing (scale 1/32768 for [-1, 1)).
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "data/sources.h"

namespace shrink::data::detail {
namespace {

namespace fs = std::filesystem;

uint32_t U32(const std::string& b, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(b.data()) + at;
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
uint16_t U16(const std::string& b, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(b.data()) + at;
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

// Decodes a PCM16 mono WAV at `rate` into float samples.
Tensor ReadWav(const std::string& path, int rate) {
  const std::string b = ReadFileMaybeGz(path, size_t{1} << 31);
  const std::string where = "'" + path + "'";
  if (b.size() < 12 || b.compare(0, 4, "RIFF") != 0 || b.compare(8, 4, "WAVE") != 0)
    Throw(StatusCode::kCorrupt, where + ": not a RIFF/WAVE file");
  size_t at = 12;
  bool have_fmt = false;
  while (at + 8 <= b.size()) {
    const std::string id = b.substr(at, 4);
    const uint32_t len = U32(b, at + 4);
    const size_t body = at + 8;
    if (len > b.size() - body) {
      if (id != "data") Throw(StatusCode::kCorrupt, where + ": chunk '" + id + "' truncated");
    }
    if (id == "fmt ") {
      if (len < 16) Throw(StatusCode::kCorrupt, where + ": fmt chunk too short");
      const uint16_t format = U16(b, body), channels = U16(b, body + 2);
      const uint32_t sr = U32(b, body + 4);
      const uint16_t bits = U16(b, body + 14);
      if (format != 1 || channels != 1 || bits != 16 || static_cast<int>(sr) != rate)
        Throw(StatusCode::kUnimplemented,
              where + ": format " + std::to_string(format) + ", " + std::to_string(channels) +
                  " channel(s), " + std::to_string(bits) + " bit, " + std::to_string(sr) +
                  " Hz; expected PCM 1 channel 16 bit " + std::to_string(rate) + " Hz");
      have_fmt = true;
    } else if (id == "data") {
      if (!have_fmt) Throw(StatusCode::kCorrupt, where + ": data chunk before fmt chunk");
      const size_t avail = std::min<size_t>(len, b.size() - body);
      if (avail < len) Throw(StatusCode::kCorrupt, where + ": data chunk truncated");
      const int64_t n = static_cast<int64_t>(avail / 2);
      Tensor t(DataType::kFloat32, {n});
      for (int64_t i = 0; i < n; ++i)
        t.data<float>()[i] = static_cast<float>(static_cast<int16_t>(U16(b, body + 2 * i)));
      return t;
    }
    at = body + len + (len & 1);
  }
  Throw(StatusCode::kCorrupt, where + ": no data chunk");
}

std::string Transcript(const std::string& line) {
  std::istringstream in(line);
  std::string w, out;
  while (in >> w) {
    if (w == "<s>" || w == "</s>" || w == "<sil>" || (!w.empty() && w.front() == '(')) continue;
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

class WavSource : public Source {
 public:
  explicit WavSource(const WavOptions& o) : rate_(o.sample_rate) {
    RequireExists(o.dir, "WAV folder");
    std::error_code ec;
    std::string transcription = o.transcription;
    for (const auto& e : fs::directory_iterator(o.dir, ec)) {
      if (!e.is_regular_file()) continue;
      if (e.path().extension() == ".wav") files_.push_back(e.path());
      if (o.transcription.empty() && e.path().extension() == ".transcription")
        transcription = transcription.empty() ? e.path().string() : "<several>";
    }
    if (o.transcription.empty() && fs::exists(fs::path(o.dir) / "transcription", ec))
      transcription = (fs::path(o.dir) / "transcription").string();
    if (transcription == "<several>")
      Throw(StatusCode::kInvalidArgument,
            "WAV folder '" + o.dir + "' has several *.transcription files; name one");
    std::sort(files_.begin(), files_.end());
    if (files_.empty())
      Throw(StatusCode::kNotFound, "WAV folder '" + o.dir + "' has no .wav files");
    info_.format = "wav";
    info_.source_size = static_cast<int64_t>(files_.size());
    info_.input_shapes = {{"input", {-1}}};
    if (!transcription.empty()) {
      const std::vector<std::string> lines = SplitLines(ReadFileMaybeGz(transcription));
      for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].find_first_not_of(" \t") == std::string::npos) continue;
        const size_t open = lines[i].rfind('('), close = lines[i].rfind(')');
        if (open == std::string::npos || close == std::string::npos || close < open)
          Throw(StatusCode::kCorrupt, "'" + transcription + "' line " + std::to_string(i + 1) +
                                          ": expected '<s> words </s> (fileid)'");
        texts_[lines[i].substr(open + 1, close - open - 1)] = Transcript(lines[i]);
      }
      info_.label_kind = LabelKind::kText;
    }
    (void)ReadWav(files_[0], rate_);  // fail early on a wrong format
  }
  const DatasetInfo& info() const override { return info_; }
  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  Example Get(int64_t i) override {
    const std::string& path = files_[static_cast<size_t>(i)];
    Example ex;
    ex.inputs.emplace_back("input", ReadWav(path, rate_));
    const std::string id = fs::path(path).stem();
    auto it = texts_.find(id);
    if (it != texts_.end()) ex.text = it->second;
    ex.metadata["file"] = id;
    ex.metadata["words"] =
        std::to_string(ex.text.empty() ? 0 : std::count(ex.text.begin(), ex.text.end(), ' ') + 1);
    return ex;
  }

 private:
  int rate_;
  std::vector<std::string> files_;
  std::map<std::string, std::string> texts_;
  DatasetInfo info_;
};

}  // namespace

std::unique_ptr<Source> OpenWav(const DatasetSpec& spec) {
  return std::make_unique<WavSource>(spec.wav);
}

}  // namespace shrink::data::detail
