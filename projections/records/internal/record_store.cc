#include "projections/records/internal/record_store.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "projections/records/records.h"

namespace backpack::records {

namespace json = boost::json;

Status PutRecord(ProjectionTxn& txn, std::string_view key, const std::string& student_id,
                 const json::object& value) {
  std::string text = json::serialize(value);
  return txn.PutSealed(kStudentFamily, AsBytes(key), student_id, AsBytes(text));
}

namespace {

Result<json::object> ParseObject(ByteView bytes) {
  boost::system::error_code ec;
  json::value v = json::parse(AsChars(bytes), ec);
  if (ec || !v.is_object()) return Err(DataLossError("records: stored value is not a JSON object"));
  return std::move(v.as_object());
}

}  // namespace

Result<std::optional<json::object>> GetRecord(ProjectionTxn& txn, std::string_view key) {
  ASSIGN_OR_RETURN(auto plain, txn.GetSealed(kStudentFamily, AsBytes(key)));
  if (!plain) return std::optional<json::object>();
  ASSIGN_OR_RETURN(json::object o, ParseObject(*plain));
  return std::optional<json::object>(std::move(o));
}

Result<std::vector<StoredRecord>> ScanRecords(ProjectionTxn& txn, std::string_view prefix) {
  std::vector<StoredRecord> out;
  Status status;
  RETURN_IF_ERROR(txn.Scan(kStudentFamily, AsBytes(prefix), [&](ByteView key, ByteView sealed) {
    auto parsed = ParseRecordKey(key);
    if (!parsed) {
      status = DataLossError("records: malformed key in rec_student");
      return false;
    }
    auto value = txn.OpenSealed(kStudentFamily, key, sealed).and_then([](const Bytes& plain) {
      return ParseObject(plain);
    });
    if (!value) {
      status = value.error();
      return false;
    }
    out.push_back({std::move(*parsed), std::move(*value)});
    return true;
  }));
  RETURN_IF_ERROR(status);
  return out;
}

std::string StringField(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t IntField(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  if (v && v->is_int64()) return v->as_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return 0;
}

bool BoolField(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  return v && v->is_bool() && v->as_bool();
}

json::object AttendanceSummary::ToJson() const {
  json::array absent;
  for (const auto& a : absences) absent.push_back(json::array{a.day_us, a.seq});
  json::array notes;
  for (int64_t t : note_times_us) notes.push_back(t);
  json::object o;
  o["absences"] = std::move(absent);
  o["note_times_us"] = std::move(notes);
  return o;
}

AttendanceSummary AttendanceSummary::FromJson(const json::object& o) {
  AttendanceSummary s;
  if (auto* a = o.if_contains("absences"); a && a->is_array()) {
    for (const auto& entry : a->as_array()) {
      if (!entry.is_array() || entry.as_array().size() != 2) continue;
      const auto& pair = entry.as_array();
      if (!pair[0].is_int64() || !pair[1].is_number()) continue;
      s.absences.push_back({pair[0].as_int64(), pair[1].to_number<uint64_t>()});
    }
  }
  if (auto* n = o.if_contains("note_times_us"); n && n->is_array()) {
    for (const auto& t : n->as_array()) {
      if (t.is_int64()) s.note_times_us.push_back(t.as_int64());
    }
  }
  return s;
}

const AttendanceSummary* SummaryMemo::Find(const std::string& student_id) const {
  auto it = summaries_.find(student_id);
  return it == summaries_.end() ? nullptr : &it->second;
}

void SummaryMemo::Remember(const std::string& student_id, const AttendanceSummary& summary) {
  if (summaries_.size() >= kCapacity && !summaries_.contains(student_id)) {
    summaries_.erase(summaries_.begin());
  }
  summaries_.insert_or_assign(student_id, summary);
}

Result<AttendanceSummary> LoadSummary(ProjectionTxn& txn, SummaryMemo* memo,
                                      const std::string& student_id) {
  if (memo) {
    if (const AttendanceSummary* remembered = memo->Find(student_id)) return *remembered;
  }
  ASSIGN_OR_RETURN(auto value, GetRecord(txn, SummaryKey(student_id)));
  AttendanceSummary summary = value ? AttendanceSummary::FromJson(*value) : AttendanceSummary();
  if (memo) memo->Remember(student_id, summary);
  return summary;
}

Status StoreSummary(ProjectionTxn& txn, SummaryMemo* memo, const std::string& student_id,
                    const AttendanceSummary& summary) {
  RETURN_IF_ERROR(PutRecord(txn, SummaryKey(student_id), student_id, summary.ToJson()));
  if (memo) memo->Remember(student_id, summary);
  return OkStatus();
}

bool AttendanceSummary::AddNoteTime(int64_t at_us) {
  const int64_t day = DayStart(at_us);
  auto same_day = std::find_if(note_times_us.begin(), note_times_us.end(),
                               [&](int64_t t) { return DayStart(t) == day; });
  if (same_day != note_times_us.end()) {
    if (*same_day <= at_us) return false;
    *same_day = at_us;
    return true;
  }
  note_times_us.insert(std::upper_bound(note_times_us.begin(), note_times_us.end(), at_us), at_us);
  // Days before the newest note's recent window can never decide an alert
  // again (the clock only moves forward).
  const int64_t keep_from = RecentWindowStart(note_times_us.back()) - kMicrosPerDay;
  std::erase_if(note_times_us, [&](int64_t t) { return t < keep_from; });
  return true;
}

int64_t RecentWindowStart(int64_t now_us) {
  return DayStart(now_us) - kRecentWindowMicros + kMicrosPerDay;
}

std::optional<AttendanceAlert> ComputeAttendanceAlert(const AttendanceSummary& summary,
                                                      int64_t now_us) {
  const int64_t since = RecentWindowStart(now_us);
  auto in_window = [&](int64_t t) { return t >= since && t <= now_us; };
  if (std::any_of(summary.note_times_us.begin(), summary.note_times_us.end(), in_window)) {
    return std::nullopt;
  }
  AttendanceAlert alert;
  alert.since_us = since;
  int64_t last_day = std::numeric_limits<int64_t>::min();
  for (const auto& a : summary.absences) {  // sorted by day: count distinct days
    if (!in_window(a.day_us) || a.day_us == last_day) continue;
    last_day = a.day_us;
    ++alert.absence_days;
    alert.at_us = a.day_us;
  }
  if (alert.absence_days < kAttendanceAlertAbsences) return std::nullopt;
  return alert;
}

}  // namespace backpack::records
