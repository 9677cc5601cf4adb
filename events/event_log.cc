#include "events/event_log.h"

#include <future>

#include "core/parallel.h"
#include "core/threads.h"
#include "events/checkpoint.h"
#include "events/internal/event_log_impl.h"
#include "events/log_layout.h"
#include "events/log_reading.h"
#include "events/merkle.h"

namespace backpack {
namespace log_pipeline {

EventLogImpl::EventLogImpl(Store& store, const StoreKeys& keys, DataKeyRing& data_keys,
                           const EventLogOptions& options, std::string origin, ChainState state)
    : store_(store),
      keys_(keys),
      data_keys_(data_keys),
      options_(options),
      origin_(std::move(origin)),
      state_(std::move(state)),
      shreds_(data_keys),
      pool_(options.signing_threads > 0 ? options.signing_threads : static_cast<int>(CoreCount())),
      syncer_(store, data_keys, stats_, state_.next_seq),
      answers_(options.durability_wait_limit) {
  answers_.StartWatch([this] { return syncer_.SyncRunningFor(); });
  try {
    writer_ = StartThread([this] { WriterLoop(); });
  } catch (...) {
    answers_.StopWatch();  // the members' destructors stop the other threads
    throw;
  }
}

EventLogImpl::~EventLogImpl() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_.join();        // it drains the queue first
  syncer_.Stop();        // syncs every group the writer wrote
  answers_.StopWatch();  // every append has been answered by now
  WriteCheckpoint().IgnoreError();
}

Result<AppendResult> EventLogImpl::Append(std::vector<NewEvent> events) {
  std::promise<Result<AppendResult>> promise;
  auto future = promise.get_future();
  AppendAsync(std::move(events),
              [&promise](Result<AppendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void EventLogImpl::AppendAsync(std::vector<NewEvent> events,
                               std::function<void(Result<AppendResult>)> done) {
  // Refused at once rather than queued behind a stalled sync.
  if (Status stalled = CheckNotStalled(); !stalled.ok()) return done(Err(stalled));
  auto pending = PrepareAppend(std::move(events), data_keys_);
  if (!pending) return done(Err(pending.error()));
  pending->done = answers_.Track(std::move(done));
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) {
      return pending->done(Err(UnavailableError("the event log is shutting down")));
    }
    queue_.push_back(std::move(*pending));
  }
  queue_cv_.notify_one();
}

Status EventLogImpl::Writable() const {
  RETURN_IF_ERROR(store_.Writable());
  if (Recovering()) {
    return UnavailableError("the event log has not recovered from a failed write yet");
  }
  return CheckNotStalled();
}

Status EventLogImpl::CheckNotStalled() const {
  const auto running = syncer_.SyncRunningFor();
  if (running < options_.stalled_sync_after) return OkStatus();
  return UnavailableError("the disk has not finished a sync for " +
                          std::to_string(running.count() / 1000) + " ms (stalled?)");
}

Result<Bytes> EventLogImpl::ReadStored(uint64_t seq) {
  return log_reading::ReadStored(store_, seq);
}

Result<LoggedEvent> EventLogImpl::Read(uint64_t seq) {
  return log_reading::ReadEvent(store_, data_keys_, keys_.signing.public_key(), seq, &verified_);
}

Status EventLogImpl::Replay(uint64_t from, size_t batch_size,
                            const std::function<Status(std::span<LoggedEvent>)>& visit) {
  return log_reading::ReplayEvents(store_, data_keys_, from, size(), batch_size, visit);
}

Status EventLogImpl::CheckTreeSize(uint64_t tree_size) const {
  if (tree_size > size()) {
    return InvalidArgumentError("tree size " + std::to_string(tree_size) +
                                " exceeds the log size " + std::to_string(size()));
  }
  return OkStatus();
}

Result<std::vector<Hash256>> EventLogImpl::InclusionProof(uint64_t seq, uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(tree_size));
  return merkle::InclusionProof(seq, tree_size, layout::StoredNodes(store_));
}

Result<std::vector<Hash256>> EventLogImpl::ConsistencyProof(uint64_t old_size, uint64_t new_size) {
  RETURN_IF_ERROR(CheckTreeSize(new_size));
  return merkle::ConsistencyProof(old_size, new_size, layout::StoredNodes(store_));
}

Result<Hash256> EventLogImpl::RootAt(uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(tree_size));
  return merkle::RootAt(tree_size, layout::StoredNodes(store_));
}

