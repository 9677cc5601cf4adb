// The event log's first pipeline stage, the writer thread: EventLogImpl's
// members that take each group, chain, sign and project it, and write it
// (events/internal/event_log_impl.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "events/checkpoint.h"
#include "events/codec.h"
#include "events/internal/event_log_impl.h"
#include "events/log_layout.h"
#include "events/merkle.h"

namespace backpack::log_pipeline {
namespace {

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
  } catch (...) {
    return Err(CaughtError("the commit hook"));
  }
}

// What `chained` holds once chaining a group has thrown.
constexpr size_t kChainBroken = SIZE_MAX;

// Waits until events [0, end) have been chained (tasks are claimed in
// order, so the chain has started by now); false if chaining threw.
bool WaitChained(std::atomic<size_t>& chained, size_t end) {
  size_t done;
  while ((done = chained.load(std::memory_order_acquire)) < end) {
    chained.wait(done, std::memory_order_acquire);
  }
  return done != kChainBroken;
}

}  // namespace

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
  WriterFault(WriterStep::kSequence, work.logged[0].header.seq);
  return work;
}

// Chains, signs and runs the commit hook at the same time on the pool:
// task 0 is the hook (projections need the sequenced events, not their
// hashes or signatures), task 1 chains, and each later task signs a run of
// events once chaining has passed it. Only the hook's thread touches
// `batch` here. Returns what the hook staged for after durability.
// A throw from chaining or signing (std::bad_alloc) fails the group with
// kInternal naming only its type; WriteGroup then rolls the chain back.
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
  try {
    pool_.ParallelFor(2 + runs, [&](size_t task) {
      if (task == 0) {
        staged = ProjectGroup(options_.hook, work.logged, batch);
        return;
      }
      if (task == 1) return ChainOrBreak(work, run, chained);
      size_t begin = (task - 2) * run;
      size_t end = std::min(n, begin + run);
      if (WaitChained(chained, end)) SignRun(work, begin, end);
    });
  } catch (...) {
    return Err(CaughtError("chaining or signing the group"));
  }
  return staged;
}

// Chain, but a throw first sets `chained` to kChainBroken, so that no
// signing task waits forever for events that will never be chained.
void EventLogImpl::ChainOrBreak(GroupWork& work, size_t publish_every,
                                std::atomic<size_t>& chained) {
  try {
    Chain(work, publish_every, chained);
  } catch (...) {
    chained.store(kChainBroken, std::memory_order_release);
    chained.notify_all();
    throw;
  }
}

// Encodes each body chained to the previous event's hash and hashes it,
// publishing in `chained`, every `publish_every` events and at the end, how
// many are done. Advances state_.last_hash.
void EventLogImpl::Chain(GroupWork& work, size_t publish_every, std::atomic<size_t>& chained) {
  const size_t n = work.logged.size();
  WriterFault(WriterStep::kChain, work.logged[0].header.seq);
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
  WriterFault(WriterStep::kSign, work.logged[begin].header.seq);
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
  WriterFault(WriterStep::kStage, work.logged[0].header.seq);
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

void EventLogImpl::WriterFault(WriterStep step, uint64_t first_seq) const {
  if (options_.writer_fault_for_tests) options_.writer_fault_for_tests(step, first_seq);
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
  std::vector<PendingAppend> after_shred;
  SequenceAndWrite(std::move(group), after_shred);
  // Answered once checkpoint_mu_ is released, as FailGroup answers a failed group.
  AnswerRefusedAfterShred(after_shred);
}

void EventLogImpl::SequenceAndWrite(std::vector<PendingAppend> group,
                                    std::vector<PendingAppend>& after_shred) {
  std::unique_lock checkpoint_lock(checkpoint_mu_);
  Status status = needs_recovery_ || syncer_.failed() ? RecoverAfterFailure() : OkStatus();
  after_shred = shreds_.RefuseAfterShred(group);
  if (group.empty()) return;
  ChainState rollback = state_;
  StagedGroup staged;
  if (status.ok()) status = PrepareGroup(group, staged);
  bool refused = false;  // by the store's space check, before anything was written
  if (status.ok()) {
    status = store_.CheckSpaceFor(staged.batch);
    refused = !status.ok();
  }
  // A throw from the store's write is not caught: RocksDB is not
  // exception-safe inside a write (a std::bad_alloc in a memtable insert can
  // leave part of the batch applied), so the process ends and the next start
  // recovers from the write-ahead log, rather than going on with a store
  // whose state nobody can vouch for.
  if (status.ok()) status = store_.Write(staged.batch, /*sync=*/false);
  if (!status.ok()) {
    state_ = std::move(rollback);
    return FailGroup(group, status, refused, checkpoint_lock);
  }
  shreds_.Written();
  if (staged.checkpoint) {
    last_checkpoint_us_ = staged.now;
    checkpointed_size_ = state_.next_seq;
  }
  checkpoint_lock.unlock();
  syncer_.Submit(
      WrittenGroup{std::move(group), std::move(staged.work), std::move(staged.on_durable)});
}

Status EventLogImpl::PrepareGroup(std::vector<PendingAppend>& group, StagedGroup& staged) {
  try {
    staged.work = Sequence(group);
    shreds_.Sequenced(staged.work.logged);
    ASSIGN_OR_RETURN(staged.on_durable, ChainSignAndProject(staged.work, staged.batch));
    StageGroup(staged.work, group, staged.batch);
    staged.now = options_.clock->NowMicros();
    // Checkpoint when no more work waits now that this group is ready (under
    // load, appends arrive while a group is signed and projected), or once a
    // second: one signature per group would cost about as much as projecting it.
    staged.checkpoint = !WorkQueued() || staged.now - last_checkpoint_us_ >= kMicrosPerSecond;
    if (staged.checkpoint) StageCheckpoint(staged.batch);
    return OkStatus();
  } catch (...) {
    return CaughtError("sequencing or staging the group");
  }
}

}  // namespace backpack::log_pipeline
