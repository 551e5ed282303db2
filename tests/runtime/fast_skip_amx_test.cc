// SkipAmx (onednn_util.h): a small int8 convolution's primitive descriptor moves past oneDNN's
// AMX implementations and still builds; without `skip` it keeps oneDNN's first choice.
#include <gtest/gtest.h>

#include <string>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;

// The operation descriptor (a primitive descriptor must be built in place: one moved out of a
// function loses its implementation iterator, and next_impl() then stops).
dnnl::convolution_forward::desc SmallInt8Conv() {
  const auto any = memory::format_tag::any;
  memory::desc x({1, 24, 14, 14}, memory::data_type::u8, any),
      w({96, 24, 1, 1}, memory::data_type::s8, any), y({1, 96, 14, 14}, memory::data_type::u8, any);
  return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::convolution_direct, x, w, y, {1, 1},
                                         {0, 0}, {0, 0});
}

TEST(SkipAmx, SmallInt8ConvLeavesAmxAndStillBuilds) {
  dnnl::convolution_forward::primitive_desc first(SmallInt8Conv(), CpuEngine());
  const std::string chosen = first.impl_info_str();
  SkipAmx(first, false);
  EXPECT_EQ(first.impl_info_str(), chosen);
  dnnl::convolution_forward::primitive_desc pd(SmallInt8Conv(), CpuEngine());
  SkipAmx(pd, true);
  const std::string impl = pd.impl_info_str();
  EXPECT_EQ(impl.find("amx"), std::string::npos) << impl;
  if (chosen.find("amx") == std::string::npos) {
    EXPECT_EQ(impl, chosen);  // nothing to skip
  }
  EXPECT_NO_THROW(dnnl::convolution_forward{pd});
  std::cout << "first choice " << chosen << ", without AMX " << impl << "\n";
}

}  // namespace
}  // namespace shrink::runtime::fast
