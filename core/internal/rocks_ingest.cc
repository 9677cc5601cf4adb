#include "core/internal/rocks_ingest.h"

#include <rocksdb/sst_file_writer.h>

#include <filesystem>

#include "core/internal/rocks_open.h"
#include "core/parallel.h"

namespace backpack::rocks {
namespace {

rocksdb::IngestExternalFileOptions IngestOptions() {
  rocksdb::IngestExternalFileOptions options;
  options.move_files = true;
  options.snapshot_consistency = true;  // open snapshots do not see the files
  options.allow_global_seqno = true;
  options.allow_blocking_flush = true;  // a memtable holding any of the keys is flushed first
  options.write_global_seqno = false;   // kept in the MANIFEST, not written into the file
  return options;
}

// Sorts one family's writes and writes them to `path` (synced when
// finished), the last write to each key winning. The file's pages stay in the
// page cache (RocksDB's default drops them once written): a rebuild or a
// reader right after an import would otherwise read it all back from disk.
Status WriteFamilyFile(WriteBatch::FamilyViews& family, const std::string& path,
                       const FamilyRef& ref) {
  WriteBatch::SortByKey(family.writes);
  constexpr bool kInvalidatePageCache = false;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(),
                                rocksdb::Options(rocksdb::DBOptions(), ref.options), ref.handle,
                                kInvalidatePageCache);
  RETURN_IF_ERROR(FromRocks(writer.Open(path), "open table file"));
  const auto& writes = family.writes;
  for (size_t i = 0; i < writes.size(); ++i) {
    if (i + 1 < writes.size() && writes[i + 1].key == writes[i].key) continue;  // overwritten
    rocksdb::Slice key(writes[i].key);
    auto written = writes[i].value ? writer.Put(key, *writes[i].value) : writer.Delete(key);
    RETURN_IF_ERROR(FromRocks(written, "write table file"));
  }
  return FromRocks(writer.Finish(), "finish table file");
}

}  // namespace

Result<std::vector<rocksdb::IngestExternalFileArg>> WriteTableFiles(const WriteBatch& batch,
                                                                    const std::string& dir,
                                                                    const FamilyLookup& lookup) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Err(UnavailableError("cannot create " + dir + ": " + ec.message()));
  const std::vector<std::string>& families = batch.Families();
  std::vector<rocksdb::IngestExternalFileArg> files(families.size());
  std::vector<FamilyRef> refs;
  for (size_t i = 0; i < families.size(); ++i) {
    ASSIGN_OR_RETURN(FamilyRef ref, lookup(families[i]));
    refs.push_back(std::move(ref));
    files[i].column_family = refs[i].handle;
    files[i].external_files.push_back(dir + "/" + std::to_string(i) + ".sst");
    files[i].options = IngestOptions();
  }
  // Families are gathered, sorted and written side by side.
  std::vector<Status> written(families.size());
  ForEachItem(families.size(), [&](size_t i) {
    WriteBatch::FamilyViews writes = batch.FamilyWrites(i);
    written[i] = WriteFamilyFile(writes, files[i].external_files.front(), refs[i]);
  });
  for (const Status& status : written) RETURN_IF_ERROR(status);
  return files;
}

}  // namespace backpack::rocks
