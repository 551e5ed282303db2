// .npz (zip of .npy) reading and writing; declared in core/npy.h.
#include <set>

#include "core/npy.h"
#include "core/zip.h"

namespace shrink {

Expected<NamedTensors> ReadNpz(const std::string& path) {
  SHRINK_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::Open(path));
  NamedTensors out;
  for (size_t i = 0; i < zip.entries().size(); ++i) {
    std::string name = zip.entries()[i].name;
    if (!name.empty() && name.back() == '/') continue;  // a directory entry
    SHRINK_ASSIGN_OR_RETURN(std::string bytes, zip.Read(i));
    Expected<Tensor> t = ParseNpy(bytes);
    if (!t.ok()) return t.status().WithContext("'" + path + "' entry '" + name + "'");
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    out.emplace_back(std::move(name), std::move(t).value());
  }
  return out;
}

Status WriteNpz(const std::string& path, const NamedTensors& entries,
                const NpzWriteOptions& options) {
  std::set<std::string> seen;
  for (const auto& [name, tensor] : entries) {
    if (name.empty() || name.find_first_of(std::string("/\\\0", 3)) != std::string::npos)
      return InvalidArgument("WriteNpz '" + path + "': bad entry name '" + name + "'");
    if (!seen.insert(name).second)
      return InvalidArgument("WriteNpz '" + path + "': duplicate entry name '" + name + "'");
  }
  SHRINK_ASSIGN_OR_RETURN(ZipWriter zip, ZipWriter::Create(path));
  for (const auto& [name, tensor] : entries) {
    Expected<std::string> bytes = SerializeNpy(tensor);
    if (!bytes.ok())
      return bytes.status().WithContext("WriteNpz '" + path + "' entry '" + name + "'");
    SHRINK_RETURN_IF_ERROR(zip.Add(name + ".npy", *bytes, options.compress));
  }
  return zip.Finish();
}

}  // namespace shrink
