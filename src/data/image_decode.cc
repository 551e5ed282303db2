// PNG (libpng simplified API) and JPEG (libjpeg) decoding.
#include "data/image_decode.h"

#include <jpeglib.h>
#include <png.h>

#include <cctype>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include "data/sources.h"

namespace shrink::data::detail {
namespace {

bool EndsWithCi(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i])
      return false;
  return true;
}

bool IsJpeg(const std::string& path) {
  return EndsWithCi(path, ".jpg") || EndsWithCi(path, ".jpeg");
}

Tensor DecodePng(const std::string& path, int channels, int* header_channels) {
  png_image img;
  std::memset(&img, 0, sizeof(img));
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path.c_str()))
    Throw(StatusCode::kCorrupt, "'" + path + "': bad PNG (" + img.message + ")");
  const bool gray = (img.format & PNG_FORMAT_FLAG_COLOR) == 0;
  if (header_channels) {
    *header_channels = gray ? 1 : 3;
    png_image_free(&img);
    return Tensor();
  }
  img.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  const int64_t h = img.height, w = img.width;
  std::vector<uint8_t> buf(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, buf.data(), 0, nullptr)) {
    const std::string msg = img.message;
    png_image_free(&img);
    Throw(StatusCode::kCorrupt, "'" + path + "': bad PNG data (" + msg + ")");
  }
  return ImageFromHwc(buf.data(), h, w, channels);
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void JpegErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Returns false (with `message`) on a libjpeg error; no C++ objects live across setjmp.
bool DecodeJpegRaw(FILE* f, int channels, std::vector<uint8_t>* out, int64_t* h, int64_t* w,
                   int* header_channels, std::string* message) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = &JpegErrorExit;
  if (setjmp(err.jump)) {
    *message = err.message;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f);
  jpeg_read_header(&cinfo, TRUE);
  if (header_channels) {
    *header_channels = cinfo.num_components == 1 ? 1 : 3;
    jpeg_destroy_decompress(&cinfo);
    return true;
  }
  cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  *h = cinfo.output_height;
  *w = cinfo.output_width;
  out->resize(static_cast<size_t>(*h * *w * channels));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out->data() +
                   static_cast<size_t>(cinfo.output_scanline) * static_cast<size_t>(*w * channels);
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

Tensor DecodeJpeg(const std::string& path, int channels, int* header_channels) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) Throw(StatusCode::kIOError, "cannot open '" + path + "'");
  std::vector<uint8_t> buf;
  int64_t h = 0, w = 0;
  std::string message;
  if (!DecodeJpegRaw(f.get(), channels, &buf, &h, &w, header_channels, &message))
    Throw(StatusCode::kCorrupt, "'" + path + "': bad JPEG (" + message + ")");
  if (header_channels) return Tensor();
  return ImageFromHwc(buf.data(), h, w, channels);
}

}  // namespace

Tensor DecodeImageFile(const std::string& path, int channels) {
  RequireExists(path, "image");
  if (channels != 1 && channels != 3)
    Throw(StatusCode::kInvalidArgument, "image channels must be 1 or 3");
  return IsJpeg(path) ? DecodeJpeg(path, channels, nullptr) : DecodePng(path, channels, nullptr);
}

int ImageFileChannels(const std::string& path) {
  RequireExists(path, "image");
  int c = 0;
  if (IsJpeg(path))
    (void)DecodeJpeg(path, 3, &c);
  else
    (void)DecodePng(path, 3, &c);
  return c;
}

void WritePng(const std::string& path, const std::vector<uint8_t>& hwc, int64_t h, int64_t w,
              int c) {
  png_image img;
  std::memset(&img, 0, sizeof(img));
  img.version = PNG_IMAGE_VERSION;
  img.width = static_cast<png_uint_32>(w);
  img.height = static_cast<png_uint_32>(h);
  img.format = c == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&img, path.c_str(), 0, hwc.data(), 0, nullptr))
    Throw(StatusCode::kIOError, "cannot write PNG '" + path + "': " + img.message);
}

}  // namespace shrink::data::detail
