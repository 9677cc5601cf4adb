#include "events/event_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <typeinfo>

#include "core/parallel.h"
#include "events/checkpoint.h"
#include "events/codec.h"
#include "events/internal/append_answers.h"
#include "events/internal/log_pipeline.h"
#include "events/internal/log_syncer.h"
#include "events/log_layout.h"
#include "events/log_reading.h"
#include "events/log_signer.h"
#include "events/merkle.h"
#include "events/signing_pool.h"
#include "events/verifier.h"

namespace backpack {
namespace {

using log_pipeline::AppendAnswers;
using log_pipeline::ChainState;
using log_pipeline::CompleteAppends;
using log_pipeline::GroupWork;
using log_pipeline::LoadChainState;
using log_pipeline::LogStats;
using log_pipeline::LogSyncer;
using log_pipeline::PendingAppend;
using log_pipeline::PreparedEvent;
using log_pipeline::WrittenGroup;

// While the log must recover from a failed write or sync, the writer tries
// again this often even if no append asks it to: Writable() (and /healthz)
// turns healthy again once the disk has room, without waiting for traffic.
constexpr auto kRecoveryRetry = std::chrono::seconds(2);

// `hook`'s staging for a group (nothing if there is no hook). A throw from it
// (a projection reading a damaged record, std::bad_alloc) fails the group as
// an error status would; only the exception's type is named, as its message
// may quote stored data.
Result<std::function<void()>> ProjectGroup(CommitHook* hook, std::span<const LoggedEvent> events,
                                           WriteBatch& batch) {
  if (!hook) return std::function<void()>();
  try {
    return hook->OnGroup(events, batch);
  } catch (const std::exception& e) {
    return Err(InternalError(std::string("the commit hook threw ") + typeid(e).name()));
  } catch (...) {
    return Err(InternalError("the commit hook threw"));
  }
}

// Why the stored log may not be appended to, or OK: it must be signed by
// `keys` (CheckLogSigner), hold the events its recorded size counts, and its
// latest checkpoint must hold (CheckLatestCheckpoint).
Status CheckLogIntact(Store& store, const StoreKeys& keys, std::string_view origin,
                      const ChainState& state) {
  const uint64_t held = state.next_seq;
  // A wrong key is not damage: say so, rather than that no checkpoint holds.
  RETURN_IF_ERROR(
      CheckLogSigner(store, origin, keys.signing.public_key(), "the key it is opened with"));
  const std::string advice = "; run `backpack verify`";
  ASSIGN_OR_RETURN(auto recorded, store.Get(cf::kMeta, AsBytes(layout::kMetaSize)));
  const uint64_t recorded_size = recorded ? DecodeBigEndian64(*recorded) : 0;
  if (recorded_size != held) {
    return DataLossError("the log holds " + std::to_string(held) + " events but recorded " +
                         std::to_string(recorded_size) + advice);
  }
  ASSIGN_OR_RETURN(auto finding,
                   CheckLatestCheckpoint(store, origin, keys.signing.public_key(), held));
  if (finding) return DataLossError(finding->why + advice);
  return OkStatus();
}

class EventLogImpl final : public EventLog {
 public:
  EventLogImpl(Store& store, const StoreKeys& keys, DataKeyRing& data_keys,
               const EventLogOptions& options, std::string origin, ChainState state)
      : store_(store),
        keys_(keys),
        data_keys_(data_keys),
        options_(options),
        origin_(std::move(origin)),
        state_(std::move(state)),
        pool_(options.signing_threads > 0 ? options.signing_threads
                                          : static_cast<int>(CoreCount())),
        syncer_(store, data_keys, stats_, state_.next_seq),
        answers_(options.durability_wait_limit) {
    writer_ = std::thread([this] { WriterLoop(); });
    answers_.StartWatch([this] { return syncer_.SyncRunningFor(); });
  }

