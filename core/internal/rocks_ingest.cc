#include "core/internal/rocks_ingest.h"

#include <rocksdb/sst_file_writer.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "core/internal/rocks_open.h"

namespace backpack::rocks {
namespace {

// Streams sorted writes into one SST file per family. A write is held back
// until the next one shows it was the last to its key.
class TableFilesWriter {
 public:
  TableFilesWriter(std::string dir, const FamilyLookup& lookup)
      : dir_(std::move(dir)), lookup_(lookup) {}

  Status Add(std::string_view family, std::string_view key, std::optional<std::string_view> value) {
    if (held_ && (family != family_ || key != held_key_)) RETURN_IF_ERROR(EmitHeld());
    if (!writer_ || family != family_) RETURN_IF_ERROR(StartFamily(family));
    held_ = true;
    held_key_.assign(key);
    held_delete_ = !value.has_value();
    if (value) held_value_.assign(*value);
    return OkStatus();
  }

  Result<std::vector<rocksdb::IngestExternalFileArg>> Finish() {
    if (held_) RETURN_IF_ERROR(EmitHeld());
    RETURN_IF_ERROR(FinishFamily());
    return std::move(files_);
  }

 private:
  Status StartFamily(std::string_view family) {
    RETURN_IF_ERROR(FinishFamily());
    ASSIGN_OR_RETURN(FamilyRef ref, lookup_(family));
    rocksdb::Options options(rocksdb::DBOptions(), ref.options);
    writer_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options, ref.handle);
    family_.assign(family);
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = ref.handle;
    arg.external_files.push_back(dir_ + "/" + std::to_string(files_.size()) + ".sst");
    arg.options.move_files = true;
    arg.options.snapshot_consistency = true;  // open snapshots do not see the files
    arg.options.allow_global_seqno = true;
    arg.options.allow_blocking_flush = true;  // a memtable holding any of the keys is flushed first
    arg.options.write_global_seqno = false;   // kept in the MANIFEST, not written into the file
    files_.push_back(std::move(arg));
    return FromRocks(writer_->Open(files_.back().external_files.front()), "open table file");
  }

  Status EmitHeld() {
    held_ = false;
    rocksdb::Slice key(held_key_);
    return FromRocks(held_delete_ ? writer_->Delete(key) : writer_->Put(key, held_value_),
                     "write table file");
  }

  // Finishing syncs the file.
  Status FinishFamily() {
    if (!writer_) return OkStatus();
    auto writer = std::move(writer_);
    return FromRocks(writer->Finish(), "finish table file");
  }

  const std::string dir_;
  const FamilyLookup& lookup_;
  std::vector<rocksdb::IngestExternalFileArg> files_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  std::string family_;
  bool held_ = false;
  bool held_delete_ = false;
  std::string held_key_;
  std::string held_value_;
};

}  // namespace

Result<std::vector<rocksdb::IngestExternalFileArg>> WriteTableFiles(const WriteBatch& batch,
                                                                    const std::string& dir,
                                                                    const FamilyLookup& lookup) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Err(UnavailableError("cannot create " + dir + ": " + ec.message()));
  TableFilesWriter writer(dir, lookup);
  RETURN_IF_ERROR(batch.AppendSortedTo(
      [&](std::string_view family, std::string_view key, std::optional<std::string_view> value) {
        return writer.Add(family, key, value);
      }));
  return writer.Finish();
}

}  // namespace backpack::rocks
