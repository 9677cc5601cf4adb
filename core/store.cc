#include "core/store.h"

#include <rocksdb/db.h>
#include <rocksdb/utilities/debug.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <shared_mutex>

#include "core/internal/disk_space.h"
#include "core/internal/rocks_open.h"
#include "core/internal/rocks_store.h"
#include "core/internal/store_dir.h"

namespace backpack {
namespace {

// CountVersions stops counting here.
constexpr size_t kMaxCountedVersions = 16;

// CheckOpenSpace for the database in `dir` (which may not exist yet).
Status OpenSpaceCheck(const std::string& dir, uint64_t min_free_bytes, const std::string& advice) {
  if (min_free_bytes == 0) return OkStatus();
  auto free_bytes = disk_space::FreeBytes(dir);
  if (!free_bytes) return OkStatus();  // unknown: let RocksDB try
  return disk_space::CheckOpenSpace(*free_bytes, min_free_bytes, disk_space::WalBytes(dir), advice);
}

}  // namespace

namespace rocks {

RocksStore::RocksStore(std::string path, StoreOptions options, OpenedDb opened)
    : path_(std::move(path)), options_(std::move(options)) {
  Adopt(opened);
}

RocksStore::~RocksStore() { CloseDb(); }

void RocksStore::Adopt(OpenedDb& opened) {
  db_.reset(opened.db);
  for (auto* h : opened.handles) {
    families_[h->GetName()] = h;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), h));
    it->SeekToFirst();
    known_empty_[h->GetName()] = !it->Valid() && it->status().ok();
  }
}

void RocksStore::CloseDb() {
  if (!db_) return;
  {
    std::lock_guard lock(durable_mu_);
    durable_ = nullptr;  // snapshots must go before the database
  }
  closed_families_.clear();
  for (auto& [name, handle] : families_) {
    closed_families_.push_back(name);
    db_->DestroyColumnFamilyHandle(handle);
  }
  families_.clear();
  known_empty_.clear();
  db_->Close().PermitUncheckedError();
  db_.reset();
}

Status RocksStore::ReopenLocked() {
  if (!broken_) return OkStatus();
  RETURN_IF_ERROR(
      OpenSpaceCheck(path_, options_.min_free_bytes, "the store reopens once space returns"));
  CloseDb();
  StoreOptions reopen = options_;
  reopen.create_if_missing = false;  // it exists: never create an empty one in its place
  auto opened = OpenRocks(path_, reopen, closed_families_);
  if (!opened) {
    std::lock_guard lock(closed_mu_);
    closed_why_ = opened.error().message();
    return ClosedErrorLocked();
  }
  Adopt(*opened);
  {
    std::lock_guard lock(closed_mu_);
    closed_why_.reset();
  }
  broken_ = false;
  return OkStatus();
}

Status RocksStore::Resume() {
  std::unique_lock lock(families_mu_);
  return ReopenLocked();
}

Status RocksStore::ClosedError() const {
  std::lock_guard lock(closed_mu_);
  return ClosedErrorLocked();
}

Status RocksStore::ClosedErrorLocked() const {
  return UnavailableError("the store is closed: reopening it failed (" + closed_why_.value_or("") +
                          "); the next write tries again");
}

Status RocksStore::CheckSpaceFor(uint64_t batch_bytes) const {
  if (options_.min_free_bytes == 0) return OkStatus();
  auto free_bytes = disk_space::FreeBytes(path_);
  if (!free_bytes) return OkStatus();  // unknown: let RocksDB try
  return disk_space::CheckWriteSpace(*free_bytes, options_.min_free_bytes, batch_bytes);
}

Status RocksStore::Writable() const {
  {
    std::lock_guard lock(closed_mu_);
    if (closed_why_) return ClosedErrorLocked();
  }
  if (broken_) {
    return UnavailableError("a write to the store failed; the next write reopens it");
  }
  return CheckSpaceFor(0);
}

std::optional<uint64_t> RocksStore::FreeBytes() const { return disk_space::FreeBytes(path_); }

