// Store: Backpack's handle on its RocksDB database at DATA/db.
//
// Column families are addressed by name; docs/storage-format.md documents
// every family and its key layout. RocksDB types never leave core/.
//
// Thread-safety: Store, Get, Write and iterators are safe to use concurrently
// (RocksDB's guarantees). A WriteBatch belongs to one thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace backpack {

namespace rocks {
struct TestEnv;  // core/internal/rocks_open.h
}  // namespace rocks

// Column families that core/ and events/ own.
namespace cf {
inline constexpr std::string_view kLog = "log";                  // seq(8 BE) -> signed event bytes
inline constexpr std::string_view kMerkle = "merkle";            // level(1) seq-index(8 BE) -> hash
inline constexpr std::string_view kCheckpoints = "checkpoints";  // size(8 BE) -> signed note
inline constexpr std::string_view kDataKeys = "data_keys";       // subject id -> wrapped key
inline constexpr std::string_view kMeta = "meta";                // name -> value
}  // namespace cf

// A set of writes applied atomically by Store::Write.
class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  void Put(std::string_view column_family, ByteView key, ByteView value);
  // Put, keeping `value` itself instead of a copy (for large values the
  // caller no longer needs: the log's signed events).
  void PutOwned(std::string_view column_family, ByteView key, Bytes value);
  void Delete(std::string_view column_family, ByteView key);
  size_t Count() const;
  size_t ByteSize() const;
  void Clear();

  // Calls `append` for each write in (family, key) order, writes to the same
  // key in the order they were made; stops at the first error. Applying the
  // result has the same effect as applying the writes in order. `value` is
  // nullopt for a delete.
  Status AppendSortedTo(
      const std::function<Status(std::string_view family, std::string_view key,
                                 std::optional<std::string_view> value)>& append) const;

  // One write, viewing the batch's bytes (valid while the batch lives unchanged).
  struct View {
    std::string_view key;
    std::optional<std::string_view> value;  // nullopt for a delete
  };
  struct FamilyViews {
    std::string_view family;
    std::vector<View> writes;
  };
  // Each family's writes in the order they were made, families in name order.
  std::vector<FamilyViews> ByFamily() const;
  // The families this batch writes, each once, in the order first written.
  const std::vector<std::string>& Families() const;
  // The writes of Families()[family], in the order they were made.
  FamilyViews FamilyWrites(size_t family) const;
  // Sorts one family's writes by key (bytes compared unsigned); writes to one
  // key keep the order they were made in, so applying them in the new order
  // has the same effect. Cheap for writes already in key order.
  static void SortByKey(std::vector<View>& writes);

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Iterates one column family in key order. Positioned at nothing until a Seek.
class StoreIterator {
 public:
  virtual ~StoreIterator() = default;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(ByteView key) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual ByteView key() const = 0;
  virtual ByteView value() const = 0;
  // Non-ok if iteration stopped because of an I/O or corruption error.
  virtual Status status() const = 0;
};

struct StoreOptions {
  bool create_if_missing = false;
  // Families to create if absent. Families already in the database are always opened.
  std::vector<std::string> column_families;
  // Open without taking the write lock (for `backpack verify` beside a server).
  bool read_only = false;
  // Writes fail with kUnavailable, before reaching RocksDB, unless the
  // filesystem would keep this much free after them (fail closed early:
  // RocksDB cannot keep writing after its write-ahead log hit ENOSPC); see
  // Store::CheckSpaceFor. Opening for writing needs this much free beyond the
  // write-ahead log, which opening replays into new table files. 0: no checks.
  uint64_t min_free_bytes = 16ull << 20;
  // Families whose keys are a group prefix followed by an 8-byte big-endian
  // number that moves steadily within its group (the log's sequence numbers,
  // an index of each student's events). Their memtables insert a key next to
  // the previous one of its group (RocksDB's insert hints) instead of
  // searching the whole skip list. Listing a family changes only the cost of
  // writing it: an unlisted one is slower to write, a wrongly listed one
  // holds about 250 bytes of memtable per distinct prefix.
  std::vector<std::string> sequenced_families;
  // A batch of at least this many bytes (an import's one atomic group) is
  // written as table files and ingested instead of going through the
  // write-ahead log and the memtables: one sequential write per family, and
  // durable when Write returns, whether or not `sync` asked for it. 0: never.
  uint64_t bulk_write_bytes = 64ull << 20;
  // The same for WriteUnlogged, whose batches (a rebuild's lanes writing out
  // what they staged) are all bulk and would otherwise be written twice, to
  // the memtables and then flushed to files.
  uint64_t bulk_unlogged_bytes = 4ull << 20;
  // Tests only: what the database reads and writes its files through instead
  // of the real filesystem (rocks::TestEnv). Null, as in production: the real one.
  std::shared_ptr<const rocks::TestEnv> test_env;
};

// What a read sees. kDurable (the default) sees only durable writes: those
// made with `sync`, and unsynced ones once a later SyncWal succeeded. Nobody
// can read what a crash could still take away. kLatest also sees unsynced
// writes; it is for the event log's writer, whose next commit group builds on
// groups that are still being synced.
enum class ReadView { kDurable, kLatest };

// How much of a family an iterator will read. kWhole: most of it, once, front
// to back (a replay, `verify`, comparing two stores). Such a scan reads the
// files ahead in large pieces and leaves the block cache alone, which keeps
// the blocks that point reads and short scans come back to (and the memory a
// cache full of log blocks would take).
enum class ScanExtent { kPart, kWhole };

