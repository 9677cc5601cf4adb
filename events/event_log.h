// EventLog: the append-only, signed, encrypted, Merkle-verifiable log.
//
// Appends go through a two-stage pipeline (group commit). The writer thread
// takes every pending append, assigns sequence numbers and times, chains
// each event to the previous one's hash, signs (in parallel on all cores),
// lets the CommitHook add projection writes, and writes the whole group as
// one RocksDB batch, unsynced. The syncer thread then makes every group
// written so far durable with one fsync and acknowledges their callers in
// order, while the writer prepares the next group. Until then no kDurable
// read sees the group (core/store.h). An append is acknowledged only after
// its group is durable. If a write or sync fails, every caller of the
// affected groups gets kUnavailable; the writer then reloads its state from
// the store (a group whose sync failed may or may not have survived), before
// the next group or, if none comes, by itself every few seconds. A group the
// store refuses before writing it (Store::CheckSpaceFor: too little free
// space) fails alone, and the writer only drops what it had prepared for it.
//
// Signed checkpoints are written in the same batch whenever a second has
// passed since the last one or the writer found no further work waiting,
// and once more at shutdown.
//
// Thread-safety: every public method is safe to call from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/data_keys.h"
#include "core/keys.h"
#include "core/store.h"
#include "events/event.h"

namespace backpack {

struct EventLogOptions {
  Clock* clock = &SystemClock();
  CommitHook* hook = nullptr;      // not owned; may be null
  size_t max_group_events = 8192;  // separate appends combined into one group, at most
  int signing_threads = 0;         // 0: one per core
};

// Counters for /metrics and benchmarks. Monotonic unless noted.
struct EventLogStats {
  uint64_t events_appended = 0;
  uint64_t groups_committed = 0;
  uint64_t groups_failed = 0;
  uint64_t last_group_events = 0;        // gauge
  uint64_t syncs = 0;                    // fsyncs; each makes one or more groups durable
  uint64_t sync_write_micros_total = 0;  // time spent in those fsyncs
  uint64_t sync_write_micros_max = 0;    // the longest of them
};

class EventLog {
 public:
  // Opens the log in `store` (which must outlive it). Requires the store to
  // have been initialised (origin recorded by InitializeLog). kDataLoss, and
  // nothing appended, if the log lost events from its tail or its stored tree
  // no longer matches the latest signed checkpoint: appending would reuse
  // the removed events' numbers and sign over the damage (`backpack verify`,
  // which opens the store read-only, names it). kFailedPrecondition, naming
  // both keys, if the log names another signing key than `keys` (CheckLogSigner).
  static Result<std::unique_ptr<EventLog>> Open(Store& store, const StoreKeys& keys,
                                                DataKeyRing& data_keys,
                                                const EventLogOptions& options = {});
  // Records the log's origin line for checkpoints. Done once by `backpack init`.
  static Status InitializeLog(Store& store, std::string_view origin);
  // Column families the log needs.
  static std::vector<std::string> ColumnFamilies();
  // Those of them keyed by growing numbers (StoreOptions::sequenced_families).
  static std::vector<std::string> SequencedFamilies();

  // Drains pending appends, writes a final checkpoint, stops the writer.
  virtual ~EventLog() = default;

  // Appends `events` atomically, in order, in one commit group; blocks until
  // durable. kInvalidArgument for bad events (nothing appended), kGone if a
  // subject was shredded, kUnavailable if the write failed.
  virtual Result<AppendResult> Append(std::vector<NewEvent> events) = 0;
  // As Append, but returns at once; `done` runs on the writer thread after
  // the group is durable or has failed. `done` must not block.
  virtual void AppendAsync(std::vector<NewEvent> events,
                           std::function<void(Result<AppendResult>)> done) = 0;

  // Number of durable events (the next sequence number).
  virtual uint64_t size() const = 0;
  // Reads one event, checks its signature and decrypts its payload.
  virtual Result<LoggedEvent> Read(uint64_t seq) = 0;
  // Replays events [from, size()) in order, in batches of up to `batch_size`,
  // decrypting payloads (shredded ones are marked, not an error). Signatures
  // are not checked here: `backpack verify` does that. Stops at the first
  // error `visit` returns. `visit` may move the events out of the span.
  virtual Status Replay(uint64_t from, size_t batch_size,
                        const std::function<Status(std::span<LoggedEvent>)>& visit) = 0;
  // The exact stored bytes of one event (the Merkle leaf input).
  virtual Result<Bytes> ReadStored(uint64_t seq) = 0;

  // The newest signed checkpoint note of a tree no larger than size();
  // kNotFound if none yet.
  virtual Result<std::string> LatestCheckpoint() = 0;
  // Signs and stores a checkpoint for size() (what is durable) if none exists
  // for it; kUnavailable while the log recovers from a failed write.
  virtual Status WriteCheckpoint() = 0;
  virtual Result<std::vector<Hash256>> InclusionProof(uint64_t seq, uint64_t tree_size) = 0;
  virtual Result<std::vector<Hash256>> ConsistencyProof(uint64_t old_size, uint64_t new_size) = 0;
  virtual Result<Hash256> RootAt(uint64_t tree_size) = 0;

  virtual const std::string& origin() const = 0;
  virtual const Ed25519PublicKey& public_key() const = 0;
  virtual EventLogStats stats() const = 0;
  // OK if appends can be made durable now, as far as can be told without
  // trying; otherwise kUnavailable saying why: the store cannot write
  // (Store::Writable), or the log has not yet recovered from a failed write
  // or sync. Cheap and never waits for the writer (for /healthz).
  virtual Status Writable() const = 0;
};

}  // namespace backpack
