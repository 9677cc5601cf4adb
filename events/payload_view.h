// Reading an event's FlatBuffers payload: the verifier first, then typed
// access. The projections read payloads through VerifiedRoot, so hostile or
// corrupt bytes become a null table, never a read out of bounds.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <string>
#include <string_view>

#include "core/bytes.h"

namespace backpack {

// The root table of `payload` as T, or null if the bytes are not a valid T.
template <typename T>
const T* VerifiedRoot(ByteView payload) {
  if (payload.empty()) return nullptr;
  flatbuffers::Verifier verifier(payload.data(), payload.size());
  if (!verifier.VerifyBuffer<T>(nullptr)) return nullptr;
  return flatbuffers::GetRoot<T>(payload.data());
}

// A string field's value; "" if absent.
inline std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// As Str, viewing the payload's bytes (valid while the payload lives).
inline std::string_view StrView(const flatbuffers::String* s) {
  return s ? std::string_view(s->c_str(), s->size()) : std::string_view();
}

}  // namespace backpack
