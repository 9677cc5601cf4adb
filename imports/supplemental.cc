// Backpack's supplemental files (SPEC §4), all keyed by a student's sourcedId.
#include <array>

#include "imports/internal/readers.h"
#include "imports/internal/table.h"

namespace backpack::imports {

namespace {
constexpr std::array<std::string_view, 3> kAttendanceStatuses = {"absent", "tardy", "present"};
}  // namespace

std::string_view AttendanceStatusName(AttendanceStatus status) {
  return kAttendanceStatuses[static_cast<size_t>(status)];
}

namespace internal {
namespace {

const FileSpec kAttendance{
    "attendance.csv", {"studentSourcedId", "date", "status", "excused"}, {"reason"}};
const FileSpec kAssessments{"assessments.csv",
                            {"studentSourcedId", "date", "assessment", "score"},
                            {"subject", "percentile", "performanceLevel"}};
const FileSpec kGrades{
    "grades.csv", {"studentSourcedId", "classSourcedId", "term", "grade", "date"}, {}};
const FileSpec kServices{
    "services.csv", {"studentSourcedId", "service", "startDate"}, {"provider", "endDate"}};
const FileSpec kTeams{"teams.csv", {"studentSourcedId", "activity", "season"}, {"coach"}};
const FileSpec kStudentVoice{
    "student_voice.csv", {"studentSourcedId", "submittedAt", "prompt", "answer"}, {}};

Attendance ReadAttendance(const Row& row) {
  Attendance a;
  a.source = row.source();
  a.student_sourced_id = row.Text("studentSourcedId");
  a.date = row.Date("date");
  auto status = row.Enum("status", kAttendanceStatuses);
  a.status = status ? static_cast<AttendanceStatus>(*status) : AttendanceStatus::kAbsent;
  a.excused = row.Bool("excused").value_or(false);
  a.reason = row.Text("reason");
  return a;
}

Assessment ReadAssessment(const Row& row) {
  Assessment a;
  a.source = row.source();
  a.student_sourced_id = row.Text("studentSourcedId");
  a.date = row.Date("date");
  a.assessment = row.Text("assessment");
  a.subject = row.Text("subject");
  a.score = row.Decimal("score").value_or(0);
  a.percentile = row.Int("percentile", 0, 100);
  a.performance_level = row.Text("performanceLevel");
  return a;
}

Grade ReadGrade(const Row& row) {
  Grade g;
  g.source = row.source();
  g.student_sourced_id = row.Text("studentSourcedId");
  g.class_sourced_id = row.Text("classSourcedId");
  g.term = row.Text("term");
  g.grade = row.Text("grade");
  g.date = row.Date("date");
  return g;
}

Service ReadService(const Row& row) {
  Service s;
  s.source = row.source();
  s.student_sourced_id = row.Text("studentSourcedId");
  s.service = row.Text("service");
  s.provider = row.Text("provider");
  s.start_date = row.Date("startDate");
  s.end_date = row.Date("endDate");
  row.CheckNotBefore("endDate", s.end_date, "startDate", s.start_date);
  return s;
}

TeamMembership ReadTeam(const Row& row) {
  TeamMembership t;
  t.source = row.source();
  t.student_sourced_id = row.Text("studentSourcedId");
  t.activity = row.Text("activity");
  t.season = row.Text("season");
  t.coach = row.Text("coach");
  return t;
}

StudentVoice ReadStudentVoice(const Row& row) {
  StudentVoice v;
  v.source = row.source();
  v.student_sourced_id = row.Text("studentSourcedId");
  v.submitted_at = row.DateTime("submittedAt", /*zone_required=*/true);
  v.prompt = row.Text("prompt");
  v.answer = row.Text("answer");
  return v;
}

}  // namespace

void ReadSupplementalFiles(ReadContext* context) {
  ImportSet* set = context->set;
  ForEachRow(kAttendance, context,
             [&](const Row& row) { set->attendance.push_back(ReadAttendance(row)); });
  ForEachRow(kAssessments, context,
             [&](const Row& row) { set->assessments.push_back(ReadAssessment(row)); });
  ForEachRow(kGrades, context, [&](const Row& row) { set->grades.push_back(ReadGrade(row)); });
  ForEachRow(kServices, context,
             [&](const Row& row) { set->services.push_back(ReadService(row)); });
  ForEachRow(kTeams, context, [&](const Row& row) { set->teams.push_back(ReadTeam(row)); });
  ForEachRow(kStudentVoice, context,
             [&](const Row& row) { set->student_voice.push_back(ReadStudentVoice(row)); });
}

void MergeSupplemental(ReadContext from, ReadContext* to) {
  ImportSet& source = *from.set;
  ImportSet& target = *to->set;
  target.attendance = std::move(source.attendance);
  target.assessments = std::move(source.assessments);
  target.grades = std::move(source.grades);
  target.services = std::move(source.services);
  target.teams = std::move(source.teams);
  target.student_voice = std::move(source.student_voice);
  target.row_counts.merge(source.row_counts);
  to->incomplete_files.merge(from.incomplete_files);
  to->errors->Append(*from.errors);
}

}  // namespace internal
}  // namespace backpack::imports
