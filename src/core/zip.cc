#include "core/zip.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "core/tensor.h"

namespace shrink {

struct ZipReader::OpenFile {
  int fd = -1;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalLen = 30;
constexpr size_t kCentralLen = 46;
constexpr size_t kEocdLen = 22;
constexpr size_t kZip64EocdLen = 56;
constexpr size_t kZip64LocatorLen = 20;
constexpr uint32_t k32Max = 0xffffffffu;
constexpr uint16_t kFlagUtf8 = 1 << 11;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01, fixed for determinism
constexpr size_t kZChunk = size_t{1} << 30;             // zlib counts in uInt

uint64_t Get(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void Put(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

Expected<std::string> Inflate(std::string_view in, uint64_t out_size, const std::string& what) {
  std::string out(static_cast<size_t>(out_size), '\0');
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return Internal("inflateInit2 failed");
  size_t in_pos = 0, out_pos = 0;
  int rc = Z_OK;
  while (true) {
    if (zs.avail_in == 0 && in_pos < in.size()) {
      size_t n = std::min(kZChunk, in.size() - in_pos);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_pos));
      zs.avail_in = static_cast<uInt>(n);
      in_pos += n;
    }
    if (zs.avail_out == 0 && out_pos < out.size()) {
      size_t n = std::min(kZChunk, out.size() - out_pos);
      zs.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
      zs.avail_out = static_cast<uInt>(n);
      out_pos += n;
    }
    // A zero-sized output buffer still lets zlib detect the end of an empty stream.
    Bytef dummy;
    bool used_dummy = false;
    if (zs.avail_out == 0) {
      zs.next_out = &dummy;
      zs.avail_out = 1;
      used_dummy = true;
    }
    rc = inflate(&zs, Z_NO_FLUSH);
    if (used_dummy && zs.avail_out == 0) {
      inflateEnd(&zs);
      return Corrupt(what + ": inflates to more than the declared " + std::to_string(out_size) +
                     " bytes");
    }
    if (used_dummy) zs.avail_out = 0;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_pos >= in.size()) {
      inflateEnd(&zs);
      return Corrupt(what + ": deflate stream is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      std::string msg = zs.msg != nullptr ? zs.msg : std::to_string(rc);
      inflateEnd(&zs);
      return Corrupt(what + ": inflate failed: " + msg);
    }
  }
  const uint64_t produced = out_pos - zs.avail_out;
  inflateEnd(&zs);
  if (produced != out_size)
    return Corrupt(what + ": inflated to " + std::to_string(produced) + " bytes, directory says " +
                   std::to_string(out_size));
  return out;
}

Expected<std::string> Deflate(std::string_view in) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    return Internal("deflateInit2 failed");
  std::string out;
  size_t in_pos = 0;
  char buf[1 << 16];
  int rc;
  do {
    if (zs.avail_in == 0 && in_pos < in.size()) {
      size_t n = std::min(kZChunk, in.size() - in_pos);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_pos));
      zs.avail_in = static_cast<uInt>(n);
      in_pos += n;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = deflate(&zs, in_pos >= in.size() && zs.avail_in == 0 ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) {
      deflateEnd(&zs);
      return Internal("deflate failed");
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
  } while (rc != Z_STREAM_END);
  deflateEnd(&zs);
  return out;
}

}  // namespace

uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  size_t pos = 0;
  while (pos < data.size()) {
    size_t n = std::min(kZChunk, data.size() - pos);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + pos), static_cast<uInt>(n));
    pos += n;
  }
  return static_cast<uint32_t>(crc);
}

// ---------------------------------------------------------------------------------------------
// Reader

