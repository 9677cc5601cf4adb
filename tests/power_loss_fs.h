// PowerLossFs: a rocksdb::FileSystem for tests that simulate a power failure.
//
// It passes every call to the real filesystem and remembers, for each file
// RocksDB creates through it, what a power failure could not take away: how
// many bytes a completed Sync or Fsync covered, and whether the file's name is
// durable (its directory fsynced since the file was created, linked or
// renamed). DurableImage copies a directory as the disk would hold it had the
// power failed at that instant: such a file cut to its synced length, one whose
// name is not durable left out. RangeSync (sync_file_range) and Close make
// nothing durable. Files it did not create (and their renames) count as
// durable, as does a deletion at once.
//
// RocksDB's FaultInjectionTestFS keeps unsynced bytes in memory and fails
// every call once the "power" is off; this one writes through, so the database
// keeps running, unaffected, while the image is taken and closes normally
// afterwards. The test opens the image as the store after the failure.
//
// Thread-safety: all of it, as RocksDB requires.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/internal/rocks_open.h"

namespace backpack::testing {

class PowerLossFs final : public rocksdb::FileSystemWrapper {
 public:
  // What is known of one file created through this filesystem.
  struct FileState {
    uint64_t written = 0;       // bytes appended (the file's length)
    uint64_t synced = 0;        // a prefix made durable by a completed sync
    bool name_durable = false;  // its directory was fsynced since it got its name
  };

  PowerLossFs();
  const char* Name() const override { return "PowerLossFs"; }

  // A StoreOptions::test_env that opens stores over `fs`.
  static std::shared_ptr<const rocks::TestEnv> EnvOver(std::shared_ptr<PowerLossFs> fs);

  // Copies `dir` (recursively) to `image`, which must not exist, as a power
  // failure at this instant would leave it. Calls that change what is durable
  // wait meanwhile; appends beyond the synced lengths go on.
  void DurableImage(const std::filesystem::path& dir, const std::filesystem::path& image);

  // Syncs counted so far (files and directories).
  uint64_t syncs() const;

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& name, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;

 private:
  class TrackedFile;
  class TrackedDirectory;

  // Called by TrackedFile and TrackedDirectory.
  // `size` bytes written at `offset` (nullopt: at the end).
  void Appended(FileState& state, std::optional<uint64_t> offset, uint64_t size);
  void Truncated(FileState& state, uint64_t size);
  uint64_t Written(const FileState& state);
  void Synced(FileState& state, uint64_t covered);
  // The files whose names a fsync of `dir` starting now makes durable.
  std::vector<std::shared_ptr<FileState>> PendingNames(const std::string& dir);
  void NamesSynced(const std::vector<std::shared_ptr<FileState>>& files);

  // Starts tracking `name` (a new name for `state`). Requires mu_.
  void TrackLocked(const std::string& name, std::shared_ptr<FileState> state);

  mutable std::mutex mu_;
  // By normalized path; a state is shared with the open TrackedFile writing it.
  std::map<std::string, std::shared_ptr<FileState>> files_;  // guarded by mu_
  uint64_t syncs_ = 0;                                       // guarded by mu_
};

}  // namespace backpack::testing
