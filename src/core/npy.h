// NumPy .npy / .npz files <-> shrink::Tensor.
//
// Contract:
// - .npy: format versions 1.0, 2.0 and 3.0 are read; writing uses 1.0 (2.0 when the header does
//   not fit 64 KiB), header padded so the data starts at a multiple of 64 bytes, like numpy.
// - dtypes: f2 f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1 (float16 .. bool), little-endian ('<', '|', or
//   '=' on this little-endian host), C order. fortran_order=True, big-endian ('>') multi-byte
//   types, structured / string / object dtypes -> kUnimplemented with the reason in the message.
//   Tensors of other dtypes (bfloat16, int4, uint4, string) cannot be written -> kUnimplemented.
// - Bool bytes other than 0/1 are read as true (stored as 1).
// - Damaged input never crashes: bad magic, truncated header, malformed header dict, negative or
//   overflowing dims, or less data than the shape needs -> kCorrupt; a shape whose size exceeds
//   the tensor memory limit (SetTensorMemoryLimit) -> kResourceExhausted. Extra bytes after the
//   data are ignored (numpy does the same).
// - .npz: a zip archive of .npy entries named "<key>.npy". Read returns the keys with ".npy"
//   removed, in archive order; stored and deflated (np.savez_compressed) entries are read, CRC-32
//   checked, zip64 understood. Write appends ".npy" to each key; stored unless `compress`.
//   Keys must be non-empty, unique, and must not contain '/', '\\' or NUL -> kInvalidArgument.
// - I/O failures -> kIOError / kNotFound, messages name the file (and the npz entry).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "core/status.h"
#include "core/tensor.h"

namespace shrink {

// True when `dtype` has a .npy representation here (see the list above).
bool NpySupports(DataType dtype);
// The numpy descr string for `dtype` ("<f4", "|b1", ...); kUnimplemented when unsupported.
Expected<std::string> NpyDescr(DataType dtype);

Expected<Tensor> ParseNpy(std::string_view bytes);
Expected<Tensor> ReadNpy(const std::string& path);

// The complete .npy file contents; kUnimplemented for dtypes NpySupports() rejects.
Expected<std::string> SerializeNpy(const Tensor& tensor);
Status WriteNpy(const std::string& path, const Tensor& tensor);

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct NpzWriteOptions {
  bool compress = false;  // deflate entries (like np.savez_compressed)
};

Expected<NamedTensors> ReadNpz(const std::string& path);
Status WriteNpz(const std::string& path, const NamedTensors& entries,
                const NpzWriteOptions& options = {});

}  // namespace shrink