Status ZipReader::PRead(uint64_t offset, void* buf, size_t size) const {
  if (offset > file_size_ || size > file_size_ - offset)
    return Corrupt("'" + path_ + "': zip record at offset " + std::to_string(offset) + " (" +
                   std::to_string(size) + " bytes) runs past the end of the file (" +
                   std::to_string(file_size_) + " bytes)");
  auto* p = static_cast<char*>(buf);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(file_->fd, p + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IOError("'" + path_ + "': read failed: " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Expected<ZipReader> ZipReader::Open(const std::string& path) {
  ZipReader r;
  r.path_ = path;
  r.file_ = std::make_shared<OpenFile>();
  r.file_->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r.file_->fd < 0) {
    if (errno == ENOENT) return NotFound("cannot open '" + path + "': no such file");
    return IOError("cannot open '" + path + "': " + std::strerror(errno));
  }
  off_t end = ::lseek(r.file_->fd, 0, SEEK_END);
  if (end < 0) return IOError("cannot determine the size of '" + path + "'");
  r.file_size_ = static_cast<uint64_t>(end);
  const std::string where = "'" + path + "'";
  if (r.file_size_ < kEocdLen)
    return Corrupt(where + " is not a zip archive (" + std::to_string(r.file_size_) + " bytes)");

  // End of central directory: the last 22 bytes, or earlier when there is a comment.
  const size_t tail_len = static_cast<size_t>(std::min<uint64_t>(r.file_size_, kEocdLen + 0xffff));
  std::string tail(tail_len, '\0');
  SHRINK_RETURN_IF_ERROR(r.PRead(r.file_size_ - tail_len, tail.data(), tail_len));
  const auto* t = reinterpret_cast<const unsigned char*>(tail.data());
  int64_t eocd = -1;
  for (int64_t i = static_cast<int64_t>(tail_len - kEocdLen); i >= 0; --i) {
    if (Get(t + i, 4) == kEocdSig &&
        static_cast<uint64_t>(i) + kEocdLen + Get(t + i + 20, 2) <= tail_len) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return Corrupt(where + " is not a zip archive (no end-of-central-directory)");
  const unsigned char* e = t + eocd;
  uint64_t disk = Get(e + 4, 2), cd_disk = Get(e + 6, 2);
  uint64_t count = Get(e + 10, 2);
  uint64_t cd_size = Get(e + 12, 4), cd_offset = Get(e + 16, 4);
  const uint64_t eocd_pos = r.file_size_ - tail_len + static_cast<uint64_t>(eocd);
  if (eocd_pos >= kZip64LocatorLen) {
    unsigned char loc[kZip64LocatorLen];
    SHRINK_RETURN_IF_ERROR(r.PRead(eocd_pos - kZip64LocatorLen, loc, sizeof(loc)));
    if (Get(loc, 4) == kZip64LocatorSig) {
      unsigned char z[kZip64EocdLen];
      SHRINK_RETURN_IF_ERROR(r.PRead(Get(loc + 8, 8), z, sizeof(z)));
      if (Get(z, 4) != kZip64EocdSig) return Corrupt(where + ": bad zip64 end-of-directory record");
      disk = Get(z + 16, 4);
      cd_disk = Get(z + 20, 4);
      count = Get(z + 32, 8);
      cd_size = Get(z + 40, 8);
      cd_offset = Get(z + 48, 8);
    }
  }
  if (disk != 0 || cd_disk != 0)
    return Unimplemented(where + ": multi-disk zip archives are not supported");
  if (cd_offset > r.file_size_ || cd_size > r.file_size_ - cd_offset)
    return Corrupt(where + ": central directory lies outside the file");
  if (count > cd_size / kCentralLen)
    return Corrupt(where + ": central directory claims " + std::to_string(count) + " entries in " +
                   std::to_string(cd_size) + " bytes");

  std::string cd(static_cast<size_t>(cd_size), '\0');
  SHRINK_RETURN_IF_ERROR(r.PRead(cd_offset, cd.data(), cd.size()));
  const auto* c = reinterpret_cast<const unsigned char*>(cd.data());
  size_t pos = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (cd.size() - pos < kCentralLen || Get(c + pos, 4) != kCentralSig)
      return Corrupt(where + ": bad central directory entry " + std::to_string(i));
    const unsigned char* h = c + pos;
    ZipEntryInfo info;
    info.flags = static_cast<uint16_t>(Get(h + 8, 2));
    info.method = static_cast<uint16_t>(Get(h + 10, 2));
    info.crc32 = static_cast<uint32_t>(Get(h + 16, 4));
    info.compressed_size = Get(h + 20, 4);
    info.uncompressed_size = Get(h + 24, 4);
    const size_t name_len = Get(h + 28, 2), extra_len = Get(h + 30, 2),
                 comment_len = Get(h + 32, 2);
    const uint64_t start_disk = Get(h + 34, 2);
    info.local_header_offset = Get(h + 42, 4);
    if (cd.size() - pos - kCentralLen < name_len + extra_len + comment_len)
      return Corrupt(where + ": central directory entry " + std::to_string(i) + " is truncated");
    info.name.assign(cd.data() + pos + kCentralLen, name_len);
    // Zip64 extended information: only the fields that are 0xffffffff in the fixed part.
    const unsigned char* x = h + kCentralLen + name_len;
    size_t xpos = 0;
    while (xpos + 4 <= extra_len) {
      const uint64_t id = Get(x + xpos, 2), len = Get(x + xpos + 2, 2);
      if (xpos + 4 + len > extra_len) break;
      if (id == 0x0001) {
        const unsigned char* f = x + xpos + 4;
        size_t fpos = 0;
        auto take = [&](uint64_t& field) -> bool {
          if (fpos + 8 > len) return false;
          field = Get(f + fpos, 8);
          fpos += 8;
          return true;
        };
        bool ok = true;
        if (info.uncompressed_size == k32Max) ok = ok && take(info.uncompressed_size);
        if (info.compressed_size == k32Max) ok = ok && take(info.compressed_size);
        if (info.local_header_offset == k32Max) ok = ok && take(info.local_header_offset);
        if (!ok) return Corrupt(where + ": bad zip64 field in entry '" + info.name + "'");
      }
      xpos += 4 + len;
    }
    if (start_disk != 0 && start_disk != 0xffff)
      return Unimplemented(where + ": multi-disk zip archives are not supported");
    r.entries_.push_back(std::move(info));
    pos += kCentralLen + name_len + extra_len + comment_len;
  }
  return r;
}

Expected<std::string> ZipReader::Read(size_t index) const {
  if (index >= entries_.size())
    return InvalidArgument("zip entry index " + std::to_string(index) + " out of range");
  const ZipEntryInfo& info = entries_[index];
  const std::string what = "'" + path_ + "' entry '" + info.name + "'";
  if (info.flags & 1) return Unimplemented(what + " is encrypted");
  if (info.method != 0 && info.method != 8)
    return Unimplemented(what + " uses compression method " + std::to_string(info.method) +
                         " (only stored and deflated are supported)");
  if (info.uncompressed_size > TensorMemoryLimit())
    return ResourceExhausted(what + " is " + std::to_string(info.uncompressed_size) +
                             " bytes, over the memory limit of " +
                             std::to_string(TensorMemoryLimit()));
  if (info.method == 0 && info.compressed_size != info.uncompressed_size)
    return Corrupt(what + ": stored entry with different compressed/uncompressed sizes");
  if (info.compressed_size > file_size_)
    return Corrupt(what + ": compressed size exceeds the file size");
  // Deflate cannot expand data by more than ~1032:1; a larger claim is damage (or a bomb).
  if (info.method == 8 && info.uncompressed_size / 1032 > info.compressed_size + 1)
    return Corrupt(what + ": claims " + std::to_string(info.uncompressed_size) + " bytes from " +
                   std::to_string(info.compressed_size) + " compressed bytes");
  unsigned char lh[kLocalLen];
  SHRINK_RETURN_IF_ERROR(PRead(info.local_header_offset, lh, sizeof(lh)));
  if (Get(lh, 4) != kLocalSig) return Corrupt(what + ": bad local header signature");
  const uint64_t data_offset =
      info.local_header_offset + kLocalLen + Get(lh + 26, 2) + Get(lh + 28, 2);
  std::string raw(static_cast<size_t>(info.compressed_size), '\0');
  SHRINK_RETURN_IF_ERROR(PRead(data_offset, raw.data(), raw.size()));
  std::string data;
  if (info.method == 0) {
    data = std::move(raw);
  } else {
    SHRINK_ASSIGN_OR_RETURN(data, Inflate(raw, info.uncompressed_size, what));
  }
  if (Crc32(data) != info.crc32) return Corrupt(what + ": CRC-32 mismatch");
  return data;
}

// ---------------------------------------------------------------------------------------------
// Writer

Expected<ZipWriter> ZipWriter::Create(const std::string& path) {
  ZipWriter w;
  w.path_ = path;
  w.tmp_path_ = path + ".tmp";
  w.file_ = std::fopen(w.tmp_path_.c_str(), "wb");
  if (w.file_ == nullptr)
    return IOError("cannot open '" + w.tmp_path_ + "' for writing: " + std::strerror(errno));
  return w;
}

ZipWriter::ZipWriter(ZipWriter&& o) noexcept
    : path_(std::move(o.path_)),
      tmp_path_(std::move(o.tmp_path_)),
      file_(o.file_),
      offset_(o.offset_),
      entries_(std::move(o.entries_)) {
  o.file_ = nullptr;
}

ZipWriter& ZipWriter::operator=(ZipWriter&& o) noexcept {
  if (this != &o) {
    ZipWriter old(std::move(*this));
    path_ = std::move(o.path_);
    tmp_path_ = std::move(o.tmp_path_);
    file_ = o.file_;
    offset_ = o.offset_;
    entries_ = std::move(o.entries_);
    o.file_ = nullptr;
  }
  return *this;
}

ZipWriter::~ZipWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(tmp_path_.c_str());
  }
}

