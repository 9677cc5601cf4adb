// Column families of the family module and their key and value encodings
// (docs/storage-format.md, "Family projection"). Internal to projections/family/.
//
// Keys hold opaque ids and sequence numbers only. Values that hold personal
// data (request texts, disclosure recipients) are sealed under the student.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"
#include "events/event.h"

namespace backpack::family {

// Per-subject index of the log: every event about a subject, including the
// ones later shredded. Not a projection family: see SubjectIndex below.
inline constexpr std::string_view kSubjectEvents = "f_subject_events";
// request id -> sealed request record (owner: the student).
inline constexpr std::string_view kRequests = "f_requests";
// student id 0x00 request id -> plain {"kind","status"} (legal holds, lists).
inline constexpr std::string_view kStudentRequests = "f_student_requests";
// student id 0x00 seq -> sealed disclosure entry (FERPA §99.32).
inline constexpr std::string_view kDisclosures = "f_disclosures";
// student id -> plain shred marker {"seq","at_us","reason","request_id"}.
inline constexpr std::string_view kShredded = "f_shredded";
// request id -> student id (plain): the requests a shred made unreadable,
// from the RecordShredded payload (request_ids, and the approved request_id).
inline constexpr std::string_view kShreddedRequests = "f_shredded_requests";
// student id 0x00 account id -> "" (plain): the student's guardians at the
// shred, from the RecordShredded payload (guardian_ids).
inline constexpr std::string_view kShreddedGuardians = "f_shredded_guardians";

// "stu_..." ids are students (projections/ids.h).
bool IsStudentId(std::string_view id);

// id || 0x00: the prefix of every key about `id`.
Bytes IdPrefix(std::string_view id);
// id || 0x00 || seq (8 bytes big-endian).
Bytes IdSeqKey(std::string_view id, uint64_t seq);
// id || 0x00 || suffix.
Bytes IdSuffixKey(std::string_view id, std::string_view suffix);
// The seq of an IdSeqKey; kDataLoss if too short.
Result<uint64_t> SeqOfKey(ByteView key);
// The suffix of an IdSuffixKey whose prefix is `prefix_size` bytes.
std::string SuffixOfKey(ByteView key, size_t prefix_size);

// The value of a kSubjectEvents entry: envelope fields the log keeps in
// plaintext anyway. 11 bytes: type (2 BE) || recorded_at_us (8 BE) || flags.
struct IndexEntry {
  uint64_t seq = 0;  // from the key
  EventType type = EventType::Unknown;
  int64_t at_us = 0;
  bool encrypted = false;
  bool listed = false;  // about the subject via RecordViewed.students, not the envelope
};
Bytes EncodeIndexEntry(const IndexEntry& entry);
Result<IndexEntry> DecodeIndexEntry(uint64_t seq, ByteView value);

}  // namespace backpack::family
