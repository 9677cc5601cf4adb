// Value encodings of the family projection and helpers to read them back.
// Internal to projections/family/.
//
// Values are Boost.JSON objects built in a fixed field order and serialised
// compactly, so a rebuild reproduces them byte for byte (invariant 6).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "core/data_keys.h"
#include "core/store.h"
#include "events/event.h"
#include "projections/family/family.h"

namespace backpack::family {

std::string SerializeRequest(const FamilyRequest& request);
Result<FamilyRequest> ParseRequest(ByteView json);
// The family-facing view of a request (fields that apply to its kind).
boost::json::object RequestToJson(const FamilyRequest& request);

// The plain value of kStudentRequests: {"kind","status"}.
std::string SerializeRequestState(const FamilyRequest& request);
struct RequestState {
  std::string kind;
  std::string status;
};
Result<RequestState> ParseRequestState(ByteView json);

// One entry of the disclosure record (FERPA §99.32): a read, a denied
// request or a disclosure outside the school. Sealed under the student.
struct Disclosure {
  uint64_t seq = 0;
  int64_t at_us = 0;
  EventType type = EventType::Unknown;
  std::string actor_id;
  std::string scope;      // SPEC scope name, e.g. "profile"; "" if none
  std::string reason;     // access reason or denial reason
  std::string outcome;    // "allowed", "denied", "gone"
  std::string recipient;  // RecordDisclosed
  std::string legitimate_interest;
  std::string description;  // RecordDisclosed: what was disclosed
};
std::string SerializeDisclosure(const Disclosure& disclosure);
Result<Disclosure> ParseDisclosure(ByteView json);

// The plain shred marker of kShredded.
struct ShredMarker {
  uint64_t seq = 0;
  int64_t at_us = 0;
  std::string reason;
  std::string request_id;
};
std::string SerializeShredMarker(const ShredMarker& marker);
Result<ShredMarker> ParseShredMarker(ByteView json);

// Opens a sealed value stored at (`family`, `key`); kGone if its owner was
// shredded, kDataLoss if it was changed or moved.
Result<Bytes> OpenSealed(DataKeyRing& data_keys, std::string_view family, ByteView key,
                         ByteView sealed);
// Reads a committed sealed value of the family projection: nullopt if
// absent, kGone if its owner was shredded.
Result<std::optional<Bytes>> ReadSealed(Store& store, DataKeyRing& data_keys,
                                        std::string_view family, ByteView key);

// "ProfileHistory" -> "profile_history": enum identifiers of the payload
// JSON in the spelling of SPEC §3.
std::string SnakeCase(std::string_view camel);

}  // namespace backpack::family
