// The event log's failure handling: EventLogImpl's members that answer a
// group that was not written and recover from a failed write or sync
// (events/internal/event_log_impl.h), and the check that the stored log may
// be appended to.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "events/checkpoint.h"
#include "events/internal/event_log_impl.h"
#include "events/log_layout.h"
#include "events/log_signer.h"
#include "events/verifier.h"

namespace backpack::log_pipeline {
namespace {

// Whether the log's first event is seq 0, if it holds any: one seek. With
// the last event's seq checked against `log_size`, this finds a log cut at
// either end; an event removed from the middle takes reading every key,
// which opening leaves to `backpack verify`.
Result<bool> StartsAtZero(Store& store) {
  ASSIGN_OR_RETURN(auto it, store.NewIterator(cf::kLog, ReadView::kLatest));
  it->SeekToFirst();
  RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return true;
  const auto zero = layout::LogKey(0);
  return std::equal(zero.begin(), zero.end(), it->key().begin(), it->key().end());
}

}  // namespace

Status CheckLogIntact(Store& store, const StoreKeys& keys, std::string_view origin,
                      const ChainState& state) {
  const uint64_t held = state.next_seq;
  // Most likely a wrong key rather than damage: say what the log names,
  // rather than that no checkpoint holds.
  RETURN_IF_ERROR(
      CheckLogSigner(store, origin, keys.signing.public_key(), "the key it is opened with"));
  const std::string advice = "; run `backpack verify`";
  ASSIGN_OR_RETURN(auto recorded, store.Get(cf::kMeta, AsBytes(layout::kMetaSize)));
  const uint64_t recorded_size = recorded ? DecodeBigEndian64(*recorded) : 0;
  if (recorded_size != held) {
    return DataLossError("the log holds " + std::to_string(held) + " events but recorded " +
                         std::to_string(recorded_size) + advice);
  }
  ASSIGN_OR_RETURN(bool starts_at_zero, StartsAtZero(store));
  if (!starts_at_zero) return DataLossError("the log's first event is not seq 0" + advice);
  ASSIGN_OR_RETURN(auto finding,
                   CheckLatestCheckpoint(store, origin, keys.signing.public_key(), held));
  if (finding) return DataLossError(finding->why + advice);
  return OkStatus();
}

// A refused group changed nothing stored: rolling back the chain (done) and
// what the hook kept in memory for it suffices. Any other failure may have
// left the store broken, or a group half-known: the next group recovers first.
void EventLogImpl::FailGroup(std::vector<PendingAppend>& group, const Status& status, bool refused,
                             std::unique_lock<std::mutex>& checkpoint_lock) {
  size_t events = 0;
  for (const PendingAppend& append : group) events += append.events.size();
  if (refused) {
    shreds_.Rewound(state_.next_seq);
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
  CompleteAppends(group, GroupWork(), status, data_keys_);
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
  shreds_.Rewound(state_.next_seq);  // before the hook completes surviving shreds
  if (options_.hook) RETURN_IF_ERROR(options_.hook->OnStoreRecovered());
  syncer_.Recovered(state_.next_seq);
  checkpointed_size_ = UINT64_MAX;
  needs_recovery_ = false;
  spdlog::warn("event log: recovered after a failed write or sync at {} events", state_.next_seq);
  return OkStatus();
}

}  // namespace backpack::log_pipeline
