// Value types of the event log, shared by writers, projections and readers.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/bytes.h"
#include "core/status.h"
#include "core/store.h"
#include "events/schema/event_type_generated.h"

namespace backpack {

using EventType = fb::EventType;

// The readable name of an event type, e.g. "NoteWritten".
std::string_view EventTypeName(EventType type);

// An event as its author submits it. The log assigns seq and time.
struct NewEvent {
  EventType type = EventType::Unknown;
  std::string actor_id;    // user id, or "system"
  std::string subject_id;  // the student the event is about; "" if none
  std::string request_id;
  Bytes payload;  // the FlatBuffers payload table of `type`, plaintext
  // Encrypt the payload under the subject's data key. Must be true whenever
  // the payload holds personal data; requires a subject_id.
  bool personal = true;
};

struct EventHeader {
  uint64_t seq = 0;
  int64_t recorded_at_us = 0;
  EventType type = EventType::Unknown;
  std::string actor_id;
  std::string subject_id;
  std::string request_id;
  bool payload_encrypted = false;
};

// A committed (or committing) event with its plaintext payload.
struct LoggedEvent {
  EventHeader header;
  Bytes payload;          // plaintext; empty if shredded
  bool shredded = false;  // the subject's key was destroyed: payload unreadable
};

// Projections attach here. Called on the writer thread for every commit
// group, in sequence order, before the group's batch is written, so
// projection updates commit atomically with their events. The previous
// group may still be syncing: reads for it must use ReadView::kLatest.
class CommitHook {
 public:
  virtual ~CommitHook() = default;
  // Adds projection writes for `events` to `batch` and returns what to run
  // (on the syncing thread, in group order) once the batch is durable; it is
  // dropped if the group fails. Empty if nothing. A non-ok status fails the
  // whole group: none of its events is written and every caller gets it;
  // so does a throw (kInternal), which the log then recovers from as from a
  // failed write (OnStoreRecovered before the next group).
  virtual Result<std::function<void()>> OnGroup(std::span<const LoggedEvent> events,
                                                WriteBatch& batch) = 0;
  // A sync failed and the store was reopened: groups written after the last
  // durable one may or may not exist. Reload in-memory state from the store.
  virtual Status OnStoreRecovered() { return OkStatus(); }
  // The group of the last OnGroup was refused before any of it reached the
  // store (too little free space); its staged action is dropped. Forget any
  // other in-memory state OnGroup changed for it. A failure makes the log
  // recover as after a failed write. By default, reloads as OnStoreRecovered.
  virtual Status OnGroupRefused() { return OnStoreRecovered(); }
};

struct AppendResult {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  int64_t recorded_at_us = 0;
};

}  // namespace backpack