Status ZipWriter::WriteBytes(std::string_view bytes) {
  if (file_ == nullptr) return Internal("ZipWriter used after Finish()");
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    return IOError("write failed for '" + tmp_path_ + "': " + std::strerror(errno));
  offset_ += bytes.size();
  return Status::Ok();
}

Status ZipWriter::Add(const std::string& name, std::string_view data, bool deflate) {
  if (name.empty() || name.size() > 0xffff) return InvalidArgument("bad zip entry name");
  ZipEntryInfo info;
  info.name = name;
  info.method = deflate ? 8 : 0;
  info.flags = kFlagUtf8;
  info.crc32 = Crc32(data);
  info.uncompressed_size = data.size();
  info.local_header_offset = offset_;
  std::string compressed;
  if (deflate) {
    SHRINK_ASSIGN_OR_RETURN(compressed, Deflate(data));
    data = compressed;
  }
  info.compressed_size = data.size();
  const bool zip64 = info.uncompressed_size >= k32Max || info.compressed_size >= k32Max;
  std::string h;
  Put(h, kLocalSig, 4);
  Put(h, zip64 ? 45 : 20, 2);
  Put(h, info.flags, 2);
  Put(h, info.method, 2);
  Put(h, 0, 2);
  Put(h, kDosDate, 2);
  Put(h, info.crc32, 4);
  Put(h, zip64 ? k32Max : info.compressed_size, 4);
  Put(h, zip64 ? k32Max : info.uncompressed_size, 4);
  Put(h, name.size(), 2);
  Put(h, zip64 ? 20 : 0, 2);
  h += name;
  if (zip64) {
    Put(h, 0x0001, 2);
    Put(h, 16, 2);
    Put(h, info.uncompressed_size, 8);
    Put(h, info.compressed_size, 8);
  }
  SHRINK_RETURN_IF_ERROR(WriteBytes(h));
  SHRINK_RETURN_IF_ERROR(WriteBytes(data));
  entries_.push_back(std::move(info));
  return Status::Ok();
}