// Signs only what is durable: a checkpoint must never cover events that a
// failed sync could still lose, nor show a tree larger than the size that
// proofs are checked against.
Status EventLogImpl::WriteCheckpoint() {
  std::lock_guard lock(checkpoint_mu_);
  if (needs_recovery_ || syncer_.failed()) {
    return UnavailableError("the event log is recovering from a failed write");
  }
  const uint64_t committed = size();
  // An empty log gets a checkpoint too (size 0, the empty tree's root), so a
  // new store can be pinned before anything is appended.
  if (checkpointed_size_ == committed) return OkStatus();
  ASSIGN_OR_RETURN(auto existing, store_.Get(cf::kCheckpoints, layout::CheckpointKey(committed)));
  if (!existing) {
    ASSIGN_OR_RETURN(Hash256 root, merkle::RootAt(committed, layout::StoredNodes(store_)));
    Checkpoint checkpoint{origin_, committed, root};
    WriteBatch batch;
    batch.Put(cf::kCheckpoints, layout::CheckpointKey(committed),
              AsBytes(SignCheckpoint(checkpoint, origin_, keys_.signing)));
    RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true));
  }
  checkpointed_size_ = committed;
  last_checkpoint_us_ = options_.clock->NowMicros();
  return OkStatus();
}

// The syncer publishes a group (its checkpoint included) an instant before
// it counts the group's events in size(): a checkpoint past size() is not
// served until then.
Result<std::string> EventLogImpl::LatestCheckpoint() {
  ASSIGN_OR_RETURN(auto latest, layout::LatestStoredCheckpoint(store_, size()));
  if (!latest) return Err(NotFoundError("no checkpoint yet"));
  return std::move(latest->note);
}

}  // namespace log_pipeline

std::vector<std::string> EventLog::ColumnFamilies() {
  return {std::string(cf::kLog), std::string(cf::kMerkle), std::string(cf::kCheckpoints),
          std::string(cf::kDataKeys), std::string(cf::kMeta)};
}

std::vector<std::string> EventLog::SequencedFamilies() {
  // Merkle keys are level || index: each level is a group.
  return {std::string(cf::kLog), std::string(cf::kMerkle), std::string(cf::kCheckpoints)};
}

Status EventLog::InitializeLog(Store& store, std::string_view origin) {
  ASSIGN_OR_RETURN(auto existing, store.Get(cf::kMeta, AsBytes(layout::kMetaOrigin)));
  if (existing) return AlreadyExistsError("the log is already initialised");
  WriteBatch batch;
  batch.Put(cf::kMeta, AsBytes(layout::kMetaOrigin), AsBytes(origin));
  return store.Write(batch, /*sync=*/true);
}

Result<std::unique_ptr<EventLog>> EventLog::Open(Store& store, const StoreKeys& keys,
                                                 DataKeyRing& data_keys,
                                                 const EventLogOptions& options) {
  using log_pipeline::ChainState;
  ASSIGN_OR_RETURN(auto origin, store.Get(cf::kMeta, AsBytes(layout::kMetaOrigin)));
  if (!origin) return Err(FailedPreconditionError("the store has no log (run `backpack init`)"));
  ASSIGN_OR_RETURN(ChainState state, log_pipeline::LoadChainState(store));
  RETURN_IF_ERROR(log_pipeline::CheckLogIntact(store, keys, AsChars(*origin), state));
  try {
    return std::unique_ptr<EventLog>(new log_pipeline::EventLogImpl(
        store, keys, data_keys, options, std::string(AsChars(*origin)), std::move(state)));
  } catch (...) {  // a thread that could not be started (std::system_error), std::bad_alloc
    return Err(UnavailableError(CaughtError("opening the event log").message()));
  }
}

}  // namespace backpack
