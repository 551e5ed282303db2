// Benchmark (not a test): the native int8 convolution kernels (runtime/fast/int8_gemm.h,
// int8_depthwise.h) on one thread, called directly on the layer shapes of the trained
// depthwise_cnn and fashion_cnn at batch 1 (random u8 activations, s8 weights, per-channel
// requantization). Each case: `--repeats` blocks of `--runs` calls; prints the best block's median
// per call and outputs per ns (what bounds these kernels: each output is requantized), and for
// the GEMM multiply-adds per ns, as a markdown table. --svg draws each kernel's time, beside the
// times of an earlier run's table (--baseline, e.g. one built from an older commit).
//   int8_kernels [--runs 500] [--repeats 5] [--svg OUT.svg [--baseline EARLIER.md]]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "report/svg_bar_chart.h"
#include "runtime/fast/int8_depthwise.h"
#include "runtime/fast/int8_gemm.h"
#include "runtime/fast/int8_gemv.h"
#include "runtime/fast/int8_requant.h"

namespace {

using namespace shrink::runtime::fast;

std::mt19937 rng(1);

std::vector<int8_t> Weights(int64_t n) {
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<int8_t>(static_cast<int>(rng() % 201) - 100);
  return v;
}

std::vector<uint8_t> Activations(int64_t n) {
  std::vector<uint8_t> v(static_cast<size_t>(n + 64));  // whole 4-byte groups may read past
  for (auto& x : v) x = static_cast<uint8_t>(rng() % 256);
  return v;
}

Int8Requant Requant(int64_t m) {
  Int8Requant r;
  r.bias.assign(static_cast<size_t>(m), 100);
  r.scales.resize(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) r.scales[static_cast<size_t>(i)] = 2e-4f + 1e-6f * i;
  r.y_zp = 3;
  return r;
}

struct Options {
  int runs = 500, repeats = 5;
};

// Best block median of f, microseconds.
double Time(const Options& o, const std::function<void()>& f) {
  double best = 1e30;
  for (int r = 0; r < o.repeats; ++r) {
    std::vector<double> t;
    for (int i = 0; i < o.runs; ++i) {
      const auto a = std::chrono::steady_clock::now();
      f();
      t.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
    }
    std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
    best = std::min(best, t[t.size() / 2]);
  }
  return best;
}

struct Row {
  std::string kernel;
  double us;
};
std::vector<Row> rows;

void Report(const std::string& what, double us, int64_t outputs, int64_t macs) {
  rows.push_back({what, us});
  std::printf("| %s | %.2f | %.2f | %s |\n", what.c_str(), us, outputs / us / 1e3,
              macs ? std::to_string(static_cast<int>(macs / us / 1e3)).c_str() : "");
}

// 1x1 convolution over `px` pixels: K in, N out (the GEMM read in place).
void Pointwise(const Options& o, int64_t px, int64_t k, int64_t n) {
  const auto w = Weights(k * n);
  const Int8GemvWeights packed = PackInt8Gemv(w.data(), k, n);
  const auto x = Activations(px * k);
  std::vector<uint8_t> y(static_cast<size_t>(px * n));
  const Int8Requant rq = Requant(n);
  const double us = Time(o, [&] { Int8Gemm(packed, x.data(), k, px, rq, y.data(), n); });
  Report("pw " + std::to_string(k) + "->" + std::to_string(n) + " " + std::to_string(px) + "px", us,
         px * n, px * n * k);
}

// 3x3 pad-1 convolution over one channel (a first layer): window rows of 4 bytes (3 taps and a
// zero weight) read from the padded image.
void FirstConv(const Options& o, int64_t h, int64_t n) {
  const int64_t wp = h + 2;
  const auto w = Weights(12 * n);
  const Int8GemvWeights packed = PackInt8Gemv(w.data(), 12, n);
  const auto x = Activations((h + 2) * wp + 16);
  std::vector<uint8_t> y(static_cast<size_t>(h * h * n));
  const Int8Requant rq = Requant(n);
  const Int8Segments seg{3, 4, wp};
  const double us = Time(o, [&] {
    for (int64_t r = 0; r < h; ++r)
      Int8Gemm(packed, x.data() + r * wp, 1, h, rq, y.data() + r * h * n, n, seg);
  });
  Report("3x3 1->" + std::to_string(n) + " " + std::to_string(h * h) + "px", us, h * h * n,
         h * h * n * 9);
}

// 3x3 pad-1 depthwise convolution, stride s.
void Depthwise(const Options& o, int64_t h, int64_t c, int64_t s) {
  const auto w = Weights(c * 9);
  const Int8Requant rq = Requant(c);
  const Int8DwWeights packed = PackInt8Depthwise(w.data(), c, 3, 3, rq);
  const auto x = Activations(h * h * c);
  const int64_t oh = (h - 1) / s + 1;
  std::vector<uint8_t> y(static_cast<size_t>(oh * oh * c)), zp(static_cast<size_t>(h * c), 7);
  const DwGeometry g{1, h, h, 1, 1, oh, oh, s, s, 7, zp.data()};
  const double us = Time(o, [&] { Int8Depthwise(packed, g, x.data(), rq, y.data(), 0, oh); });
  Report("dw c" + std::to_string(c) + " s" + std::to_string(s) + " " + std::to_string(h * h) + "px",
         us, oh * oh * c, 0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Native int8 convolution kernels on one thread (not a test)"};
  Options o;
  app.add_option("--runs", o.runs, "Calls a block")->check(CLI::PositiveNumber);
  app.add_option("--repeats", o.repeats, "Blocks (the best median is reported)")
      ->check(CLI::PositiveNumber);
  std::string svg, baseline, baseline_label = "baseline";
  app.add_option("--svg", svg, "Plot of the kernels' times (SVG)");
  app.add_option("--baseline", baseline, "An earlier run's table, plotted beside");
  app.add_option("--baseline-label", baseline_label, "Its legend entry");
  CLI11_PARSE(app, argc, argv);
  if (!Int8DepthwiseAvailable()) {
    std::fprintf(stderr, "int8_kernels: needs AVX-512 VNNI and VBMI\n");
    return 1;
  }
  std::printf(
      "| kernel (batch 1; px: input pixels) | us | outputs / ns | multiply-adds / ns "
      "|\n|---|---|---|---|\n");
  FirstConv(o, 28, 16);  // depthwise_cnn
  FirstConv(o, 28, 32);  // fashion_cnn
  // depthwise_cnn's pointwise (pixels, K, N) and depthwise (size, channels, stride) layers.
  const int64_t pointwise[][3] = {{784, 16, 16}, {784, 16, 64}, {196, 64, 24}, {196, 24, 96},
                                  {196, 96, 24}, {49, 96, 32},  {49, 32, 128}, {49, 128, 32}};
  for (const auto& p : pointwise) Pointwise(o, p[0], p[1], p[2]);
  const int64_t depthwise[][3] = {{28, 16, 1}, {28, 64, 2}, {14, 96, 1}, {14, 96, 2}, {7, 128, 1}};
  for (const auto& d : depthwise) Depthwise(o, d[0], d[1], d[2]);
  if (svg.empty()) return 0;
  shrink::report::BarChart c;
  c.title = "native int8 kernels, one thread, batch 1 (lower is better)";
  c.y_label = "us a call";
  shrink::report::BarSeries now{"this build", {}, "#4e79a7"};
  for (const Row& r : rows) {
    c.categories.push_back(r.kernel);
    now.values.push_back(r.us);
  }
  if (!baseline.empty()) {  // "| kernel | us | ..." rows of an earlier run
    std::ifstream f(baseline);
    if (!f) {
      std::fprintf(stderr, "int8_kernels: cannot read %s\n", baseline.c_str());
      return 2;
    }
    shrink::report::BarSeries before{baseline_label, std::vector<double>(rows.size(), NAN),
                                     "#bab0ac"};
    for (std::string line; std::getline(f, line);) {
      std::stringstream ss(line);
      std::string empty, kernel, us;
      if (!std::getline(ss, empty, '|') || !std::getline(ss, kernel, '|') ||
          !std::getline(ss, us, '|'))
        continue;
      kernel = kernel.substr(1, kernel.size() - 2);
      for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].kernel == kernel) before.values[i] = std::atof(us.c_str());
    }
    c.series.push_back(std::move(before));
  }
  c.series.push_back(std::move(now));
  auto out = shrink::report::RenderBarChartSvg(c);
  std::ofstream file(svg, std::ios::binary);
  if (!out.ok() || !(file << *out)) {
    std::fprintf(stderr, "int8_kernels: cannot write %s\n", svg.c_str());
    return 2;
  }
  return 0;
}
