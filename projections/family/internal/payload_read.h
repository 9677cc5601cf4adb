// Typed, verified access to event payloads inside the family projection.
// Internal to projections/family/.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <string>

#include "events/event.h"
#include "events/schema/payloads_generated.h"

namespace backpack::family {

// The payload of `e` as table T; kInvalidArgument if it does not verify.
template <typename T>
Result<const T*> ReadPayload(const LoggedEvent& e) {
  flatbuffers::Verifier verifier(e.payload.data(), e.payload.size());
  if (e.payload.empty() || !verifier.VerifyBuffer<T>(nullptr)) {
    return Err(InvalidArgumentError(std::string(EventTypeName(e.header.type)) +
                                    " payload does not verify"));
  }
  return flatbuffers::GetRoot<T>(e.payload.data());
}

inline std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

}  // namespace backpack::family
