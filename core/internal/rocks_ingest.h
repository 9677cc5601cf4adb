// Bulk writes as table files: a batch too large for the write-ahead log and
// the memtables is written into one SST file per family and ingested
// (RocksDB's IngestExternalFiles, atomic across families). Only
// core/internal/rocks_store_writes.cc includes this.
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/store.h"

namespace backpack::rocks {

// The handle and options of a family by name; kNotFound if there is none.
struct FamilyRef {
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  rocksdb::ColumnFamilyOptions options;
};
using FamilyLookup = std::function<Result<FamilyRef>(std::string_view family)>;

// Writes `batch` into `dir` (created, and expected empty) as one SST file per
// family, families side by side on every core; the last write to each key
// wins (a delete becomes a tombstone). Returns what IngestExternalFiles needs to add them to
// the database with sequence numbers after every existing write, moving
// (hard-linking) the files rather than copying them.
Result<std::vector<rocksdb::IngestExternalFileArg>> WriteTableFiles(const WriteBatch& batch,
                                                                    const std::string& dir,
                                                                    const FamilyLookup& lookup);

}  // namespace backpack::rocks
