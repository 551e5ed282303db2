// The fixture of the `shrink quantize` CLI tests: a private temp folder, the shrink binary run
// there, seeded random weights and the one-line error check.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/subprocess.h"
#include "core/temp_dir.h"
#include "core/tensor.h"

namespace shrink::testing {

class QuantizeCliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::Create("shrink_quantize_cli_test_");
    ASSERT_TRUE(t.ok());
    dir_ = std::make_unique<TempDir>(std::move(t).value());
  }
  std::string Path(const std::string& name) const { return dir_->path() + "/" + name; }

  ProcessResult Shrink(std::vector<std::string> args) {
    args.insert(args.begin(), SHRINK_BIN);
    ProcessOptions o;
    o.working_dir = dir_->path();
    o.timeout_seconds = 300;
    auto r = RunProcess(args, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ProcessResult{};
  }

  static Tensor Random(const Shape& shape, float scale, uint32_t seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<float> d(0, scale);
    Tensor t(DataType::kFloat32, shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(gen);
    return t;
  }

  static void ExpectOneLineError(const ProcessResult& r, int code, const std::string& fragment) {
    EXPECT_EQ(r.exit_code, code) << r.stderr_data;
    EXPECT_EQ(std::count(r.stderr_data.begin(), r.stderr_data.end(), '\n'), 1) << r.stderr_data;
    EXPECT_NE(r.stderr_data.find(fragment), std::string::npos) << r.stderr_data;
  }

  std::unique_ptr<TempDir> dir_;
};

}  // namespace shrink::testing
