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
// A throw while a group is sequenced, chained, signed, projected or staged
// for its write (std::bad_alloc, a CommitHook's bug) fails that group like a
// failed write: nothing of it is written, every caller gets kUnavailable, and
// the writer thread and the signing pool's threads go on.
//
// A disk that hangs instead of failing is bounded too: while a sync has run
// longer than EventLogOptions::stalled_sync_after, Writable() says so and new
// appends are refused at once; once it has run durability_wait_limit, every
// append still waiting is answered kUnavailable (see AppendAsync).
//
// Signed checkpoints are written in the same batch whenever a second has
// passed since the last one or the writer found no further work waiting,
// and once more at shutdown.
//
// Thread-safety: every public method is safe to call from any thread.
#pragma once

#include <chrono>
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

// A sync (fsync) that has run this long means the disk has stalled: a
// healthy one finishes in milliseconds, a busy one well within a second.
inline constexpr std::chrono::milliseconds kStalledSyncAfter{5'000};
// How long a caller may wait on a stalled sync before its append is
// answered kUnavailable: longer than kStalledSyncAfter, so /healthz has
// said "unavailable" (and new appends have been refused) before any waiting
// request gives up, and well under an HTTP client's patience.
inline constexpr std::chrono::milliseconds kDurabilityWaitLimit{10'000};

// The writer's steps, for EventLogOptions::writer_fault_for_tests.
enum class WriterStep {
  kSequence,  // numbering a group's events: on the writer thread, once they are numbered
  kChain,     // encoding each body with the previous event's hash: on the pool, once per group
  kSign,      // signing and encoding a run of a group's events: on the pool
  kStage,     // putting a group into its batch: on the writer thread, once its events are in
};

struct EventLogOptions {
  Clock* clock = &SystemClock();
  CommitHook* hook = nullptr;      // not owned; may be null
  size_t max_group_events = 8192;  // separate appends combined into one group, at most
  int signing_threads = 0;         // 0: one per core
  // While a sync has run this long, Writable() reports the disk stalled and
  // new appends are refused at once (kUnavailable) instead of queueing.
  std::chrono::milliseconds stalled_sync_after = kStalledSyncAfter;
  // Once a sync has run this long, every append still waiting is answered
  // kUnavailable; it may still become durable later (see AppendAsync).
  std::chrono::milliseconds durability_wait_limit = kDurabilityWaitLimit;
  // Test seam, never set in production: called in each step (once per group
  // or run, never per event; see WriterStep for when) with the first
  // sequence number it covers, so that a test can make the step throw.
  std::function<void(WriterStep step, uint64_t first_seq)> writer_fault_for_tests;
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
  // nothing appended, if the log lost events from its tail or its head or its
  // stored tree no longer matches the latest signed checkpoint: appending
  // would reuse the removed events' numbers and sign over the damage
  // (`backpack verify`, which opens the store read-only, names it). Events
  // are not counted: only `backpack verify` finds one removed in between.
  // kFailedPrecondition, naming both key IDs, if the log names another
  // signing key than `keys` (CheckLogSigner: whether the key is wrong or the
  // log's key IDs were edited, nothing may be appended under `keys`).
  // kUnavailable if one of its threads cannot be started (none is left).
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
  // On a stalled disk it waits for the sync to return.
  virtual ~EventLog() = default;

  // Appends `events` atomically, in order, in one commit group; blocks until
  // durable. kInvalidArgument for bad events (nothing appended), kGone if a
  // subject of a personal event was shredded (nothing appended; also when its
  // RecordShredded reached the log first, though the event was sealed before
  // it: no personal event about a subject ever follows its RecordShredded),
  // kUnavailable if the write failed or the disk has stalled (as AppendAsync).
  virtual Result<AppendResult> Append(std::vector<NewEvent> events) = 0;
  // As Append, but returns at once; `done` runs exactly once: on the
  // calling thread for an append refused at once, else on a log thread after
  // the group is durable or has failed. `done` must not block.
  // kUnavailable at once while the disk has stalled (a sync has run longer
  // than stalled_sync_after); and if the sync it waits for runs longer than
  // durability_wait_limit, `done` gets kUnavailable then and never hears the
  // outcome: the events may still become durable. Callers that answer
  // "unavailable" must therefore send nothing they would send on success.
  virtual void AppendAsync(std::vector<NewEvent> events,
                           std::function<void(Result<AppendResult>)> done) = 0;
  // Returns once every append made so far has been answered and no `done` is
  // still running (nor one started by a `done` meanwhile): afterwards no
  // completion of an earlier append runs. Takes at most about
  // durability_wait_limit on a stalled disk. Lifetime contract: whoever owns
  // state that `done` callbacks use (e.g. the HTTP API's pools) calls this
  // after the last append that could use it and before destroying it.
  virtual void Drain() = 0;

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
  // (Store::Writable), the log has not yet recovered from a failed write or
  // sync, or a sync has been running longer than stalled_sync_after (a
  // stalled disk). Cheap and never waits for the writer (for /healthz).
  virtual Status Writable() const = 0;
};

}  // namespace backpack
