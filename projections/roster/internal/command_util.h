// Helpers shared by the roster command files. Internal to projections/roster/.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "events/event.h"
#include "projections/access_state.h"
#include "projections/services.h"

namespace backpack::roster {

// Serializes commands that check uniqueness against the committed roster
// before appending (one process writes a store).
std::mutex& CommandMutex();

inline Bytes FinishPayload(flatbuffers::FlatBufferBuilder& fbb) {
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

inline flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>>
StringVector(flatbuffers::FlatBufferBuilder& fbb, const IdSet& items) {
  return fbb.CreateVectorOfStrings(std::vector<std::string>(items.begin(), items.end()));
}

inline NewEvent MakeEvent(EventType type, const Actor& actor, std::string subject, Bytes payload,
                          bool personal) {
  NewEvent e;
  e.type = type;
  e.actor_id = actor.user_id.empty() ? "system" : actor.user_id;
  e.subject_id = std::move(subject);
  e.request_id = actor.request_id;
  e.payload = std::move(payload);
  e.personal = personal;
  return e;
}

// Appends one event and waits until it is durable.
inline Status AppendOne(Services& services, NewEvent event) {
  if (!services.log) return UnavailableError("the event log is not open");
  std::vector<NewEvent> events;
  events.push_back(std::move(event));
  auto appended = services.log->Append(std::move(events));
  return appended ? OkStatus() : appended.error();
}

// True if an account has the id `person_id` (UserIdFor a OneRoster
// sourcedId, or a new account's id), or was linked to that person after it
// was made (link_commands.cc). Reads committed state.
Result<bool> PersonHasAccount(Services& services, const std::string& person_id);

std::string_view TrimSpace(std::string_view text);

// kInvalidArgument unless `reason` is text (UTF-8, no control characters but
// line breaks and tabs) of at least `min_length` (and 1) visible characters
// and at most kMaxReasonChars.
Status RequireReason(std::string_view reason, size_t min_length);

// kInvalidArgument for a sourcedId of more than 256 bytes or holding a NUL
// (empty is the caller's to judge), saying `message`.
Status CheckSourcedIdForm(std::string_view sourced_id, std::string_view message);

}  // namespace backpack::roster
