// The event log's implementation, shared by the files that define it:
// events/event_log.cc (opening, appends as callers see them, reads, proofs
// and checkpoints on demand), log_writer.cc (the writer thread: the first
// pipeline stage) and log_recovery.cc (failed groups, recovery). The second
// stage is the syncer (log_syncer.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/data_keys.h"
#include "core/keys.h"
#include "core/store.h"
#include "events/event_log.h"
#include "events/internal/append_answers.h"
#include "events/internal/log_pipeline.h"
#include "events/internal/log_syncer.h"
#include "events/internal/shred_order.h"
#include "events/signing_pool.h"
#include "events/verified_events.h"

namespace backpack::log_pipeline {

// Why the stored log may not be appended to, or OK: it must name no other
// signer than `keys` (CheckLogSigner), its last event's seq must be one less
// than its recorded size, its first event's seq 0, and its latest checkpoint
// must hold (CheckLatestCheckpoint). Events are not counted: a removed event
// between the ends is for `backpack verify` to find.
Status CheckLogIntact(Store& store, const StoreKeys& keys, std::string_view origin,
                      const ChainState& state);

class EventLogImpl final : public EventLog {
 public:
  // Starts the writer thread and the answers' watch.
  EventLogImpl(Store& store, const StoreKeys& keys, DataKeyRing& data_keys,
               const EventLogOptions& options, std::string origin, ChainState state);
  ~EventLogImpl() override;

  Result<AppendResult> Append(std::vector<NewEvent> events) override;
  void AppendAsync(std::vector<NewEvent> events,
                   std::function<void(Result<AppendResult>)> done) override;
  void Drain() override { answers_.WaitAnswered(); }

  uint64_t size() const override { return syncer_.committed_size(); }

  Result<Bytes> ReadStored(uint64_t seq) override;
  Result<LoggedEvent> Read(uint64_t seq) override;
  Status Replay(uint64_t from, size_t batch_size,
                const std::function<Status(std::span<LoggedEvent>)>& visit) override;
  Result<std::string> LatestCheckpoint() override;
  Status WriteCheckpoint() override;

  Result<std::vector<Hash256>> InclusionProof(uint64_t seq, uint64_t tree_size) override;
  Result<std::vector<Hash256>> ConsistencyProof(uint64_t old_size, uint64_t new_size) override;
  Result<Hash256> RootAt(uint64_t tree_size) override;

  const std::string& origin() const override { return origin_; }
  const Ed25519PublicKey& public_key() const override { return keys_.signing.public_key(); }
  EventLogStats stats() const override { return stats_.Get(); }

  Status Writable() const override;

 private:
  Status CheckTreeSize(uint64_t tree_size) const;
  // kUnavailable while a sync has run longer than stalled_sync_after.
  Status CheckNotStalled() const;

  // A group as the writer stages it for the store.
  struct StagedGroup {
    GroupWork work;
    WriteBatch batch;
    std::function<void()> on_durable;  // the hook's staged in-memory changes
    bool checkpoint = false;           // the batch holds a checkpoint, signed at `now`
    int64_t now = 0;
  };

  // The writer stage (log_writer.cc).
  void WriterLoop();
  std::vector<PendingAppend> TakeGroup(std::unique_lock<std::mutex>& lock);
  void WriteGroup(std::vector<PendingAppend> group);
  // WriteGroup's work under checkpoint_mu_, released before it returns:
  // moves the appends the shred order refuses to `after_shred`, unanswered,
  // and writes the rest (or fails them, FailGroup).
  void SequenceAndWrite(std::vector<PendingAppend> group, std::vector<PendingAppend>& after_shred);
  // Everything before the group's write: sequences it (advancing state_),
  // chains, signs and projects it, and stages it in staged.batch, with a
  // checkpoint if one is due. A throw anywhere here (std::bad_alloc) fails
  // the group with kInternal naming only its type. Nothing is written either
  // way; on failure the caller rolls state_ back.
  Status PrepareGroup(std::vector<PendingAppend>& group, StagedGroup& staged);
  GroupWork Sequence(std::vector<PendingAppend>& group);
  Result<std::function<void()>> ChainSignAndProject(GroupWork& work, WriteBatch& batch);
  void ChainOrBreak(GroupWork& work, size_t publish_every, std::atomic<size_t>& chained);
  void Chain(GroupWork& work, size_t publish_every, std::atomic<size_t>& chained);
  void SignRun(GroupWork& work, size_t begin, size_t end) const;
  void StageGroup(GroupWork& work, std::vector<PendingAppend>& group, WriteBatch& batch);
  void StageCheckpoint(WriteBatch& batch);
  // EventLogOptions::writer_fault_for_tests, if set.
  void WriterFault(WriterStep step, uint64_t first_seq) const;
  // Whether appends are waiting for the writer.
  bool WorkQueued();

  // Failure and recovery (log_recovery.cc).
  // Whether a failed write or sync must be recovered from before the next group.
  bool Recovering() const { return needs_recovery_ || syncer_.failed(); }
  Status RecoverAfterFailure();
  // RecoverAfterFailure, if still needed, when no append has asked for it.
  void RetryRecovery();
  // Answers a group that was not written. `refused`: the store refused it
  // before writing anything. Requires checkpoint_mu_ held (released here).
  void FailGroup(std::vector<PendingAppend>& group, const Status& status, bool refused,
                 std::unique_lock<std::mutex>& checkpoint_lock);

  Store& store_;
  const StoreKeys& keys_;
  DataKeyRing& data_keys_;
  EventLogOptions options_;
  // Events whose stored bytes Read has checked against keys_' public key.
  VerifiedEvents verified_;
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
  // Refuses personal events about a subject after its RecordShredded
  // (guarded by checkpoint_mu_).
  ShredOrder shreds_;

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

}  // namespace backpack::log_pipeline
