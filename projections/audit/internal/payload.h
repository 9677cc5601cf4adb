// Reading FlatBuffers payloads inside the audit projection. Internal.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <string>

#include "events/event.h"
#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"

namespace backpack::audit_internal {

// The verified payload of `event` as T, or null if it does not verify. Such
// a payload is skipped rather than failing the commit group: one bad event
// must not stop every later append.
template <typename T>
const T* Payload(const LoggedEvent& event) {
  return VerifiedRoot<T>(event.payload);
}

}  // namespace backpack::audit_internal
