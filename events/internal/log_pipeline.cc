#include "events/internal/log_pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "core/crypto.h"
#include "core/parallel.h"
#include "events/codec.h"
#include "events/log_layout.h"

namespace backpack::log_pipeline {

namespace {

// Appends of at least this many events per core (an import) seal their
// payloads on every core.
constexpr size_t kSealEventsPerThread = 2048;

// Seals each personal payload of `events` (those with a key in `keys`, the
// same index).
void SealPayloads(std::vector<PreparedEvent>& events, const std::vector<const AeadKey*>& keys) {
  ForEachRange(events.size(), kSealEventsPerThread, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (!keys[i]) continue;
      events[i].stored_payload =
          AeadSeal(*keys[i], events[i].plaintext, codec::PayloadAssociatedData(events[i].header));
    }
  });
}

// The data keys of one append's subjects, each looked up once, and wiped
// when the append is prepared, however that ends.
class SubjectKeys {
 public:
  explicit SubjectKeys(DataKeyRing& ring) : ring_(ring) {}
  SubjectKeys(const SubjectKeys&) = delete;
  SubjectKeys& operator=(const SubjectKeys&) = delete;
  ~SubjectKeys() {
    for (auto& [subject, key] : keys_) SecureWipe(key);
  }
  // The key of `subject` (stable until destruction); a key created for it
  // goes to `new_keys` wrapped, to be stored with the events.
  Result<const AeadKey*> Get(const std::string& subject,
                             std::vector<std::pair<std::string, Bytes>>& new_keys) {
    auto it = keys_.find(subject);
    if (it != keys_.end()) return &it->second;
    ASSIGN_OR_RETURN(DataKey key, ring_.GetOrCreate(subject));
    if (key.wrapped_to_persist) new_keys.emplace_back(subject, std::move(*key.wrapped_to_persist));
    it = keys_.emplace(subject, key.key).first;
    SecureWipe(key.key);
    return &it->second;
  }

 private:
  DataKeyRing& ring_;
  std::unordered_map<std::string, AeadKey> keys_;
};

Result<PendingAppend> PrepareEvents(std::vector<NewEvent> events, DataKeyRing& data_keys) {
  if (events.empty()) return Err(InvalidArgumentError("nothing to append"));
  PendingAppend pending;
  pending.events.reserve(events.size());
  SubjectKeys keys(data_keys);
  std::vector<const AeadKey*> key_of_event;  // null for a payload stored as it is
  key_of_event.reserve(events.size());
  for (NewEvent& e : events) {
    if (e.type == EventType::Unknown) return Err(InvalidArgumentError("event has no type"));
    PreparedEvent p;
    p.header = EventHeader{0,
                           0,
                           e.type,
                           std::move(e.actor_id),
                           std::move(e.subject_id),
                           std::move(e.request_id),
                           e.personal};
    if (e.personal) {
      if (p.header.subject_id.empty()) {
        return Err(InvalidArgumentError("a personal payload needs a subject"));
      }
      ASSIGN_OR_RETURN(const AeadKey* key, keys.Get(p.header.subject_id, pending.new_keys));
      key_of_event.push_back(key);
    } else {
      p.stored_payload = e.payload;
      key_of_event.push_back(nullptr);
    }
    p.plaintext = std::move(e.payload);
    pending.events.push_back(std::move(p));
  }
  SealPayloads(pending.events, key_of_event);
  return pending;
}

}  // namespace

Result<PendingAppend> PrepareAppend(std::vector<NewEvent> events, DataKeyRing& data_keys) {
  try {
    return PrepareEvents(std::move(events), data_keys);
  } catch (...) {
    return Err(CaughtError("preparing the append"));
  }
}

Result<ChainState> LoadChainState(Store& store) {
  ChainState state;
  ASSIGN_OR_RETURN(auto it, store.NewIterator(cf::kLog, ReadView::kLatest));
  it->SeekToLast();
  RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return state;
  const Bytes stored(it->value().begin(), it->value().end());  // aligned, as FlatBuffers needs
  ASSIGN_OR_RETURN(codec::DecodedEvent last, codec::DecodeSignedEvent(stored));
  state.next_seq = last.header.seq + 1;
  state.last_hash = Sha256(last.body);
  state.last_time_us = last.header.recorded_at_us;
  ASSIGN_OR_RETURN(
      state.frontier,
      merkle::Frontier::Load(state.next_seq, layout::StoredNodes(store, ReadView::kLatest)));
  return state;
}

void CompleteAppends(std::vector<PendingAppend>& appends, const GroupWork& work,
                     const Status& status, DataKeyRing& data_keys) {
  size_t offset = 0;
  for (PendingAppend& append : appends) {
    Result<AppendResult> result;
    if (status.ok()) {
      for (auto& [subject, wrapped] : append.new_keys) data_keys.MarkDurable(subject);
      const EventHeader& first = work.logged[offset].header;
      const EventHeader& last = work.logged[offset + append.events.size() - 1].header;
      result = AppendResult{first.seq, last.seq, first.recorded_at_us};
    } else {
      result = Err(UnavailableError("the event could not be written durably: " + status.message()));
    }
    append.done(std::move(result));
    offset += append.events.size();
  }
}

void RunCallback(std::string_view what, const std::function<void()>& callback) {
  try {
    callback();
  } catch (...) {
    spdlog::error("event log: {}; going on", CaughtError(what).message());
  }
}

void LogStats::Record(size_t groups, size_t events, size_t last_group_events, bool ok,
                      int64_t micros) {
  std::lock_guard lock(mu_);
  (ok ? stats_.groups_committed : stats_.groups_failed) += groups;
  if (ok) stats_.events_appended += events;
  stats_.last_group_events = last_group_events;
  stats_.sync_write_micros_total += micros;
  stats_.sync_write_micros_max =
      std::max(stats_.sync_write_micros_max, static_cast<uint64_t>(std::max<int64_t>(micros, 0)));
  stats_.syncs += ok ? 1 : 0;
}

EventLogStats LogStats::Get() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace backpack::log_pipeline
