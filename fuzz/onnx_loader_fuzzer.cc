// libFuzzer target: arbitrary bytes through the ONNX loader (parse, convert, sort, verify) and,
// when they load, through the exporter. Any crash, leak, hang or sanitizer report is a bug; a
// clean error Status is the expected outcome for garbage.
#include <cstddef>
#include <cstdint>

#include "core/tensor.h"
#include "onnx/export.h"
#include "onnx/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shrink::SetTensorMemoryLimit(size_t{64} << 20);        // hostile shapes must fail, not allocate
  auto model = shrink::onnx_io::ParseModel(data, size);  // no folder: external data refused
  if (model.ok()) {
    auto bytes = shrink::onnx_io::SerializeModel(*model);
    (void)bytes;
  }
  return 0;
}
