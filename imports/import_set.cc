#include "imports/import_set.h"

#include "core/crypto.h"
#include "core/parallel.h"
#include "imports/internal/readers.h"

namespace backpack::imports {
namespace {

void AddLength(Sha256Builder* hash, size_t length) {
  auto encoded = EncodeBigEndian64(length);
  hash->Add(ByteView(encoded));
}

Hash256 HashFileSet(const FileSet& files) {
  Sha256Builder hash;
  for (const auto& [name, content] : files) {
    if (!IsImportFileName(name)) continue;
    AddLength(&hash, name.size());
    hash.Add(AsBytes(name));
    AddLength(&hash, content.size());
    hash.Add(AsBytes(content));
  }
  return hash.Finish();
}

Result<ImportSet> ToResult(ImportOutcome outcome) {
  if (!outcome) return Err(outcome.error().ToStatus());
  return std::move(*outcome);
}

}  // namespace

ImportOutcome ParseImportFiles(const FileSet& files, const ImportLimits& limits) {
  ImportSet set;
  ImportErrors errors(limits.max_errors);
  internal::ReadContext context{files, limits, &set, &errors, {}};
  internal::ReadManifest(&context);
  // The OneRoster and the supplemental files fill different parts of the
  // set: they are read side by side, each into its own context, and merged
  // in the order a single reader would have met their errors.
  ImportSet supplemental_set;
  ImportErrors supplemental_errors(limits.max_errors);
  internal::ReadContext supplemental{files, limits, &supplemental_set, &supplemental_errors, {}};
  ForEachItem(2, [&](size_t part) {
    if (part == 0) internal::ReadOneRosterFiles(&context);
    if (part == 1) internal::ReadSupplementalFiles(&supplemental);
  });
  internal::MergeSupplemental(std::move(supplemental), &context);
  internal::CheckReferences(context);
  if (!errors.empty()) {
    errors.Sort();
    return tl::unexpected(std::move(errors));
  }
  set.file_set_hash = HashFileSet(files);
  return set;
}

ImportOutcome ParseImportSet(const std::filesystem::path& zip_or_folder,
                             const ImportLimits& limits) {
  auto files = ReadSource(zip_or_folder, limits);
  if (!files) return tl::unexpected(std::move(files.error()));
  return ParseImportFiles(*files, limits);
}

ImportOutcome ParseImportZip(ByteView zip_bytes, const ImportLimits& limits,
                             std::string_view archive_name) {
  auto files = ReadZipSource(zip_bytes, archive_name, limits);
  if (!files) return tl::unexpected(std::move(files.error()));
  return ParseImportFiles(*files, limits);
}

Result<ImportSet> ReadImportSet(const std::filesystem::path& zip_or_folder,
                                const ImportLimits& limits) {
  return ToResult(ParseImportSet(zip_or_folder, limits));
}

Result<ImportSet> ReadImportZip(ByteView zip_bytes, const ImportLimits& limits) {
  return ToResult(ParseImportZip(zip_bytes, limits));
}

}  // namespace backpack::imports