class Store {
 public:
  // Opens the database in `dir` (normally DATA/db). Before RocksDB touches
  // the directory (it creates files there even to read): kNotFound, advising
  // `backpack init`, if `dir` does not exist and create_if_missing is false;
  // kUnavailable, with the system's reason, if it cannot be examined;
  // kPermissionDenied, naming the owner, if it belongs to another user than
  // the effective one (root included: files it created would lock the owner
  // out); kFailedPrecondition if it holds no database and create_if_missing
  // is false. Nothing in `dir` is changed when these refuse.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options);
  // What Open checks before RocksDB touches `dir`, alone: for callers that
  // have more to check before opening (keys) and want the store's problems
  // named first.
  static Status CheckOpenable(const std::string& dir, const StoreOptions& options);
  // Whether another process has the database in `dir` open for writing (a
  // running `backpack serve`); false if it cannot tell. Must not be called
  // while this process has it open: the probe would release RocksDB's lock.
  static bool InUseByAnotherProcess(const std::string& dir);
  virtual ~Store() = default;

  // The value under `key`, or nullopt if absent.
  virtual Result<std::optional<Bytes>> Get(std::string_view column_family, ByteView key,
                                           ReadView view = ReadView::kDurable) = 0;
  // Applies `batch` atomically. With `sync`, returns only after the write-ahead
  // log is fsync'd (and so is every earlier write). Without it the batch is
  // written to the log file but only kLatest reads see it until SyncWal (a
  // bulk write, see StoreOptions::bulk_write_bytes, is durable on return).
  // kUnavailable on I/O errors (disk full included).
  virtual Status Write(WriteBatch& batch, bool sync) = 0;
  // Applies `batch` atomically without the write-ahead log: for bulk writes
  // that can be redone from the event log (a rebuild). kLatest reads see them
  // at once; they become durable, and visible to kDurable reads, only when
  // FlushUnlogged returns (a bulk write, at once). A crash before that loses them.
  virtual Status WriteUnlogged(WriteBatch& batch) = 0;
  // Flushes every family's memtables to files, which makes unlogged writes
  // durable, then syncs the write-ahead log (as SyncWal).
  virtual Status FlushUnlogged() = 0;
  // Makes every write applied before the call durable (one fsync of the
  // write-ahead log) and visible to kDurable reads. On failure the store must
  // be reopened (the next Write or Resume does it) and unsynced writes may or
  // may not have survived.
  virtual Status SyncWal() = 0;
  virtual Result<std::unique_ptr<StoreIterator>> NewIterator(
      std::string_view column_family, ReadView view = ReadView::kDurable,
      ScanExtent extent = ScanExtent::kPart) = 0;

  // Creates those of `names` that are absent, in one change of the database's
  // options (creating a store's thirty-odd families one by one took most of a
  // second of fsyncs).
  virtual Status EnsureColumnFamilies(const std::vector<std::string>& names) = 0;
  // Creates `name` if absent.
  Status EnsureColumnFamily(std::string_view name) {
    return EnsureColumnFamilies({std::string(name)});
  }
  // Drops each of `names` (those that exist) with its data, then recreates
  // them all empty, in one change of the database's options.
  virtual Status ResetColumnFamilies(const std::vector<std::string>& names) = 0;
  virtual std::vector<std::string> ColumnFamilyNames() const = 0;

  // Flushes memtables of every family to SST files and compacts `name`, so
  // that deleted values no longer exist in any file (used by shredding). A
  // value that a reader's snapshot still saw may survive the compaction:
  // CountVersions tells.
  virtual Status FlushAndCompact(std::string_view name) = 0;
  // How many versions of `key` in `family` the database still holds in its
  // memtables and live table files: the current value and every overwritten
  // or deleted one that no compaction has dropped yet, a reader's snapshot
  // having kept it (at most 16 are counted). A table file that a compaction
  // replaced but an open iterator still reads is not live: RocksDB deletes it
  // when the iterator closes, or at the next open.
  virtual Result<size_t> CountVersions(std::string_view family, ByteView key) = 0;
  // Recovers from a failed write (e.g. the disk had filled up and space has
  // returned) by reopening the database. Write does this by itself on the
  // next call after a failure. kUnavailable if the store still cannot write.
  // If reopening fails the store is closed: every call, reads included,
  // fails with kUnavailable until a later Write or Resume reopens it.
  virtual Status Resume() = 0;
  // kUnavailable, and nothing written, if writing `batch` could fill the
  // disk: the filesystem must keep StoreOptions::min_free_bytes free beyond
  // twice the batch's size (its write-ahead log record, then the table file
  // a flush copies it to). Write checks this itself; asking first tells a
  // refused batch, which changed nothing, from a failed one.
  virtual Status CheckSpaceFor(const WriteBatch& batch) const = 0;
  // OK if writes can reach the disk now; otherwise kUnavailable saying why:
  // the store is closed, a write or sync failed and the next write reopens
  // it, or the disk is below the free-space guard. Cheap, and never waits
  // for a reopen under way (for health checks).
  virtual Status Writable() const = 0;
  // Free bytes on the store's filesystem; nullopt if unknown.
  virtual std::optional<uint64_t> FreeBytes() const = 0;
  virtual const std::string& path() const = 0;
};

}  // namespace backpack
