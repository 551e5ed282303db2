// float16 / bfloat16 <-> float32 conversion (round to nearest even, NaN/Inf preserved).
#pragma once

#include <cstdint>

namespace shrink {

float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);
float BFloat16ToFloat(uint16_t b);
uint16_t FloatToBFloat16(float f);

}  // namespace shrink