Status RocksStore::EnsureColumnFamilies(const std::vector<std::string>& names) {
  std::unique_lock lock(families_mu_);
  if (!db_) return ClosedError();
  std::vector<rocksdb::ColumnFamilyDescriptor> absent;
  for (const std::string& name : names) {
    const bool listed =
        std::any_of(absent.begin(), absent.end(), [&](const auto& d) { return d.name == name; });
    if (!families_.contains(name) && !listed) {
      absent.emplace_back(name, FamilyOptions(name, options_));
    }
  }
  if (absent.empty()) return OkStatus();
  std::vector<rocksdb::ColumnFamilyHandle*> created;
  RETURN_IF_ERROR(FromRocks(db_->CreateColumnFamilies(absent, &created), "create column families"));
  for (auto* handle : created) {
    families_[handle->GetName()] = handle;
    known_empty_[handle->GetName()] = true;
  }
  return OkStatus();
}

Status RocksStore::ResetColumnFamilies(const std::vector<std::string>& names) {
  std::unique_lock lock(families_mu_);
  if (!db_) return ClosedError();
  std::vector<rocksdb::ColumnFamilyHandle*> existing;
  for (const auto& name : names) {
    auto it = families_.find(name);
    if (it != families_.end()) existing.push_back(it->second);
  }
  if (!existing.empty()) {
    RETURN_IF_ERROR(FromRocks(db_->DropColumnFamilies(existing), "drop column families"));
    for (auto* handle : existing) {
      families_.erase(handle->GetName());
      db_->DestroyColumnFamilyHandle(handle);
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> created;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, FamilyOptions(name, options_));
  RETURN_IF_ERROR(
      FromRocks(db_->CreateColumnFamilies(descriptors, &created), "create column families"));
  for (auto* handle : created) {
    families_[handle->GetName()] = handle;
    known_empty_[handle->GetName()] = true;
  }
  return OkStatus();
}

std::vector<std::string> RocksStore::ColumnFamilyNames() const {
  std::shared_lock lock(families_mu_);
  if (!db_) return closed_families_;
  std::vector<std::string> names;
  for (auto& [name, handle] : families_) names.push_back(name);
  return names;
}

Status RocksStore::FlushAndCompact(std::string_view name) {
  std::shared_lock lock(families_mu_);
  ASSIGN_OR_RETURN(auto* handle, Handle(name));
  // Flushing every family lets RocksDB delete write-ahead log files that
  // still hold the deleted values.
  RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), AllHandles()), "flush"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  RETURN_IF_ERROR(FromRocks(db_->CompactRange(compact, handle, nullptr, nullptr), "compact"));
  return FromRocks(db_->FlushWAL(true), "flush wal");
}

Result<size_t> RocksStore::CountVersions(std::string_view name, ByteView key) {
  std::shared_lock lock(families_mu_);
  ASSIGN_OR_RETURN(auto* handle, Handle(name));
  rocksdb::Slice slice(reinterpret_cast<const char*>(key.data()), key.size());
  std::vector<rocksdb::KeyVersion> versions;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::GetAllKeyVersions(db_.get(), handle, slice, slice, kMaxCountedVersions, &versions),
      "count versions"));
  return versions.size();
}

}  // namespace rocks

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  RETURN_IF_ERROR(CheckOpenable(dir, options));
  std::error_code ec;
  // Opening for writing writes (a new write-ahead log, the manifest, the
  // table files the old log is replayed into), and an open that runs out of
  // room fails having written table files that only a later open deletes.
  if (!options.read_only) {
    RETURN_IF_ERROR(
        OpenSpaceCheck(dir, options.min_free_bytes, "free some space before opening the store"));
  }
  ASSIGN_OR_RETURN(rocks::OpenedDb opened, rocks::OpenRocks(dir, options, {}));
  if (!options.read_only) std::filesystem::remove_all(rocks::IngestDirOf(dir), ec);
  return std::unique_ptr<Store>(new rocks::RocksStore(dir, options, opened));
}

Status Store::CheckOpenable(const std::string& dir, const StoreOptions& options) {
  return store_dir::CheckBeforeOpen(dir, options);
}

bool Store::InUseByAnotherProcess(const std::string& dir) {
  return store_dir::LockedByAnotherProcess(dir);
}

}  // namespace backpack
