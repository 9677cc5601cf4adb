// The in_rows column family: what intake remembers of every imported row.
//
// Key:   kind (1 byte, fb::RecordKind) || owner || 0x00 || identity (32 bytes)
//   owner     the student id (stu_...) the row is about, "" for rows about no
//             student (orgs, sessions, classes, staff enrollments)
//   identity  HMAC-SHA-256 (index key) of the row's identity fields: its
//             sourcedId for roster kinds; (date) for attendance, (date,
//             assessment, subject) for assessments, (class, term) for grades,
//             (service, startDate) for services, (activity, season) for teams,
//             (submittedAt, prompt) for student voice; the owner completes it.
// Value: content (32 bytes) || seq (8 bytes big-endian) || flags (1 byte)
//   content   HMAC-SHA-256 (index key) of every payload field except import_id
//   seq       the event that last imported the row, except that a
//             ServiceDiscontinued of a row already held keeps the held seq:
//             always the event that created the row's record (the records
//             projection's key, RecordRetracted.row_seq)
//   flags     bit 0: retracted by a later full export
//
// Both the importer (to decide what changed) and the projection (to record
// it) derive keys and digests from the event payload through DigestOf(), so
// the two can never disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"
#include "events/event.h"
#include "events/schema/payloads_generated.h"

namespace backpack::intake {

inline constexpr std::string_view kRowsFamily = "in_rows";

struct RowDigest {
  fb::RecordKind kind = fb::RecordKind::Unknown;
  std::string key;    // the in_rows key
  Hash256 content{};  // digest of the row's content
};

// The row an import event records (OrgImported ... StudentVoiceSubmitted),
// nullopt for any other type, kDataLoss if the payload fails verification.
// `row_key` is the store's index key (HmacSha256Key(keys.index_key)).
Result<std::optional<RowDigest>> DigestOf(const HmacSha256Key& row_key, EventType type,
                                          std::string_view subject, ByteView payload);

// Whether `held`, the content digest in_rows holds for a service, is that of
// the ServiceRecorded the ServiceDiscontinued payload `discontinued` ends as
// it was recorded while ongoing: the same provider, and this end date or none
// (the natural lifecycle, not a correction). kDataLoss if the payload fails
// verification.
Result<bool> EndsOngoingService(const HmacSha256Key& row_key, const Hash256& held,
                                ByteView discontinued);

// The in_rows key of the roster row a RecordRetracted names.
std::string RetractedRowKey(const HmacSha256Key& row_key, fb::RecordKind kind,
                            std::string_view subject, std::string_view sourced_id);

// Every key of `kind` owned by `owner` starts with this prefix; with
// owner == nullopt, every key of `kind`.
std::string RowKeyPrefix(fb::RecordKind kind, std::optional<std::string_view> owner);
// The owner part of an in_rows key ("" if none or malformed).
std::string RowKeyOwner(ByteView key);

struct RowState {
  Hash256 content{};
  uint64_t seq = 0;
  bool retracted = false;
};
Bytes EncodeRowState(const RowState& state);
// nullopt if `value` is not 41 bytes.
std::optional<RowState> DecodeRowState(ByteView value);

}  // namespace backpack::intake