  ~EventLogImpl() override {
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

  Result<AppendResult> Append(std::vector<NewEvent> events) override {
    std::promise<Result<AppendResult>> promise;
    auto future = promise.get_future();
    AppendAsync(std::move(events),
                [&promise](Result<AppendResult> r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  void AppendAsync(std::vector<NewEvent> events,
                   std::function<void(Result<AppendResult>)> done) override {
    // Refused at once rather than queued behind a stalled sync.
    if (Status stalled = CheckNotStalled(); !stalled.ok()) return done(Err(stalled));
    auto pending = log_pipeline::PrepareAppend(std::move(events), data_keys_);
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

  void Drain() override { answers_.WaitAnswered(); }

  uint64_t size() const override { return syncer_.committed_size(); }

  Result<Bytes> ReadStored(uint64_t seq) override { return log_reading::ReadStored(store_, seq); }

  Result<LoggedEvent> Read(uint64_t seq) override;
  Status Replay(uint64_t from, size_t batch_size,
                const std::function<Status(std::span<LoggedEvent>)>& visit) override;
  Result<std::string> LatestCheckpoint() override;
  Status WriteCheckpoint() override;

  Result<std::vector<Hash256>> InclusionProof(uint64_t seq, uint64_t tree_size) override {
    RETURN_IF_ERROR(CheckTreeSize(tree_size));
    return merkle::InclusionProof(seq, tree_size, layout::StoredNodes(store_));
  }
  Result<std::vector<Hash256>> ConsistencyProof(uint64_t old_size, uint64_t new_size) override {
    RETURN_IF_ERROR(CheckTreeSize(new_size));
    return merkle::ConsistencyProof(old_size, new_size, layout::StoredNodes(store_));
  }
  Result<Hash256> RootAt(uint64_t tree_size) override {
    RETURN_IF_ERROR(CheckTreeSize(tree_size));
    return merkle::RootAt(tree_size, layout::StoredNodes(store_));
  }

  const std::string& origin() const override { return origin_; }
  const Ed25519PublicKey& public_key() const override { return keys_.signing.public_key(); }
  EventLogStats stats() const override { return stats_.Get(); }

  Status Writable() const override {
    RETURN_IF_ERROR(store_.Writable());
    if (Recovering()) {
      return UnavailableError("the event log has not recovered from a failed write yet");
    }
    return CheckNotStalled();
  }

 private:
  Status CheckTreeSize(uint64_t tree_size) const {
    if (tree_size > size()) {
      return InvalidArgumentError("tree size " + std::to_string(tree_size) +
                                  " exceeds the log size " + std::to_string(size()));
    }
    return OkStatus();
  }

  // kUnavailable while a sync has run longer than stalled_sync_after.
  Status CheckNotStalled() const {
    const auto running = syncer_.SyncRunningFor();
    if (running < options_.stalled_sync_after) return OkStatus();
    return UnavailableError("the disk has not finished a sync for " +
                            std::to_string(running.count() / 1000) + " ms (stalled?)");
  }

  void WriterLoop();
  std::vector<PendingAppend> TakeGroup(std::unique_lock<std::mutex>& lock);
  void WriteGroup(std::vector<PendingAppend> group);
  GroupWork Sequence(std::vector<PendingAppend>& group);
  Result<std::function<void()>> ChainSignAndProject(GroupWork& work, WriteBatch& batch);
  void Chain(GroupWork& work, size_t publish_every, std::atomic<size_t>& chained);
  void SignRun(GroupWork& work, size_t begin, size_t end) const;
  void StageGroup(GroupWork& work, std::vector<PendingAppend>& group, WriteBatch& batch);
  void StageCheckpoint(WriteBatch& batch);
  // Whether appends are waiting for the writer.
  bool WorkQueued();
  // Whether a failed write or sync must be recovered from before the next group.
  bool Recovering() const { return needs_recovery_ || syncer_.failed(); }
  Status RecoverAfterFailure();
  // RecoverAfterFailure, if still needed, when no append has asked for it.
  void RetryRecovery();
  // Answers a group that was not written. `refused`: the store refused it
  // before writing anything. Requires checkpoint_mu_ held (released here).
  void FailGroup(std::vector<PendingAppend>& group, const GroupWork& work, const Status& status,
                 bool refused, std::unique_lock<std::mutex>& checkpoint_lock);

  Store& store_;
  const StoreKeys& keys_;
  DataKeyRing& data_keys_;
  EventLogOptions options_;
  const std::string origin_;

  // Writer-thread state (it runs ahead of durability by the groups being
  // synced). Also used by WriteCheckpoint under checkpoint_mu_.
  ChainState state_;
  int64_t last_checkpoint_us_ = 0;
  std::mutex checkpoint_mu_;  // serialises checkpoint writes with group writes
  uint64_t checkpointed_size_ = UINT64_MAX;
  // A write failed: the writer reloads its state from the store before the
  // next group (as it does once the syncer has failed()). Written under
  // checkpoint_mu_; Writable reads it without.
  std::atomic<bool> needs_recovery_{false};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<PendingAppend> queue_;  // guarded by queue_mu_
  bool stopping_ = false;            // guarded by queue_mu_

  LogStats stats_;
  SigningPool pool_;
  LogSyncer syncer_;       // the second pipeline stage
  AppendAnswers answers_;  // the callers' answers; abandons them on a stalled sync
  std::thread writer_;
};

// The first pipeline stage: takes each group, chains, signs and projects it,
// and writes it unsynced; the syncer makes it durable while the next group
// is being prepared.
void EventLogImpl::WriterLoop() {
  std::unique_lock lock(queue_mu_);
  auto ready = [&] { return stopping_ || !queue_.empty(); };
  while (true) {
    if (!queue_cv_.wait_for(lock, kRecoveryRetry, ready)) {
      if (Recovering()) {
        lock.unlock();
        RetryRecovery();
        lock.lock();
      }
      continue;
    }
    if (queue_.empty()) break;  // stopping and drained
    std::vector<PendingAppend> group = TakeGroup(lock);
    lock.unlock();
    WriteGroup(std::move(group));
    lock.lock();
  }
}

// Takes whole appends from the queue until max_group_events would be
// exceeded (but always at least one). Requires queue_mu_ held.
std::vector<PendingAppend> EventLogImpl::TakeGroup(std::unique_lock<std::mutex>&) {
  std::vector<PendingAppend> group;
  size_t events = 0;
  while (!queue_.empty()) {
    size_t next = queue_.front().events.size();
    if (!group.empty() && events + next > options_.max_group_events) break;
    events += next;
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group;
}

// Assigns each event its sequence number and time and moves it into the
// group's work. Advances next_seq and last_time_us.
GroupWork EventLogImpl::Sequence(std::vector<PendingAppend>& group) {
  GroupWork work;
  size_t events = 0;
  for (const PendingAppend& append : group) events += append.events.size();
  work.logged.reserve(events);
  work.payloads.reserve(events);
  int64_t now = std::max(options_.clock->NowMicros(), state_.last_time_us);
  state_.last_time_us = now;
  for (PendingAppend& append : group) {
    for (PreparedEvent& e : append.events) {
      e.header.seq = state_.next_seq++;
      e.header.recorded_at_us = now;
      work.logged.push_back(LoggedEvent{std::move(e.header), std::move(e.plaintext), false});
      work.payloads.push_back(std::move(e.stored_payload));
    }
  }
  return work;
}

// Chains, signs and runs the commit hook at the same time on the pool:
// task 0 is the hook (projections need the sequenced events, not their
// hashes or signatures), task 1 chains, and each later task signs a run of
// events once chaining has passed it. Only the hook's thread touches
// `batch` here. Returns what the hook staged for after durability.
Result<std::function<void()>> EventLogImpl::ChainSignAndProject(GroupWork& work,
                                                                WriteBatch& batch) {
  const size_t n = work.logged.size();
  work.bodies.resize(n);
  work.hashes.resize(n);
  work.stored.resize(n);
  work.leaf_hashes.resize(n);
  // Runs small enough to share a commit group's signing among the threads,
  // large enough that waiting for the chain is rare.
  const size_t run = std::clamp<size_t>(n / 16, 1, 512);
  const size_t runs = (n + run - 1) / run;
  std::atomic<size_t> chained{0};
  Result<std::function<void()>> staged{std::function<void()>()};
  pool_.ParallelFor(2 + runs, [&](size_t task) {
    if (task == 0) {
      staged = ProjectGroup(options_.hook, work.logged, batch);
      return;
    }
    if (task == 1) return Chain(work, run, chained);
    size_t begin = (task - 2) * run;
    size_t end = std::min(n, begin + run);
    // Tasks are claimed in order, so the chain has started by now.
    for (size_t done; (done = chained.load(std::memory_order_acquire)) < end;) {
      chained.wait(done, std::memory_order_acquire);
    }
    SignRun(work, begin, end);
  });
  return staged;
}

// Encodes each body chained to the previous event's hash and hashes it,
// publishing in `chained`, every `publish_every` events and at the end, how
// many are done. Advances state_.last_hash.
void EventLogImpl::Chain(GroupWork& work, size_t publish_every, std::atomic<size_t>& chained) {
  const size_t n = work.logged.size();
  for (size_t i = 0; i < n; ++i) {
    work.bodies[i] = codec::EncodeBody(work.logged[i].header, keys_.signing_key_id,
                                       state_.last_hash, work.payloads[i]);
    Bytes().swap(work.payloads[i]);  // the body holds it now
    state_.last_hash = Sha256(work.bodies[i]);
    work.hashes[i] = state_.last_hash;
    if ((i + 1) % publish_every == 0 || i + 1 == n) {
      chained.store(i + 1, std::memory_order_release);
      chained.notify_all();
    }
  }
}

// Signs events [begin, end) and encodes each as stored, with its leaf hash.
void EventLogImpl::SignRun(GroupWork& work, size_t begin, size_t end) const {
  for (size_t i = begin; i < end; ++i) {
    work.stored[i] = codec::EncodeSignedEvent(work.bodies[i], keys_.signing.Sign(work.hashes[i]));
    Bytes().swap(work.bodies[i]);  // the stored event holds it now
    work.leaf_hashes[i] = merkle::LeafHash(work.stored[i]);
  }
}

// Puts the group's stored events, Merkle nodes and new data keys into
// `batch`, each family in key order, handing the stored events over to it.
void EventLogImpl::StageGroup(GroupWork& work, std::vector<PendingAppend>& group,
                              WriteBatch& batch) {
  // Merkle keys are level || index: nodes are put level by level.
  std::vector<std::vector<std::pair<uint64_t, Hash256>>> nodes_by_level;
  for (size_t i = 0; i < work.stored.size(); ++i) {
    batch.PutOwned(cf::kLog, layout::LogKey(work.logged[i].header.seq), std::move(work.stored[i]));
    state_.frontier.Append(work.leaf_hashes[i],
                           [&](uint8_t level, uint64_t index, const Hash256& hash) {
                             if (level >= nodes_by_level.size()) nodes_by_level.resize(level + 1);
                             nodes_by_level[level].emplace_back(index, hash);
                           });
  }
  work.stored = {};
  for (size_t level = 0; level < nodes_by_level.size(); ++level) {
    for (const auto& [index, hash] : nodes_by_level[level]) {
      batch.Put(cf::kMerkle, layout::MerkleKey(static_cast<uint8_t>(level), index), hash);
    }
  }
  for (auto& append : group) {
    for (auto& [subject, wrapped] : append.new_keys) {
      batch.Put(cf::kDataKeys, AsBytes(subject), wrapped);
    }
  }
  batch.Put(cf::kMeta, AsBytes(layout::kMetaSize), EncodeBigEndian64(state_.next_seq));
}

bool EventLogImpl::WorkQueued() {
  std::lock_guard lock(queue_mu_);
  return !queue_.empty();
}

void EventLogImpl::StageCheckpoint(WriteBatch& batch) {
  Checkpoint checkpoint{origin_, state_.frontier.size(), state_.frontier.Root()};
  std::string note = SignCheckpoint(checkpoint, origin_, keys_.signing);
  batch.Put(cf::kCheckpoints, layout::CheckpointKey(checkpoint.size), AsBytes(note));
}

void EventLogImpl::WriteGroup(std::vector<PendingAppend> group) {
  std::unique_lock checkpoint_lock(checkpoint_mu_);
  Status status = needs_recovery_ || syncer_.failed() ? RecoverAfterFailure() : OkStatus();
  ChainState rollback = state_;
  GroupWork work = Sequence(group);
  WriteBatch batch;
  std::function<void()> on_durable;
  if (status.ok()) {
    auto staged = ChainSignAndProject(work, batch);
    if (staged) {
      on_durable = std::move(*staged);
    } else {
      status = staged.error();
    }
  }
  if (status.ok()) StageGroup(work, group, batch);
  int64_t now = options_.clock->NowMicros();
  // Checkpoint when no more work waits now that this group is ready (under
  // load, appends arrive while a group is signed and projected), or once a
  // second: one signature per group would cost about as much as projecting it.
  bool checkpoint = !WorkQueued() || now - last_checkpoint_us_ >= kMicrosPerSecond;
  if (status.ok() && checkpoint) StageCheckpoint(batch);
  bool refused = false;  // by the store's space check, before anything was written
  if (status.ok()) {
    status = store_.CheckSpaceFor(batch);
    refused = !status.ok();
  }
  if (status.ok()) status = store_.Write(batch, /*sync=*/false);
  if (!status.ok()) {
    state_ = std::move(rollback);
    return FailGroup(group, work, status, refused, checkpoint_lock);
  }
  if (checkpoint) {
    last_checkpoint_us_ = now;
    checkpointed_size_ = state_.next_seq;
  }
  checkpoint_lock.unlock();
  syncer_.Submit(WrittenGroup{std::move(group), std::move(work), std::move(on_durable)});
}

// A refused group changed nothing stored: rolling back the chain (done) and
// what the hook kept in memory for it suffices. Any other failure may have
// left the store broken, or a group half-known: the next group recovers first.
void EventLogImpl::FailGroup(std::vector<PendingAppend>& group, const GroupWork& work,
                             const Status& status, bool refused,
                             std::unique_lock<std::mutex>& checkpoint_lock) {
  const size_t events = work.logged.size();
  if (refused) {
    Status forgot = options_.hook ? options_.hook->OnGroupRefused() : OkStatus();
    if (!forgot.ok()) needs_recovery_ = true;
    spdlog::error("event log: the store refused {} events before writing them: {}", events,
                  status.ToString());
  } else {
    needs_recovery_ = true;
    spdlog::error("event log: writing {} events failed: {}", events, status.ToString());
  }
  checkpoint_lock.unlock();
  stats_.Record(1, events, events, false, 0);
  CompleteAppends(group, work, status, data_keys_);
}

void EventLogImpl::RetryRecovery() {
  std::lock_guard lock(checkpoint_mu_);
  if (!Recovering()) return;
  // A failure is reported to the next append; retrying quietly avoids a log
  // line every few seconds while the disk stays full.
  RecoverAfterFailure().IgnoreError();
}

// After a failed write or sync: waits until every written group has been
// synced or failed, reopens the store if it broke, syncs what survived, and
// reloads the chain state and the projections' memory from what the store
// really holds.
// Requires checkpoint_mu_ held.
Status EventLogImpl::RecoverAfterFailure() {
  syncer_.WaitDrained();
  RETURN_IF_ERROR(store_.Resume());
  // Whatever survived is kept: make it durable (and visible) before going on.
  RETURN_IF_ERROR(store_.SyncWal());
  ASSIGN_OR_RETURN(state_, LoadChainState(store_));
  RETURN_IF_ERROR(CheckLogIntact(store_, keys_, origin_, state_));
  if (options_.hook) RETURN_IF_ERROR(options_.hook->OnStoreRecovered());
  syncer_.Recovered(state_.next_seq);
  checkpointed_size_ = UINT64_MAX;
  needs_recovery_ = false;
  spdlog::warn("event log: recovered after a failed write or sync at {} events", state_.next_seq);
  return OkStatus();
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

Result<LoggedEvent> EventLogImpl::Read(uint64_t seq) {
  return log_reading::ReadEvent(store_, data_keys_, keys_.signing.public_key(), seq);
}

Status EventLogImpl::Replay(uint64_t from, size_t batch_size,
                            const std::function<Status(std::span<LoggedEvent>)>& visit) {
  return log_reading::ReplayEvents(store_, data_keys_, from, size(), batch_size, visit);
}

}  // namespace

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
  ASSIGN_OR_RETURN(auto origin, store.Get(cf::kMeta, AsBytes(layout::kMetaOrigin)));
  if (!origin) return Err(FailedPreconditionError("the store has no log (run `backpack init`)"));
  ASSIGN_OR_RETURN(ChainState state, LoadChainState(store));
  RETURN_IF_ERROR(CheckLogIntact(store, keys, AsChars(*origin), state));
  return std::unique_ptr<EventLog>(new EventLogImpl(
      store, keys, data_keys, options, std::string(AsChars(*origin)), std::move(state)));
}

}  // namespace backpack
