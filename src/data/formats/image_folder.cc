// Folder-per-class images: root/<class>/<file>.png|.jpg|.jpeg. Classes are the sorted folder
// names; files are decoded only when an example is requested.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "data/image_decode.h"
#include "data/sources.h"

namespace shrink::data::detail {
namespace {

namespace fs = std::filesystem;

bool IsImageName(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  for (const char* ext : {".png", ".jpg", ".jpeg"}) {
    const std::string e = ext;
    if (lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0)
      return true;
  }
  return false;
}

class ImageFolderSource : public Source {
 public:
  explicit ImageFolderSource(const ImageFolderOptions& o) {
    RequireExists(o.root, "image folder");
    std::error_code ec;
    if (!fs::is_directory(o.root, ec))
      Throw(StatusCode::kInvalidArgument, "image folder '" + o.root + "' is not a directory");
    std::vector<std::string> classes;
    for (const auto& e : fs::directory_iterator(o.root, ec))
      if (e.is_directory()) classes.push_back(e.path().filename().string());
    std::sort(classes.begin(), classes.end());
    for (size_t c = 0; c < classes.size(); ++c) {
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(fs::path(o.root) / classes[c], ec))
        if (e.is_regular_file() && IsImageName(e.path().filename().string()))
          files.push_back(e.path().string());
      std::sort(files.begin(), files.end());
      for (auto& f : files) items_.emplace_back(std::move(f), static_cast<int64_t>(c));
    }
    if (items_.empty())
      Throw(StatusCode::kNotFound,
            "image folder '" + o.root + "' has no <class>/<image>.png|.jpg files");
    channels_ = o.channels;
    if (channels_ == 0) channels_ = ImageFileChannels(items_[0].first);
    if (channels_ != 1 && channels_ != 3)
      Throw(StatusCode::kInvalidArgument, "image_folder channels must be 0, 1 or 3");
    // Shape from the first image; other sizes are allowed only with a fixed resize.
    const Tensor first = DecodeImageFile(items_[0].first, channels_);
    info_.format = "image_folder";
    info_.source_size = static_cast<int64_t>(items_.size());
    info_.is_image = true;
    info_.input_shapes = {{"input", first.shape()}};
    info_.label_kind = LabelKind::kClass;
    info_.num_classes = static_cast<int64_t>(classes.size());
    info_.class_names = classes;
  }
  const DatasetInfo& info() const override { return info_; }
  int64_t size() const override { return static_cast<int64_t>(items_.size()); }
  Example Get(int64_t i) override {
    const auto& [path, label] = items_[static_cast<size_t>(i)];
    Example ex;
    ex.inputs.emplace_back("input", DecodeImageFile(path, channels_));
    ex.label = label;
    ex.metadata["class"] = info_.class_names[static_cast<size_t>(label)];
    ex.metadata["file"] = fs::path(path).filename().string();
    return ex;
  }

 private:
  std::vector<std::pair<std::string, int64_t>> items_;
  int channels_ = 0;
  DatasetInfo info_;
};

}  // namespace

std::unique_ptr<Source> OpenImageFolder(const DatasetSpec& spec) {
  return std::make_unique<ImageFolderSource>(spec.image_folder);
}

}  // namespace shrink::data::detail
