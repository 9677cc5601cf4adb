// RocksDB at the store's boundary: status and slice conversions, and
// opening a database with the options every Backpack store uses. Only
// core/store.cc, its helpers and tests include this.
#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "core/store.h"

namespace backpack::rocks {

inline rocksdb::Slice ToSlice(ByteView b) {
  return rocksdb::Slice(reinterpret_cast<const char*>(b.data()), b.size());
}
inline ByteView FromSlice(const rocksdb::Slice& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Converts a RocksDB status at the module boundary: I/O errors, a full disk
// and the like become kUnavailable, corruption kDataLoss.
Status FromRocks(const rocksdb::Status& s, std::string_view what);

// The options of family `name`: bloom filters and the shared block cache for
// all, memtable insert hints for the store's sequenced families.
rocksdb::ColumnFamilyOptions FamilyOptions(std::string_view name, const StoreOptions& store);

// The bytes the block cache every store shares now holds.
size_t BlockCacheUsage();

// A test-only seam (StoreOptions::test_env): the store opens its database
// with `env` as DBOptions::env, e.g. rocksdb::NewCompositeEnv over a
// rocksdb::FileSystem that records what was fsynced (tests/power_loss_fs.h),
// for every open and reopen. Only RocksDB's own files go through it: the
// table files of a bulk write are written with the default Env before being
// linked in, and the info log (LOG) with plain POSIX calls. The store's
// options keep `env` alive as long as the store.
struct TestEnv {
  std::shared_ptr<rocksdb::Env> env;
};

struct OpenedDb {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // one per family, as opened
};

// Opens (or creates, per `options`) the database in `dir` with every family
// it already has, `options.column_families` and `extra_families`.
Result<OpenedDb> OpenRocks(const std::string& dir, const StoreOptions& options,
                           const std::vector<std::string>& extra_families);

}  // namespace backpack::rocks
