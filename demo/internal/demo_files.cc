#include "demo/internal/demo_files.h"

#include "demo/internal/text.h"

namespace backpack::demo {
namespace {

constexpr std::string_view kDistrictId = kDistrictSourcedId;
constexpr std::string_view kDistrictName = "Riverbend Unified School District";

// Empty optional fields, and the status and dateLastModified of every row:
// OneRoster 1.1 bulk files leave those two empty.
constexpr std::string_view kBlank = "";

std::string YearTitle(const SchoolCalendar& calendar) {
  return StrCat(
      {std::to_string(calendar.start_year()), "-", std::to_string(calendar.start_year() + 1)});
}

std::string GradeList(uint32_t mask) {
  std::string out;
  for (int g = 0; g < kGradeCount; ++g) {
    if ((mask & (1u << g)) == 0) continue;
    if (!out.empty()) out += ",";
    out += GradeCode(g);
  }
  return out;
}

Status WriteManifest(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(auto csv, CsvWriter::Create(dir / "manifest.csv", {"propertyName", "value"}));
  csv->Row({"manifest.version", "1.0"});
  csv->Row({"oneroster.version", "1.1"});
  for (std::string_view file :
       {"academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
        "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users"}) {
    const bool present = file == "academicSessions" || file == "classes" || file == "courses" ||
                         file == "demographics" || file == "enrollments" || file == "orgs" ||
                         file == "users";
    csv->Row({StrCat({"file.", file}), present ? "bulk" : "absent"});
  }
  csv->Row({"source.systemName", "Backpack demo generator"});
  csv->Row({"source.systemCode", "backpack-demo"});
  return csv->Close();
}

Status WriteOrgs(const std::filesystem::path& dir, const DistrictPlan& plan) {
  ASSIGN_OR_RETURN(auto csv, CsvWriter::Create(dir / "orgs.csv",
                                               {"sourcedId", "status", "dateLastModified", "name",
                                                "type", "identifier", "parentSourcedId"}));
  csv->Row({kDistrictId, kBlank, kBlank, kDistrictName, "district", "RUSD", kBlank});
  for (const PlannedSchool& school : plan.schools) {
    csv->Row(
        {school.sourced_id, kBlank, kBlank, school.name, "school", school.identifier, kDistrictId});
  }
  return csv->Close();
}

Status WriteSessions(const std::filesystem::path& dir, const SchoolCalendar& calendar) {
  ASSIGN_OR_RETURN(auto csv,
                   CsvWriter::Create(dir / "academicSessions.csv",
                                     {"sourcedId", "status", "dateLastModified", "title", "type",
                                      "startDate", "endDate", "parentSourcedId", "schoolYear"}));
  const std::string year_id = SchoolYearId(calendar);
  const std::string ending_year = std::to_string(calendar.start_year() + 1);
  csv->Row({year_id, kBlank, kBlank, YearTitle(calendar), "schoolYear",
            FormatDate(calendar.first_day()), FormatDate(calendar.year_end()), kBlank,
            ending_year});
  for (int s = 0; s < 2; ++s) {
    const SchoolCalendar::Span span = calendar.Semester(s);
    const std::string title =
        (s == 0 ? "Fall " : "Spring ") + std::to_string(calendar.start_year() + s);
    csv->Row({SemesterId(calendar, s), kBlank, kBlank, title, "semester",
              FormatDate(calendar.day(span.first)), FormatDate(calendar.day(span.last)), year_id,
              ending_year});
  }
  for (int q = 0; q < 4; ++q) {
    const SchoolCalendar::Span span = calendar.Quarter(q);
    csv->Row({QuarterId(calendar, q), kBlank, kBlank,
              StrCat({"Quarter ", std::to_string(q + 1), " ", YearTitle(calendar)}),
              "gradingPeriod", FormatDate(calendar.day(span.first)),
              FormatDate(calendar.day(span.last)), SemesterId(calendar, q / 2), ending_year});
  }
  return csv->Close();
}

Status WriteCourses(const std::filesystem::path& dir, const DemoContext& context) {
  ASSIGN_OR_RETURN(
      auto csv,
      CsvWriter::Create(dir / "courses.csv",
                        {"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
                         "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"}));
  const std::string year_id = SchoolYearId(context.calendar);
  for (const PlannedCourse& course : context.plan.courses) {
    const std::string code = StrCat({course.spec->code, "-", GradeCode(course.grade)});
    csv->Row({course.sourced_id, kBlank, kBlank, year_id, CourseTitle(*course.spec, course.grade),
              code, GradeCode(course.grade),
              context.plan.schools[static_cast<size_t>(course.school)].sourced_id,
              course.spec->subject, kBlank});
  }
  return csv->Close();
}

void WriteClassRow(CsvWriter& csv, const DemoContext& context, const PlannedClass& planned) {
  const DistrictPlan& plan = context.plan;
  const PlannedCourse& course = plan.courses[static_cast<size_t>(planned.course)];
  const PlannedStaff& teacher = plan.staff[static_cast<size_t>(planned.teacher)];
  const std::string section = std::to_string(planned.section + 1);
  csv.Row({planned.sourced_id, kBlank, kBlank,
           StrCat({CourseTitle(*course.spec, course.grade), ", Section ", section}),
           GradeCode(course.grade), course.sourced_id,
           StrCat({course.spec->code, "-", GradeCode(course.grade), "-", section}),
           course.spec->code == "HR" ? "homeroom" : "scheduled", teacher.location,
           plan.schools[static_cast<size_t>(course.school)].sourced_id,
           SchoolYearId(context.calendar), course.spec->subject, kBlank, kBlank});
}

Status WriteClasses(const std::filesystem::path& dir, const DemoContext& context) {
  ASSIGN_OR_RETURN(
      auto csv,
      CsvWriter::Create(dir / "classes.csv",
                        {"sourcedId", "status", "dateLastModified", "title", "grades",
                         "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId",
                         "termSourcedIds", "subjects", "subjectCodes", "periods"}));
  for (const PlannedClass& planned : context.plan.classes) WriteClassRow(*csv, context, planned);
  return csv->Close();
}

template <typename... Header>
Status OpenCsv(const std::filesystem::path& path, std::unique_ptr<CsvWriter>& out,
               Header... header) {
  ASSIGN_OR_RETURN(out, CsvWriter::Create(path, {header...}));
  return OkStatus();
}

Status OpenOneRosterStreams(const std::filesystem::path& dir, StreamFiles& files) {
  RETURN_IF_ERROR(OpenCsv(dir / "users.csv", files.users, "sourcedId", "status", "dateLastModified",
                          "enabledUser", "orgSourcedIds", "role", "username", "userIds",
                          "givenName", "familyName", "middleName", "identifier", "email", "sms",
                          "phone", "agentSourcedIds", "grades", "password"));
  RETURN_IF_ERROR(OpenCsv(dir / "demographics.csv", files.demographics, "sourcedId", "status",
                          "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative",
                          "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander",
                          "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity",
                          "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
                          "publicSchoolResidenceStatus"));
  return OpenCsv(dir / "enrollments.csv", files.enrollments, "sourcedId", "status",
                 "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
                 "primary", "beginDate", "endDate");
}

Status OpenSupplementalStreams(const std::filesystem::path& dir, StreamFiles& files) {
  RETURN_IF_ERROR(OpenCsv(dir / "attendance.csv", files.attendance, "studentSourcedId", "date",
                          "status", "excused", "reason"));
  RETURN_IF_ERROR(OpenCsv(dir / "assessments.csv", files.assessments, "studentSourcedId", "date",
                          "assessment", "subject", "score", "percentile", "performanceLevel"));
  RETURN_IF_ERROR(OpenCsv(dir / "grades.csv", files.grades, "studentSourcedId", "classSourcedId",
                          "term", "grade", "date"));
  RETURN_IF_ERROR(OpenCsv(dir / "services.csv", files.services, "studentSourcedId", "service",
                          "provider", "startDate", "endDate"));
  RETURN_IF_ERROR(
      OpenCsv(dir / "teams.csv", files.teams, "studentSourcedId", "activity", "season", "coach"));
  return OpenCsv(dir / "student_voice.csv", files.voice, "studentSourcedId", "submittedAt",
                 "prompt", "answer");
}

}  // namespace

std::string SchoolYearId(const SchoolCalendar& calendar) {
  return StrCat({"as-", std::to_string(calendar.start_year())});
}

std::string SemesterId(const SchoolCalendar& calendar, int s) {
  return StrCat({SchoolYearId(calendar), "-s", std::to_string(s + 1)});
}

std::string QuarterId(const SchoolCalendar& calendar, int q) {
  return StrCat({SchoolYearId(calendar), "-q", std::to_string(q + 1)});
}

Result<StreamFiles> StreamFiles::Open(const std::filesystem::path& dir) {
  StreamFiles files;
  RETURN_IF_ERROR(OpenOneRosterStreams(dir, files));
  RETURN_IF_ERROR(OpenSupplementalStreams(dir, files));
  return files;
}

Status StreamFiles::CloseAll() {
  Status first;
  for (auto* writer : {&users, &demographics, &enrollments, &attendance, &assessments, &grades,
                       &services, &teams, &voice}) {
    if (*writer == nullptr) continue;
    Status status = (*writer)->Close();
    if (first.ok() && !status.ok()) first = std::move(status);
  }
  return first;
}

Status WriteRosterFiles(const std::filesystem::path& dir, const DemoContext& context) {
  RETURN_IF_ERROR(WriteManifest(dir));
  RETURN_IF_ERROR(WriteOrgs(dir, context.plan));
  RETURN_IF_ERROR(WriteSessions(dir, context.calendar));
  RETURN_IF_ERROR(WriteCourses(dir, context));
  return WriteClasses(dir, context);
}

void WriteStaff(const DemoContext& context, StreamFiles& files) {
  const DistrictPlan& plan = context.plan;
  const std::string begin = FormatDate(context.calendar.first_day());
  const std::string end = FormatDate(context.calendar.year_end());
  for (const PlannedStaff& staff : plan.staff) {
    const std::string& school = plan.schools[static_cast<size_t>(staff.school)].sourced_id;
    files.users->Row({staff.sourced_id, kBlank, kBlank, "true", school, staff.role, staff.username,
                      kBlank, staff.person.given, staff.person.family, staff.person.middle,
                      staff.employee_number, staff.email, kBlank, kBlank, kBlank,
                      GradeList(staff.grades_mask), kBlank});
    for (int class_index : staff.classes) {
      const std::string id = StrCat({"enr-", std::to_string(files.enrollments->rows() + 1)});
      files.enrollments->Row({id, kBlank, kBlank,
                              plan.classes[static_cast<size_t>(class_index)].sourced_id, school,
                              staff.sourced_id, "teacher", "true", begin, end});
    }
  }
}

std::vector<std::string> DemoFileNames() {
  return {"manifest.csv",   "orgs.csv",         "academicSessions.csv", "courses.csv",
          "classes.csv",    "users.csv",        "demographics.csv",     "enrollments.csv",
          "attendance.csv", "assessments.csv",  "grades.csv",           "services.csv",
          "teams.csv",      "student_voice.csv"};
}

}  // namespace backpack::demo
