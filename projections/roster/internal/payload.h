// Verified access to event payloads. Internal to projections/roster/.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <string>
#include <string_view>

#include "core/status.h"
#include "events/event.h"
#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/access_state.h"

namespace backpack::roster {

// The event's payload as table `T`, after the FlatBuffers verifier has
// accepted it; kInvalidArgument otherwise.
template <typename T>
Result<const T*> PayloadAs(const LoggedEvent& event) {
  const T* table = VerifiedRoot<T>(event.payload);
  if (!table) {
    return Err(InvalidArgumentError(std::string("malformed ") +
                                    std::string(EventTypeName(event.header.type)) + " payload"));
  }
  return table;
}

inline IdSet StrSet(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
  IdSet out;
  if (!v) return out;
  for (const auto* s : *v) {
    if (s && s->size() > 0) out.insert(s->str());
  }
  return out;
}

// An id usable in keys: non-empty, at most 256 bytes, without NUL.
inline Status RequireId(std::string_view id, std::string_view what) {
  if (id.empty() || id.size() > 256 || id.find('\0') != std::string_view::npos) {
    return InvalidArgumentError("missing or malformed " + std::string(what) + " id");
  }
  return OkStatus();
}

// The event must be about `subject` and encrypted under its key (invariant 4).
inline Status RequirePersonalAbout(const LoggedEvent& event, std::string_view subject) {
  if (event.header.subject_id != subject) {
    return InvalidArgumentError(std::string(EventTypeName(event.header.type)) +
                                ": subject does not match the payload");
  }
  if (!event.header.payload_encrypted) {
    return InvalidArgumentError(std::string(EventTypeName(event.header.type)) +
                                " holds personal data and must be encrypted");
  }
  return OkStatus();
}

}  // namespace backpack::roster
