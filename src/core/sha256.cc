#include "core/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace shrink {
namespace {

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};

std::string Hex(const unsigned char* d, unsigned int n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (unsigned int i = 0; i < n; ++i) {
    s[2 * i] = kDigits[d[i] >> 4];
    s[2 * i + 1] = kDigits[d[i] & 15];
  }
  return s;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr) != 1) return "";
  return Hex(md, n);
}

Expected<std::string> Sha256File(const std::string& path) {
  std::unique_ptr<FILE, FileClose> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    const int err = errno;
    const std::string msg = "cannot open " + path + ": " + std::strerror(err);
    return err == ENOENT ? NotFound(msg) : IOError(msg);
  }
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return Internal("OpenSSL SHA-256 init failed");
  std::vector<unsigned char> buf(size_t{1} << 20);
  for (;;) {
    const size_t got = std::fread(buf.data(), 1, buf.size(), f.get());
    if (got > 0 && EVP_DigestUpdate(ctx.get(), buf.data(), got) != 1)
      return Internal("OpenSSL SHA-256 update failed");
    if (got < buf.size()) {
      if (std::ferror(f.get())) return IOError("read error on " + path);
      break;
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &n) != 1) return Internal("OpenSSL SHA-256 final failed");
  return Hex(md, n);
}

}  // namespace shrink
