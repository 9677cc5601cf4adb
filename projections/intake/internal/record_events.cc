// Supplemental record rows (SPEC §4): attendance, assessments, grades,
// services, teams, student voice. Subject: the student; always personal.
#include <flatbuffers/flatbuffers.h>

#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "core/parallel.h"
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

// Builds each row's event. One builder per thread.
class RecordBuilder {
 public:
  explicit RecordBuilder(const EventContext& context) : c_(context) {}

  RowEvent Build(const imports::Attendance& a) {
    FlatBufferBuilder fbb(256);
    auto root = fb::CreateAttendanceRecordedPayload(
        fbb, S(fbb, a.date), StatusOf(a.status), a.excused, S(fbb, a.reason), S(fbb, c_.import_id));
    return Row(EventType::AttendanceRecorded, a.student_sourced_id, Finish(fbb, root));
  }

  RowEvent Build(const imports::Assessment& a) {
    FlatBufferBuilder fbb(256);
    flatbuffers::Optional<uint8_t> percentile;
    if (a.percentile) percentile = static_cast<uint8_t>(*a.percentile);
    auto root = fb::CreateAssessmentRecordedPayload(
        fbb, S(fbb, a.date), S(fbb, a.assessment), S(fbb, a.subject), S(fbb, ScoreText(a.score)),
        percentile, S(fbb, a.performance_level), S(fbb, c_.import_id));
    return Row(EventType::AssessmentRecorded, a.student_sourced_id, Finish(fbb, root));
  }

  RowEvent Build(const imports::Grade& g) {
    FlatBufferBuilder fbb(256);
    auto root =
        fb::CreateGradeRecordedPayload(fbb, S(fbb, g.class_sourced_id), S(fbb, g.term),
                                       S(fbb, g.grade), S(fbb, g.date), S(fbb, c_.import_id));
    return Row(EventType::GradeRecorded, g.student_sourced_id, Finish(fbb, root));
  }

  // An ongoing service is recorded; one whose end date has come is
  // discontinued (and first recorded, if Backpack never saw it).
  RowEvent Build(const imports::Service& s) {
    FlatBufferBuilder fbb(256);
    auto root = fb::CreateServiceRecordedPayload(fbb, S(fbb, s.service), S(fbb, s.provider),
                                                 S(fbb, s.start_date), S(fbb, s.end_date),
                                                 S(fbb, c_.import_id));
    RowEvent row = Row(EventType::ServiceRecorded, s.student_sourced_id, Finish(fbb, root));
    if (s.end_date.empty() || s.end_date > c_.today) return row;
    FlatBufferBuilder ended(256);
    auto end_root = fb::CreateServiceDiscontinuedPayload(
        ended, S(ended, s.service), S(ended, s.provider), S(ended, s.start_date),
        S(ended, s.end_date), S(ended, kEndDateReached), S(ended, c_.import_id));
    row.first_if_new = std::move(row.event);
    row.event = MakeEvent(c_, EventType::ServiceDiscontinued, row.first_if_new->subject_id,
                          Finish(ended, end_root), true);
    return row;
  }

  RowEvent Build(const imports::TeamMembership& t) {
    FlatBufferBuilder fbb(256);
    auto root = fb::CreateTeamMembershipRecordedPayload(fbb, S(fbb, t.activity), S(fbb, t.season),
                                                        S(fbb, t.coach), S(fbb, c_.import_id));
    return Row(EventType::TeamMembershipRecorded, t.student_sourced_id, Finish(fbb, root));
  }

  RowEvent Build(const imports::StudentVoice& v) {
    FlatBufferBuilder fbb(512);
    auto root = fb::CreateStudentVoiceSubmittedPayload(
        fbb, ParseDateTimeMicros(v.submitted_at).value_or(0), S(fbb, v.prompt), S(fbb, v.answer),
        S(fbb, c_.import_id));
    return Row(EventType::StudentVoiceSubmitted, v.student_sourced_id, Finish(fbb, root));
  }

 private:
  RowEvent Row(EventType type, const std::string& student_sourced_id, Bytes payload) {
    return {MakeEvent(c_, type, StudentId(student_sourced_id), std::move(payload), true), {}};
  }

  // Each student's id is a keyed hash of their sourcedId: computed once per
  // student rather than once per row (a school year of attendance).
  const std::string& StudentId(const std::string& sourced_id) {
    auto [it, added] = student_ids_.try_emplace(sourced_id);
    if (added) it->second = StudentIdFor(*c_.index_key, sourced_id);
    return it->second;
  }

  const EventContext& c_;
  std::unordered_map<std::string, std::string> student_ids_;
};

// Appends one event per row of `rows` that is not about one of `deleted`
// to `out`, in row order, building them on every core (a school year of
// attendance is most of an import). Returns how many rows it left out.
template <typename Row>
uint64_t AppendAll(const std::vector<Row>& rows, const std::unordered_set<std::string>& deleted,
                   const EventContext& context, std::vector<RowEvent>& out) {
  std::vector<const Row*> kept;  // only if some are left out: usually none are
  if (!deleted.empty()) {
    kept.reserve(rows.size());
    for (const Row& row : rows) {
      if (!deleted.contains(row.student_sourced_id)) kept.push_back(&row);
    }
  }
  const size_t count = deleted.empty() ? rows.size() : kept.size();
  const size_t first = out.size();
  out.resize(first + count);
  ForEachRange(count, 4096, [&](size_t begin, size_t end) {
    RecordBuilder builder(context);
    for (size_t i = begin; i < end; ++i) {
      out[first + i] = builder.Build(deleted.empty() ? rows[i] : *kept[i]);
    }
  });
  return rows.size() - count;
}

}  // namespace

uint64_t AppendRecordEvents(const imports::ImportSet& set, const EventContext& context,
                            std::vector<RowEvent>& out) {
  const std::unordered_set<std::string> deleted = DeletedStudents(set);
  return AppendAll(set.attendance, deleted, context, out) +
         AppendAll(set.assessments, deleted, context, out) +
         AppendAll(set.grades, deleted, context, out) +
         AppendAll(set.services, deleted, context, out) +
         AppendAll(set.teams, deleted, context, out) +
         AppendAll(set.student_voice, deleted, context, out);
}

}  // namespace backpack::intake
