// Synthetic OCR text lines: example i draws its text (charset, length) and font from a generator
// seeded with (seed, i) and is rendered with FreeType: black text on white, fixed height, width
// following the text. Nothing is stored; every example is rendered on demand.
#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <filesystem>

#include "data/sources.h"

namespace shrink::data::detail {
namespace {

// UTF-8 -> code points; invalid bytes -> kInvalidArgument.
std::vector<uint32_t> DecodeUtf8(const std::string& s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + static_cast<size_t>(n) > s.size())
      Throw(StatusCode::kInvalidArgument, "OCR charset is not valid UTF-8");
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

std::string EncodeUtf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

class OcrSource : public Source {
 public:
  explicit OcrSource(const OcrRenderOptions& o) : o_(o) {
    if (o.num_examples < 1) Throw(StatusCode::kInvalidArgument, "ocr num_examples must be >= 1");
    if (o.min_length < 1 || o.max_length < o.min_length)
      Throw(StatusCode::kInvalidArgument, "ocr lengths must satisfy 1 <= min_length <= max_length");
    if (o.height < 8 || o.height > 1024)
      Throw(StatusCode::kInvalidArgument, "ocr height must be in [8, 1024]");
    if (o.channels != 1 && o.channels != 3)
      Throw(StatusCode::kInvalidArgument, "ocr channels must be 1 or 3");
    chars_ = DecodeUtf8(o.charset);
    if (chars_.empty()) Throw(StatusCode::kInvalidArgument, "ocr charset is empty");
    std::vector<std::string> fonts = o.fonts;
    if (fonts.empty()) {
      const std::string dir = "/usr/share/fonts/truetype/dejavu/";
      fonts = {dir + "DejaVuSans.ttf", dir + "DejaVuSerif.ttf", dir + "DejaVuSansMono.ttf"};
    }
    if (FT_Init_FreeType(&lib_) != 0) Throw(StatusCode::kInternal, "FreeType init failed");
    for (const auto& f : fonts) {
      RequireExists(f, "font");
      FT_Face face = nullptr;
      if (FT_New_Face(lib_, f.c_str(), 0, &face) != 0)
        Throw(StatusCode::kCorrupt, "'" + f + "': FreeType cannot load this font");
      faces_.push_back(face);
      font_names_.push_back(std::filesystem::path(f).stem());
      if (FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(o.height * 2 / 3)) != 0)
        Throw(StatusCode::kCorrupt, "'" + f + "': cannot set pixel size");
      for (uint32_t cp : chars_)
        if (FT_Get_Char_Index(face, cp) == 0)
          Throw(StatusCode::kInvalidArgument,
                "font '" + f + "' has no glyph for '" + EncodeUtf8(cp) + "'");
    }
    info_.format = "ocr_render";
    info_.source_size = o.num_examples;
    info_.is_image = true;
    info_.input_shapes = {{"input", {o.channels, o.height, -1}}};
    info_.label_kind = LabelKind::kText;
    info_.vocabulary.push_back("");  // CTC blank
    for (uint32_t cp : chars_) info_.vocabulary.push_back(EncodeUtf8(cp));
  }

  const DatasetInfo& info() const override { return info_; }
  int64_t size() const override { return o_.num_examples; }
  Example Get(int64_t i) override {
    Rng rng(o_.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(i) + 1);
    const int len =
        o_.min_length +
        static_cast<int>(rng.Below(static_cast<uint64_t>(o_.max_length - o_.min_length + 1)));
    std::vector<uint32_t> text;
    std::string utf8;
    for (int k = 0; k < len; ++k) {
      text.push_back(chars_[rng.Below(chars_.size())]);
      utf8 += EncodeUtf8(text.back());
    }
    const size_t fi = rng.Below(faces_.size());
    Example ex;
    ex.inputs.emplace_back("input", Render(faces_[fi], text));
    ex.text = utf8;
    ex.metadata["font"] = font_names_[fi];
    ex.metadata["length"] = std::to_string(len);
    return ex;
  }

 private:
  Tensor Render(FT_Face face, const std::vector<uint32_t>& text) {
    const int64_t h = o_.height, margin = h / 8;
    int64_t width = 2 * margin;
    for (uint32_t cp : text) {
      if (FT_Load_Char(face, cp, FT_LOAD_DEFAULT) != 0)
        Throw(StatusCode::kInternal, "FreeType cannot load a glyph");
      width += face->glyph->advance.x >> 6;
    }
    const int64_t asc = face->size->metrics.ascender >> 6;
    const int64_t desc = face->size->metrics.descender >> 6;  // negative
    const int64_t baseline = (h - (asc - desc)) / 2 + asc;
    std::vector<uint8_t> gray(static_cast<size_t>(h * width), 255);
    int64_t pen = margin;
    for (uint32_t cp : text) {
      if (FT_Load_Char(face, cp, FT_LOAD_RENDER) != 0)
        Throw(StatusCode::kInternal, "FreeType cannot render a glyph");
      const FT_GlyphSlot g = face->glyph;
      const FT_Bitmap& bm = g->bitmap;
      for (int64_t r = 0; r < bm.rows; ++r) {
        const int64_t y = baseline - g->bitmap_top + r;
        if (y < 0 || y >= h) continue;
        for (int64_t c = 0; c < bm.width; ++c) {
          const int64_t x = pen + g->bitmap_left + c;
          if (x < 0 || x >= width) continue;
          const uint8_t cov = bm.buffer[r * bm.pitch + c];
          uint8_t& px = gray[static_cast<size_t>(y * width + x)];
          px = std::min<uint8_t>(px, static_cast<uint8_t>(255 - cov));
        }
      }
      pen += g->advance.x >> 6;
    }
    Tensor t(DataType::kFloat32, {o_.channels, h, width});
    float* d = t.data<float>();
    for (int c = 0; c < o_.channels; ++c)
      for (size_t k = 0; k < gray.size(); ++k)
        d[static_cast<size_t>(c) * gray.size() + k] = gray[k];
    return t;
  }

  OcrRenderOptions o_;
  std::vector<uint32_t> chars_;
  // Owns FreeType state; a member so that it is released even when the constructor throws.
  struct FreeType {
    FT_Library lib = nullptr;
    std::vector<FT_Face> faces;
    FreeType() = default;
    FreeType(const FreeType&) = delete;
    FreeType& operator=(const FreeType&) = delete;
    ~FreeType() {
      for (FT_Face f : faces) FT_Done_Face(f);
      if (lib) FT_Done_FreeType(lib);
    }
  } ft_;
  FT_Library& lib_ = ft_.lib;
  std::vector<FT_Face>& faces_ = ft_.faces;
  std::vector<std::string> font_names_;
  DatasetInfo info_;
};

}  // namespace

std::unique_ptr<Source> OpenOcrRender(const DatasetSpec& spec) {
  return std::make_unique<OcrSource>(spec.ocr);
}

}  // namespace shrink::data::detail
