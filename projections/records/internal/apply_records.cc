// Handlers for imported records (SPEC §4 supplemental files).
#include <algorithm>

#include "events/schema/payloads_generated.h"
#include "projections/records/internal/apply.h"
#include "projections/records/internal/record_store.h"

namespace backpack::records {
namespace json = boost::json;

namespace {

// The fields every record starts with.
json::object RecordHeader(const LoggedEvent& event) {
  json::object o;
  o["seq"] = event.header.seq;
  o["recorded_at_us"] = event.header.recorded_at_us;
  return o;
}

// The day a dated row belongs to: its date, or the day it was recorded.
int64_t DayOf(std::string_view date, int64_t recorded_at_us) {
  auto day = ParseDate(date);
  return day ? *day : DayStart(recorded_at_us);
}

Status PutNew(const LoggedEvent& event, ProjectionTxn& txn, Tag tag, json::object value) {
  value["retracted"] = false;
  const std::string& student = event.header.subject_id;
  return PutRecord(txn, RecordKey(student, tag, event.header.seq), student, value);
}

// Adds the record to the home feed at `at_us`, remembered in the record so
// a retraction can remove it.
Status PutNewInFeed(const LoggedEvent& event, ProjectionTxn& txn, Tag tag, json::object value,
                    int64_t at_us) {
  value["feed_at_us"] = at_us;
  const std::string& student = event.header.subject_id;
  txn.Put(kFeedFamily, AsBytes(FeedKey(at_us, student, tag, event.header.seq)), {});
  return PutNew(event, txn, tag, std::move(value));
}

std::string_view AttendanceStatusName(fb::AttendanceStatus status) {
  switch (status) {
    case fb::AttendanceStatus::Present:
      return "present";
    case fb::AttendanceStatus::Absent:
      return "absent";
    case fb::AttendanceStatus::Tardy:
      return "tardy";
    default:
      return "unknown";
  }
}

// At most this many absences from the recent window on are kept per student
// (the earliest: a window holds 45 days, the rest are dated in the future).
constexpr size_t kMaxTrackedAbsences = 256;

// Adds the absence of `day_us`, recorded at `recorded_at_us`. Days before
// that time's recent window can never decide an alert again (the clock only
// moves forward), so they are dropped: otherwise a student's summary would
// grow with every absence ever imported, and each absence rewrite them all.
Status AddAbsence(ProjectionTxn& txn, SummaryMemo* summaries, const std::string& student,
                  int64_t day_us, uint64_t seq, int64_t recorded_at_us) {
  const int64_t keep_from = RecentWindowStart(recorded_at_us);
  if (day_us < keep_from) return OkStatus();
  ASSIGN_OR_RETURN(AttendanceSummary summary, LoadSummary(txn, summaries, student));
  std::vector<AttendanceSummary::Absence>& absences = summary.absences;
  std::erase_if(absences, [&](const auto& a) { return a.day_us < keep_from; });
  AttendanceSummary::Absence absence{day_us, seq};
  absences.insert(std::upper_bound(absences.begin(), absences.end(), absence), absence);
  if (absences.size() > kMaxTrackedAbsences) absences.resize(kMaxTrackedAbsences);
  return StoreSummary(txn, summaries, student, summary);
}

Status RemoveAbsence(ProjectionTxn& txn, SummaryMemo* summaries, const std::string& student,
                     uint64_t seq) {
  ASSIGN_OR_RETURN(AttendanceSummary summary, LoadSummary(txn, summaries, student));
  auto removed = std::remove_if(summary.absences.begin(), summary.absences.end(),
                                [&](const auto& a) { return a.seq == seq; });
  if (removed == summary.absences.end()) return OkStatus();
  summary.absences.erase(removed, summary.absences.end());
  return StoreSummary(txn, summaries, student, summary);
}

std::optional<Tag> TagOfKind(fb::RecordKind kind) {
  switch (kind) {
    case fb::RecordKind::Attendance:
      return Tag::kAttendance;
    case fb::RecordKind::Assessment:
      return Tag::kAssessment;
    case fb::RecordKind::Grade:
      return Tag::kGrade;
    case fb::RecordKind::Service:
      return Tag::kService;
    case fb::RecordKind::TeamMembership:
      return Tag::kTeam;
    case fb::RecordKind::StudentVoice:
      return Tag::kVoice;
    default:
      return std::nullopt;  // roster kinds: the roster module flags them
  }
}

}  // namespace

Status ApplyAttendance(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries) {
  auto* p = VerifiedPayload<fb::AttendanceRecordedPayload>(event);
  if (!p) return MalformedPayload(event);
  json::object o = RecordHeader(event);
  o["date"] = Str(p->date());
  o["status"] = AttendanceStatusName(p->status());
  o["excused"] = p->excused();
  o["reason"] = Str(p->reason());
  RETURN_IF_ERROR(PutNew(event, txn, Tag::kAttendance, std::move(o)));
  if (p->status() != fb::AttendanceStatus::Absent) return OkStatus();
  return AddAbsence(txn, summaries, event.header.subject_id,
                    DayOf(Str(p->date()), event.header.recorded_at_us), event.header.seq,
                    event.header.recorded_at_us);
}

Status ApplyAssessment(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo*) {
  auto* p = VerifiedPayload<fb::AssessmentRecordedPayload>(event);
  if (!p) return MalformedPayload(event);
  json::object o = RecordHeader(event);
  o["date"] = Str(p->date());
  o["assessment"] = Str(p->assessment());
  o["subject"] = Str(p->subject());
  o["score"] = Str(p->score());
  if (p->percentile().has_value())
    o["percentile"] = p->percentile().value();
  else
    o["percentile"] = nullptr;
  o["performance_level"] = Str(p->performance_level());
  return PutNew(event, txn, Tag::kAssessment, std::move(o));
}

Status ApplyGrade(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo*) {
  auto* p = VerifiedPayload<fb::GradeRecordedPayload>(event);
  if (!p) return MalformedPayload(event);
  json::object o = RecordHeader(event);
  o["class_id"] = Str(p->class_sourced_id());
  o["term"] = Str(p->term());
  o["grade"] = Str(p->grade());
  o["date"] = Str(p->date());
  return PutNew(event, txn, Tag::kGrade, std::move(o));
}

Status ApplyService(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo*) {
  auto* p = VerifiedPayload<fb::ServiceRecordedPayload>(event);
  if (!p) return MalformedPayload(event);
  json::object o = RecordHeader(event);
  o["service"] = Str(p->service());
  o["provider"] = Str(p->provider());
  o["start_date"] = Str(p->start_date());
  o["end_date"] = Str(p->end_date());
  o["discontinued_reason"] = "";
  // In the feed at its start, but never later than it became known.
  int64_t at = event.header.recorded_at_us;
  if (auto start = ParseDate(Str(p->start_date()))) at = std::min(at, *start);
  return PutNewInFeed(event, txn, Tag::kService, std::move(o), at);
}

Status ApplyServiceDiscontinued(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo*) {
  auto* p = VerifiedPayload<fb::ServiceDiscontinuedPayload>(event);
  if (!p) return MalformedPayload(event);
  const std::string& student = event.header.subject_id;
  ASSIGN_OR_RETURN(auto services, ScanRecords(txn, TagPrefix(student, Tag::kService)));
  for (auto& [key, o] : services) {
    if (BoolField(o, "retracted") || StringField(o, "service") != Str(p->service()) ||
        StringField(o, "provider") != Str(p->provider()) ||
        StringField(o, "start_date") != Str(p->start_date())) {
      continue;
    }
    o["end_date"] = Str(p->end_date());
    o["discontinued_reason"] = Str(p->reason());
    RETURN_IF_ERROR(PutRecord(txn, RecordKey(student, Tag::kService, key.seq), student, o));
  }
  return OkStatus();
}

Status ApplyTeam(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo*) {
  auto* p = VerifiedPayload<fb::TeamMembershipRecordedPayload>(event);
  if (!p) return MalformedPayload(event);
  json::object o = RecordHeader(event);
  o["activity"] = Str(p->activity());
  o["season"] = Str(p->season());
  o["coach"] = Str(p->coach());
  return PutNew(event, txn, Tag::kTeam, std::move(o));
}

Status ApplyVoice(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo*) {
  auto* p = VerifiedPayload<fb::StudentVoiceSubmittedPayload>(event);
  if (!p) return MalformedPayload(event);
  int64_t at = event.header.recorded_at_us;
  if (p->submitted_at_us() > 0) at = std::min(at, p->submitted_at_us());
  json::object o = RecordHeader(event);
  o["submitted_at_us"] = at;
  o["prompt"] = Str(p->prompt());
  o["answer"] = Str(p->answer());
  return PutNewInFeed(event, txn, Tag::kVoice, std::move(o), at);
}

// Flags the row (never erases it) and takes it out of the feed and the
// attendance summary.
Status ApplyRetracted(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries) {
  auto* p = VerifiedPayload<fb::RecordRetractedPayload>(event);
  if (!p) return MalformedPayload(event);
  auto tag = TagOfKind(p->kind());
  if (!tag) return OkStatus();
  const std::string& student = event.header.subject_id;
  std::string key = RecordKey(student, *tag, p->row_seq());
  ASSIGN_OR_RETURN(auto record, GetRecord(txn, key));
  if (!record || BoolField(*record, "retracted")) return OkStatus();
  (*record)["retracted"] = true;
  (*record)["retracted_at_us"] = event.header.recorded_at_us;
  RETURN_IF_ERROR(PutRecord(txn, key, student, *record));
  if (record->contains("feed_at_us")) {
    txn.Delete(kFeedFamily,
               AsBytes(FeedKey(IntField(*record, "feed_at_us"), student, *tag, p->row_seq())));
  }
  if (*tag == Tag::kAttendance) return RemoveAbsence(txn, summaries, student, p->row_seq());
  return OkStatus();
}

}  // namespace backpack::records
