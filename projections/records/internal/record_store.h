// Sealed JSON values of the records module, read and written through a
// ProjectionTxn (inside Apply, or a read-only txn for queries).
//
// Values are Boost.JSON objects built in a fixed field order and serialized
// compactly, so replaying the log reproduces them byte for byte.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "projections/projection.h"
#include "projections/records/internal/keys.h"

namespace backpack::records {

// Seals `value` at rec_student `key`, owned by `student_id`.
Status PutRecord(ProjectionTxn& txn, std::string_view key, const std::string& student_id,
                 const boost::json::object& value);
// The record at rec_student `key`; nullopt if absent, kGone if its owner was
// shredded, kDataLoss if it is not a JSON object.
Result<std::optional<boost::json::object>> GetRecord(ProjectionTxn& txn, std::string_view key);

struct StoredRecord {
  ParsedRecordKey key;
  boost::json::object value;
};
// Every record whose rec_student key starts with `prefix`, in key order.
Result<std::vector<StoredRecord>> ScanRecords(ProjectionTxn& txn, std::string_view prefix);

// Field readers tolerant of absent or mistyped fields.
std::string StringField(const boost::json::object& o, std::string_view name);
int64_t IntField(const boost::json::object& o, std::string_view name);
bool BoolField(const boost::json::object& o, std::string_view name);

// Absence days and note times of one student: all the attendance alert
// needs, kept in one sealed value (SummaryKey) so the feed reads one value
// per student.
struct AttendanceSummary {
  struct Absence {
    int64_t day_us = 0;
    uint64_t seq = 0;  // the AttendanceRecorded event
    bool operator<(const Absence& o) const {
      return day_us != o.day_us ? day_us < o.day_us : seq < o.seq;
    }
  };
  // Sorted; retracted rows removed, and so are days that can no longer fall
  // in a recent window (AddAbsence).
  std::vector<Absence> absences;
  // The earliest note of each UTC day, sorted, for the days that can still
  // fall in a recent window: the alert asks only whether some note lies in
  // [a day start, now], which the earliest of each day answers exactly.
  std::vector<int64_t> note_times_us;

  // Records a note written at `at_us`; false if that changed nothing.
  bool AddNoteTime(int64_t at_us);

  boost::json::object ToJson() const;
  static AttendanceSummary FromJson(const boost::json::object& o);
};

// The attendance summaries a projection read or wrote last, by student: for
// each, what rec_student holds once everything applied so far is written.
// Every note reads its student's summary, and reading it from the store (a
// memtable search, opening, parsing) was about a tenth of an append's CPU.
// The live projection keeps one, and so does each lane of a rebuild for its
// own students. Whoever owns it must Clear it whenever a group may not have
// been written, or rec_student was written some other way (a rebuild).
// Not thread-safe: its owner's thread alone (the writer, or one lane).
class SummaryMemo {
 public:
  // Beyond this many students, remembering one forgets another.
  static constexpr size_t kCapacity = 32768;

  // Null if `student_id` is not remembered.
  const AttendanceSummary* Find(const std::string& student_id) const;
  void Remember(const std::string& student_id, const AttendanceSummary& summary);
  void Forget(const std::string& student_id) { summaries_.erase(student_id); }
  void Clear() { summaries_.clear(); }
  size_t size() const { return summaries_.size(); }

 private:
  std::unordered_map<std::string, AttendanceSummary> summaries_;
};

// A student's summary (empty if none is stored), from `memo` if it remembers
// the student, else from `txn` (and then remembered). `memo` may be null.
Result<AttendanceSummary> LoadSummary(ProjectionTxn& txn, SummaryMemo* memo,
                                      const std::string& student_id);
// Stores the summary through `txn`, and in `memo` unless it is null.
Status StoreSummary(ProjectionTxn& txn, SummaryMemo* memo, const std::string& student_id,
                    const AttendanceSummary& summary);

// The first instant of the recent window ending at `now_us`: the last 45
// days are today and the 44 before it, from midnight UTC, so that whole
// dated days are in or out.
int64_t RecentWindowStart(int64_t now_us);

struct AttendanceAlert {
  int64_t at_us = 0;     // the latest absence day in the window
  int64_t since_us = 0;  // start of the window
  size_t absence_days = 0;
};
// The alert rule (SPEC §6): at least kAttendanceAlertAbsences distinct
// absence days in [RecentWindowStart(now), now] and no note in that window.
std::optional<AttendanceAlert> ComputeAttendanceAlert(const AttendanceSummary& summary,
                                                      int64_t now_us);

}  // namespace backpack::records