Status ZipWriter::Finish() {
  const uint64_t cd_offset = offset_;
  std::string cd;
  for (const ZipEntryInfo& info : entries_) {
    std::string extra;
    if (info.uncompressed_size >= k32Max) Put(extra, info.uncompressed_size, 8);
    if (info.compressed_size >= k32Max) Put(extra, info.compressed_size, 8);
    if (info.local_header_offset >= k32Max) Put(extra, info.local_header_offset, 8);
    if (!extra.empty()) {
      std::string x;
      Put(x, 0x0001, 2);
      Put(x, extra.size(), 2);
      extra = x + extra;
    }
    Put(cd, kCentralSig, 4);
    Put(cd, (3 << 8) | 45, 2);  // made by: Unix, spec 4.5
    Put(cd, extra.empty() ? 20 : 45, 2);
    Put(cd, info.flags, 2);
    Put(cd, info.method, 2);
    Put(cd, 0, 2);
    Put(cd, kDosDate, 2);
    Put(cd, info.crc32, 4);
    Put(cd, std::min<uint64_t>(info.compressed_size, k32Max), 4);
    Put(cd, std::min<uint64_t>(info.uncompressed_size, k32Max), 4);
    Put(cd, info.name.size(), 2);
    Put(cd, extra.size(), 2);
    Put(cd, 0, 2);                        // comment
    Put(cd, 0, 2);                        // disk
    Put(cd, 0, 2);                        // internal attributes
    Put(cd, uint64_t{0100644} << 16, 4);  // external attributes: regular file 0644
    Put(cd, std::min<uint64_t>(info.local_header_offset, k32Max), 4);
    cd += info.name;
    cd += extra;
  }
  SHRINK_RETURN_IF_ERROR(WriteBytes(cd));
  const uint64_t cd_size = cd.size();
  const uint64_t count = entries_.size();
  std::string tail;
  if (count >= 0xffff || cd_size >= k32Max || cd_offset >= k32Max) {
    const uint64_t z64_offset = offset_;
    Put(tail, kZip64EocdSig, 4);
    Put(tail, kZip64EocdLen - 12, 8);
    Put(tail, (3 << 8) | 45, 2);
    Put(tail, 45, 2);
    Put(tail, 0, 4);
    Put(tail, 0, 4);
    Put(tail, count, 8);
    Put(tail, count, 8);
    Put(tail, cd_size, 8);
    Put(tail, cd_offset, 8);
    Put(tail, kZip64LocatorSig, 4);
    Put(tail, 0, 4);
    Put(tail, z64_offset, 8);
    Put(tail, 1, 4);
  }
  Put(tail, kEocdSig, 4);
  Put(tail, 0, 2);
  Put(tail, 0, 2);
  Put(tail, std::min<uint64_t>(count, 0xffff), 2);
  Put(tail, std::min<uint64_t>(count, 0xffff), 2);
  Put(tail, std::min<uint64_t>(cd_size, k32Max), 4);
  Put(tail, std::min<uint64_t>(cd_offset, k32Max), 4);
  Put(tail, 0, 2);
  SHRINK_RETURN_IF_ERROR(WriteBytes(tail));
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) {
    std::remove(tmp_path_.c_str());
    return IOError("write failed for '" + tmp_path_ + "': " + std::strerror(errno));
  }
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    std::remove(tmp_path_.c_str());
    return IOError("cannot rename '" + tmp_path_ + "' to '" + path_ + "': " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace shrink
