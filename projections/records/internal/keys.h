// Column families, key encodings and date helpers of the records module.
// The layouts are documented in docs/storage-format.md, "Records projection".
//
// Every function here is pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace backpack::records {

// Sealed per-student values: student_id \0 tag [seq(8 BE)].
inline constexpr std::string_view kStudentFamily = "rec_student";
// Home feed index: inverted time(8 BE) student_id \0 tag seq(8 BE) -> "".
inline constexpr std::string_view kFeedFamily = "rec_feed";
// Note lookup: note_id -> student_id \0 seq(8 BE) of its NoteWritten.
inline constexpr std::string_view kNoteFamily = "rec_notes";
// Notes a shred took: note_id -> student_id, from the RecordShredded payload's
// note_ids (plain: opaque ids only).
inline constexpr std::string_view kShreddedNoteFamily = "rec_shredded_notes";

// The kind of a value under a student's prefix.
enum class Tag : char {
  kAttendance = 'a',
  kAssessment = 'e',
  kGrade = 'g',
  kNote = 'n',
  kService = 's',
  kTeam = 't',
  kVoice = 'v',
  kAttendanceAlert = 'x',  // feed only: computed at read time, never stored
  kSummary = 'z',          // one per student, no seq
};

// student_id \0: the prefix of everything stored about one student.
std::string StudentPrefix(std::string_view student_id);
// student_id \0 tag: the prefix of one kind of record.
std::string TagPrefix(std::string_view student_id, Tag tag);
// student_id \0 tag seq(8 BE): the record imported or written by event `seq`.
std::string RecordKey(std::string_view student_id, Tag tag, uint64_t seq);
// student_id \0 'z': the student's attendance summary.
std::string SummaryKey(std::string_view student_id);

struct ParsedRecordKey {
  std::string student_id;
  Tag tag = Tag::kSummary;
  uint64_t seq = 0;
};
// Inverse of RecordKey / SummaryKey; nullopt if malformed.
std::optional<ParsedRecordKey> ParseRecordKey(ByteView key);

// Feed keys sort newest first: the time is stored as INT64_MAX - at_us
// (negative times count as 0).
std::string FeedKey(int64_t at_us, std::string_view student_id, Tag tag, uint64_t seq);
struct ParsedFeedKey {
  int64_t at_us = 0;
  std::string student_id;
  Tag tag = Tag::kNote;
  uint64_t seq = 0;
};
std::optional<ParsedFeedKey> ParseFeedKey(ByteView key);

// rec_notes value: student_id \0 seq(8 BE).
std::string NoteRef(std::string_view student_id, uint64_t seq);
struct ParsedNoteRef {
  std::string student_id;
  uint64_t seq = 0;
};
std::optional<ParsedNoteRef> ParseNoteRef(ByteView value);

// "YYYY-MM-DD" (a valid calendar date) -> unix micros of its midnight UTC.
std::optional<int64_t> ParseDate(std::string_view date);
// Unix micros -> "YYYY-MM-DD" (UTC).
std::string FormatDate(int64_t at_us);
// Unix micros -> "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds).
std::string FormatTime(int64_t at_us);
// Midnight UTC of the day containing `at_us`.
int64_t DayStart(int64_t at_us);

}  // namespace backpack::records
