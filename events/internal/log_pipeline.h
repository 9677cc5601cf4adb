// The event log's units of work, shared by its two pipeline stages: the
// writer (log_writer.cc) chains, signs, projects and writes groups;
// the syncer (log_syncer.h) makes them durable and completes their appends.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/data_keys.h"
#include "core/store.h"
#include "events/event.h"
#include "events/event_log.h"
#include "events/merkle.h"

namespace backpack::log_pipeline {

// One event after the caller-side work (validation, encryption).
struct PreparedEvent {
  EventHeader header;
  Bytes stored_payload;  // ciphertext if header.payload_encrypted
  Bytes plaintext;
};

// One caller's append, waiting for the writer.
struct PendingAppend {
  std::vector<PreparedEvent> events;
  std::vector<std::pair<std::string, Bytes>> new_keys;  // subject -> wrapped key
  std::function<void(Result<AppendResult>)> done;       // AppendAnswers::Track(caller's done)
};

// Everything the writer computes for one group before writing it, index by
// index. Chaining turns payloads into bodies and hashes; signing turns those
// into the stored events and their Merkle leaf hashes.
struct GroupWork {
  std::vector<LoggedEvent> logged;  // headers with seq and time, plaintexts
  std::vector<Bytes> payloads;      // as stored (ciphertext if encrypted)
  std::vector<Bytes> bodies;
  std::vector<Hash256> hashes;
  std::vector<Bytes> stored;  // signed events, as the log family holds them
  std::vector<Hash256> leaf_hashes;
};

// A group written to the store (unsynced) and waiting for the syncer.
struct WrittenGroup {
  std::vector<PendingAppend> appends;
  GroupWork work;
  std::function<void()> on_durable;  // the hook's staged in-memory changes
};

// State advanced by each group; restored if the group's write fails.
struct ChainState {
  uint64_t next_seq = 0;
  Hash256 last_hash{};
  int64_t last_time_us = 0;
  merkle::Frontier frontier;
};

// The caller-side work of an append, done on the caller's thread: checks
// `events` and seals each personal payload under its subject's data key,
// creating keys on first use (their wrapped forms travel with the append, to
// be written in its group's batch). A throw (std::bad_alloc, on the caller's
// thread or one sealing beside it) becomes kInternal naming only its type.
Result<PendingAppend> PrepareAppend(std::vector<NewEvent> events, DataKeyRing& data_keys);

// Restores the writer's chain state from the last event written (kLatest:
// groups written but not yet synced count).
Result<ChainState> LoadChainState(Store& store);

// Answers every append of a group: its sequence numbers if `status` is ok
// (the group is durable, and so are the data keys it created), else
// kUnavailable with `status`'s message. Each `done` is the log's tracked
// answer (AppendAnswers::Track), which runs the caller's through
// RunCallback: one that throws does not stop the next.
void CompleteAppends(std::vector<PendingAppend>& appends, const GroupWork& work,
                     const Status& status, DataKeyRing& data_keys);

// Runs `callback`, which the log does not own (an append's `done`, a hook's
// staged action): a throw is logged at error level, naming `what` and the
// exception's type only (its message may quote personal data), and
// swallowed, so that the writer or syncer thread and the callbacks after it
// go on.
void RunCallback(std::string_view what, const std::function<void()>& callback);

// The counters behind EventLog::stats(); safe to use from any thread.
class LogStats {
 public:
  // `groups` groups of `events` events in all were committed (`ok`) or
  // failed; `micros` is the fsync's time (0 if none was attempted).
  void Record(size_t groups, size_t events, size_t last_group_events, bool ok, int64_t micros);
  EventLogStats Get() const;

 private:
  mutable std::mutex mu_;
  EventLogStats stats_;  // guarded by mu_
};

}  // namespace backpack::log_pipeline
