// IDX files (MNIST, Fashion-MNIST), plain or gzip. Pixels stay uint8 in memory; examples are
// converted to float one at a time.
#include <algorithm>

#include "data/sources.h"

namespace shrink::data::detail {
namespace {

struct IdxArray {
  Shape dims;
  std::string bytes;  // whole file; data starts at `offset`
  size_t offset = 0;
};

IdxArray ReadIdx(const std::string& path) {
  IdxArray a;
  a.bytes = ReadFileMaybeGz(path);
  const auto* b = reinterpret_cast<const uint8_t*>(a.bytes.data());
  if (a.bytes.size() < 4 || b[0] != 0 || b[1] != 0)
    Throw(StatusCode::kCorrupt, "'" + path + "': not an IDX file (bad magic)");
  if (b[2] != 0x08)
    Throw(StatusCode::kUnimplemented,
          "'" + path + "': IDX element type " + std::to_string(b[2]) + " (only ubyte, 0x08)");
  const int rank = b[3];
  if (rank < 1 || rank > 4)
    Throw(StatusCode::kCorrupt, "'" + path + "': IDX rank " + std::to_string(rank));
  a.offset = 4 + 4 * static_cast<size_t>(rank);
  if (a.bytes.size() < a.offset) Throw(StatusCode::kCorrupt, "'" + path + "': truncated header");
  for (int i = 0; i < rank; ++i) {
    const uint8_t* p = b + 4 + 4 * i;
    a.dims.push_back((int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | p[3]);
  }
  const int64_t n = NumElements(a.dims);
  if (n < 0 || a.bytes.size() - a.offset < static_cast<size_t>(n))
    Throw(StatusCode::kCorrupt, "'" + path + "': " + std::to_string(a.bytes.size() - a.offset) +
                                    " data bytes for shape " + ShapeToString(a.dims));
  return a;
}

class IdxSource : public Source {
 public:
  explicit IdxSource(const IdxOptions& o) {
    images_ = ReadIdx(o.images);
    const Shape& d = images_.dims;
    n_ = d[0];
    per_ = NumElements(d) / std::max<int64_t>(n_, 1);
    info_.format = "idx";
    info_.source_size = n_;
    if (d.size() == 3 || d.size() == 4) {
      info_.is_image = true;
      info_.input_shapes = {{"input", {d.size() == 4 ? d[3] : 1, d[1], d[2]}}};
    } else {
      info_.input_shapes = {{"input", d.size() == 2 ? Shape{d[1]} : Shape{1}}};
    }
    if (!o.labels.empty()) {
      IdxArray l = ReadIdx(o.labels);
      if (l.dims.size() != 1 || l.dims[0] != n_)
        Throw(StatusCode::kCorrupt, "'" + o.labels + "': labels shape " + ShapeToString(l.dims) +
                                        " does not match " + std::to_string(n_) + " images in '" +
                                        o.images + "'");
      labels_.assign(l.bytes.begin() + static_cast<std::ptrdiff_t>(l.offset), l.bytes.end());
      labels_.resize(static_cast<size_t>(n_));
      int64_t max_label = 0;
      for (char c : labels_) max_label = std::max<int64_t>(max_label, static_cast<uint8_t>(c));
      info_.label_kind = LabelKind::kClass;
      info_.num_classes = max_label + 1;
    }
  }
  const DatasetInfo& info() const override { return info_; }
  int64_t size() const override { return n_; }
  Example Get(int64_t i) override {
    Example ex;
    const auto* p = reinterpret_cast<const uint8_t*>(images_.bytes.data()) + images_.offset +
                    static_cast<size_t>(i * per_);
    const Shape& d = images_.dims;
    if (info_.is_image) {
      ex.inputs.emplace_back("input", ImageFromHwc(p, d[1], d[2], d.size() == 4 ? d[3] : 1));
    } else {
      Tensor t(DataType::kFloat32, info_.input_shapes[0].second);
      for (int64_t k = 0; k < per_; ++k) t.data<float>()[k] = p[k];
      ex.inputs.emplace_back("input", t);
    }
    if (!labels_.empty()) {
      ex.label = static_cast<uint8_t>(labels_[static_cast<size_t>(i)]);
      ex.metadata["class"] = std::to_string(ex.label);
    }
    return ex;
  }

 private:
  IdxArray images_;
  std::string labels_;
  int64_t n_ = 0, per_ = 0;
  DatasetInfo info_;
};

}  // namespace

std::unique_ptr<Source> OpenIdx(const DatasetSpec& spec) {
  auto s = std::make_unique<IdxSource>(spec.idx);
  return s;
}

}  // namespace shrink::data::detail
