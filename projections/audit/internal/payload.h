// Reading FlatBuffers payloads inside the audit projection. Internal.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <string>

#include "events/event.h"
#include "events/schema/payloads_generated.h"

namespace backpack::audit_internal {

inline std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// The verified payload of `event` as T, or null if it does not verify. Such
// a payload is skipped rather than failing the commit group: one bad event
// must not stop every later append.
template <typename T>
const T* Payload(const LoggedEvent& event) {
  if (event.payload.empty()) return nullptr;
  flatbuffers::Verifier verifier(event.payload.data(), event.payload.size());
  if (!verifier.VerifyBuffer<T>(nullptr)) return nullptr;
  return flatbuffers::GetRoot<T>(event.payload.data());
}

}  // namespace backpack::audit_internal
