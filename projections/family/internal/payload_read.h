// Typed, verified access to event payloads inside the family projection.
// Internal to projections/family/.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <string>

#include "events/event.h"
#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"

namespace backpack::family {

// The payload of `e` as table T; kInvalidArgument if it does not verify.
template <typename T>
Result<const T*> ReadPayload(const LoggedEvent& e) {
  const T* table = VerifiedRoot<T>(e.payload);
  if (!table) {
    return Err(InvalidArgumentError(std::string(EventTypeName(e.header.type)) +
                                    " payload does not verify"));
  }
  return table;
}

}  // namespace backpack::family
