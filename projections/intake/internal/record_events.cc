// Supplemental record rows (SPEC §4): attendance, assessments, grades,
// services, teams, student voice. Subject: the student; always personal.
#include <flatbuffers/flatbuffers.h>

#include <charconv>
#include <unordered_map>

#include "events/schema/payloads_generated.h"
#include "projections/ids.h"
#include "projections/intake/internal/dates.h"
#include "projections/intake/internal/row_events.h"

namespace backpack::intake {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using flatbuffers::String;

// The reason ServiceDiscontinued gives when the export carried an end date.
constexpr std::string_view kEndDateReached = "end_date_reached";

Offset<String> S(FlatBufferBuilder& fbb, std::string_view text) {
  return fbb.CreateString(text.data(), text.size());
}

template <typename T>
Bytes Finish(FlatBufferBuilder& fbb, Offset<T> root) {
  fbb.Finish(root);
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

// The shortest text that reads back as `score` ("212.5", "87").
std::string ScoreText(double score) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, score);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

fb::AttendanceStatus StatusOf(imports::AttendanceStatus status) {
  switch (status) {
    case imports::AttendanceStatus::kAbsent:
      return fb::AttendanceStatus::Absent;
    case imports::AttendanceStatus::kTardy:
      return fb::AttendanceStatus::Tardy;
    case imports::AttendanceStatus::kPresent:
      return fb::AttendanceStatus::Present;
  }
  return fb::AttendanceStatus::Unknown;
}

class RecordBuilder {
 public:
  RecordBuilder(const EventContext& context, std::vector<RowEvent>& out) : c_(context), out_(out) {}

  void Add(const imports::Attendance& a) {
    FlatBufferBuilder fbb(256);
    auto root = fb::CreateAttendanceRecordedPayload(
        fbb, S(fbb, a.date), StatusOf(a.status), a.excused, S(fbb, a.reason), S(fbb, c_.import_id));
    Push(EventType::AttendanceRecorded, a.student_sourced_id, Finish(fbb, root));
  }

  void Add(const imports::Assessment& a) {
    FlatBufferBuilder fbb(256);
    flatbuffers::Optional<uint8_t> percentile;
    if (a.percentile) percentile = static_cast<uint8_t>(*a.percentile);
    auto root = fb::CreateAssessmentRecordedPayload(
        fbb, S(fbb, a.date), S(fbb, a.assessment), S(fbb, a.subject), S(fbb, ScoreText(a.score)),
        percentile, S(fbb, a.performance_level), S(fbb, c_.import_id));
    Push(EventType::AssessmentRecorded, a.student_sourced_id, Finish(fbb, root));
  }

  void Add(const imports::Grade& g) {
    FlatBufferBuilder fbb(256);
    auto root =
        fb::CreateGradeRecordedPayload(fbb, S(fbb, g.class_sourced_id), S(fbb, g.term),
                                       S(fbb, g.grade), S(fbb, g.date), S(fbb, c_.import_id));
    Push(EventType::GradeRecorded, g.student_sourced_id, Finish(fbb, root));
  }

  // An ongoing service is recorded; one whose end date has come is
  // discontinued (and first recorded, if Backpack never saw it).
  void Add(const imports::Service& s) {
    FlatBufferBuilder fbb(256);
    auto root = fb::CreateServiceRecordedPayload(fbb, S(fbb, s.service), S(fbb, s.provider),
                                                 S(fbb, s.start_date), S(fbb, s.end_date),
                                                 S(fbb, c_.import_id));
    Push(EventType::ServiceRecorded, s.student_sourced_id, Finish(fbb, root));
    if (s.end_date.empty() || s.end_date > c_.today) return;
    FlatBufferBuilder ended(256);
    auto end_root = fb::CreateServiceDiscontinuedPayload(
        ended, S(ended, s.service), S(ended, s.provider), S(ended, s.start_date),
        S(ended, s.end_date), S(ended, kEndDateReached), S(ended, c_.import_id));
    RowEvent& row = out_.back();
    row.first_if_new = std::move(row.event);
    row.event = MakeEvent(c_, EventType::ServiceDiscontinued, row.first_if_new->subject_id,
                          Finish(ended, end_root), true);
  }

  void Add(const imports::TeamMembership& t) {
    FlatBufferBuilder fbb(256);
    auto root = fb::CreateTeamMembershipRecordedPayload(fbb, S(fbb, t.activity), S(fbb, t.season),
                                                        S(fbb, t.coach), S(fbb, c_.import_id));
    Push(EventType::TeamMembershipRecorded, t.student_sourced_id, Finish(fbb, root));
  }

  void Add(const imports::StudentVoice& v) {
    FlatBufferBuilder fbb(512);
    auto root = fb::CreateStudentVoiceSubmittedPayload(
        fbb, ParseDateTimeMicros(v.submitted_at).value_or(0), S(fbb, v.prompt), S(fbb, v.answer),
        S(fbb, c_.import_id));
    Push(EventType::StudentVoiceSubmitted, v.student_sourced_id, Finish(fbb, root));
  }

  template <typename Row>
  void AddAll(const std::vector<Row>& rows) {
    for (const Row& row : rows) Add(row);
  }

 private:
  void Push(EventType type, const std::string& student_sourced_id, Bytes payload) {
    out_.push_back({MakeEvent(c_, type, StudentId(student_sourced_id), std::move(payload), true),
                    {}});
  }

  // Each student's id is a keyed hash of their sourcedId: computed once per
  // student rather than once per row (a school year of attendance).
  const std::string& StudentId(const std::string& sourced_id) {
    auto [it, added] = student_ids_.try_emplace(sourced_id);
    if (added) it->second = StudentIdFor(*c_.index_key, sourced_id);
    return it->second;
  }

  const EventContext& c_;
  std::vector<RowEvent>& out_;
  std::unordered_map<std::string, std::string> student_ids_;
};

}  // namespace

void AppendRecordEvents(const imports::ImportSet& set, const EventContext& context,
                        std::vector<RowEvent>& out) {
  RecordBuilder builder(context, out);
  builder.AddAll(set.attendance);
  builder.AddAll(set.assessments);
  builder.AddAll(set.grades);
  builder.AddAll(set.services);
  builder.AddAll(set.teams);
  builder.AddAll(set.student_voice);
}

}  // namespace backpack::intake
