// OneRoster 1.1 bulk CSV files: column specs and typed rows.
#include <array>

#include "imports/internal/fields.h"
#include "imports/internal/readers.h"
#include "imports/internal/table.h"

namespace backpack::imports {

namespace {
constexpr std::array<std::string_view, 8> kUserRoles = {
    "administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"};
}  // namespace

std::string_view UserRoleName(UserRole role) { return kUserRoles[static_cast<size_t>(role)]; }

namespace internal {
namespace {

constexpr std::array<std::string_view, 2> kStatuses = {"active", "tobedeleted"};
constexpr std::array<std::string_view, 6> kOrgTypes = {"department", "district", "local",
                                                       "national",   "school",   "state"};
constexpr std::array<std::string_view, 4> kSessionTypes = {"gradingPeriod", "semester",
                                                           "schoolYear", "term"};
constexpr std::array<std::string_view, 2> kClassTypes = {"homeroom", "scheduled"};
constexpr std::array<std::string_view, 4> kEnrollmentRoles = {"administrator", "proctor", "student",
                                                              "teacher"};
constexpr std::array<std::string_view, 4> kSexes = {"female", "male", "other", "unspecified"};

const FileSpec kOrgs{"orgs.csv",
                     {"sourcedId", "name", "type"},
                     {"status", "dateLastModified", "identifier", "parentSourcedId"}};
const FileSpec kSessions{"academicSessions.csv",
                         {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
                         {"status", "dateLastModified", "parentSourcedId"}};
const FileSpec kCourses{"courses.csv",
                        {"sourcedId", "title", "orgSourcedId"},
                        {"status", "dateLastModified", "schoolYearSourcedId", "courseCode",
                         "grades", "subjects", "subjectCodes"}};
const FileSpec kClasses{
    "classes.csv",
    {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"},
    {"status", "dateLastModified", "grades", "classCode", "location", "subjects", "subjectCodes",
     "periods"}};
const FileSpec kUsers{
    "users.csv",
    {"sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"},
    {"status", "dateLastModified", "userIds", "middleName", "identifier", "email", "sms", "phone",
     "agentSourcedIds", "grades", "password"}};
const FileSpec kEnrollments{
    "enrollments.csv",
    {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
    {"status", "dateLastModified", "primary", "beginDate", "endDate"}};
const FileSpec kDemographics{
    "demographics.csv",
    {"sourcedId"},
    {"status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian",
     "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
     "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode",
     "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"}};

std::string EnumText(const Row& row, std::string_view column,
                     std::span<const std::string_view> allowed) {
  auto index = row.Enum(column, allowed);
  return index ? std::string(allowed[*index]) : std::string();
}

void ReadCommon(const Row& row, OneRosterRow* out) {
  out->source = row.source();
  out->sourced_id = row.Text("sourcedId");
  out->status = EnumText(row, "status", kStatuses);
  out->date_last_modified = row.Get("dateLastModified").size() == 10
                                ? row.Date("dateLastModified")
                                : row.DateTime("dateLastModified", false);
}

Org ReadOrg(const Row& row) {
  Org org;
  ReadCommon(row, &org);
  org.name = row.Text("name");
  org.type = EnumText(row, "type", kOrgTypes);
  org.identifier = row.Text("identifier");
  org.parent_sourced_id = row.Text("parentSourcedId");
  return org;
}

AcademicSession ReadSession(const Row& row) {
  AcademicSession session;
  ReadCommon(row, &session);
  session.title = row.Text("title");
  session.type = EnumText(row, "type", kSessionTypes);
  session.start_date = row.Date("startDate");
  session.end_date = row.Date("endDate");
  row.CheckNotBefore("endDate", session.end_date, "startDate", session.start_date);
  session.parent_sourced_id = row.Text("parentSourcedId");
  auto year = row.Int("schoolYear", kMinImportYear, kMaxImportYear);
  session.school_year = year ? std::to_string(*year) : "";
  return session;
}

Course ReadCourse(const Row& row) {
  Course course;
  ReadCommon(row, &course);
  course.school_year_sourced_id = row.Text("schoolYearSourcedId");
  course.title = row.Text("title");
  course.course_code = row.Text("courseCode");
  course.grades = row.Grades("grades");
  course.org_sourced_id = row.Text("orgSourcedId");
  course.subjects = row.List("subjects");
  course.subject_codes = row.List("subjectCodes");
  return course;
}

Class ReadClass(const Row& row) {
  Class out;
  ReadCommon(row, &out);
  out.title = row.Text("title");
  out.grades = row.Grades("grades");
  out.course_sourced_id = row.Text("courseSourcedId");
  out.class_code = row.Text("classCode");
  out.class_type = EnumText(row, "classType", kClassTypes);
  out.location = row.Text("location");
  out.school_sourced_id = row.Text("schoolSourcedId");
  out.term_sourced_ids = row.List("termSourcedIds");
  out.subjects = row.List("subjects");
  out.subject_codes = row.List("subjectCodes");
  out.periods = row.List("periods");
  return out;
}

User ReadUser(const Row& row) {
  User user;
  ReadCommon(row, &user);
  user.enabled_user = row.Bool("enabledUser").value_or(true);
  user.org_sourced_ids = row.List("orgSourcedIds");
  auto role = row.Enum("role", kUserRoles);
  user.role = role ? static_cast<UserRole>(*role) : UserRole::kStudent;
  user.username = row.Text("username");
  user.user_ids = row.List("userIds");
  user.given_name = row.Text("givenName");
  user.family_name = row.Text("familyName");
  user.middle_name = row.Text("middleName");
  user.identifier = row.Text("identifier");
  user.email = row.Text("email");
  user.sms = row.Text("sms");
  user.phone = row.Text("phone");
  user.agent_sourced_ids = row.List("agentSourcedIds");
  user.grades = row.Grades("grades");
  return user;
}

void AddUser(User user, ImportSet* set) {
  switch (user.role) {
    case UserRole::kStudent:
      set->students.push_back(std::move(user));
      break;
    case UserRole::kTeacher:
      set->teachers.push_back(std::move(user));
      break;
    case UserRole::kParent:
    case UserRole::kGuardian:
      set->guardians.push_back(std::move(user));
      break;
    default:
      set->others.push_back(std::move(user));
      break;
  }
}

Enrollment ReadEnrollment(const Row& row) {
  Enrollment enrollment;
  ReadCommon(row, &enrollment);
  enrollment.class_sourced_id = row.Text("classSourcedId");
  enrollment.school_sourced_id = row.Text("schoolSourcedId");
  enrollment.user_sourced_id = row.Text("userSourcedId");
  enrollment.role = EnumText(row, "role", kEnrollmentRoles);
  enrollment.primary = row.Bool("primary");
  enrollment.begin_date = row.Date("beginDate");
  enrollment.end_date = row.Date("endDate");
  row.CheckNotBefore("endDate", enrollment.end_date, "beginDate", enrollment.begin_date);
  return enrollment;
}

Demographics ReadDemographics(const Row& row) {
  Demographics d;
  ReadCommon(row, &d);
  d.birth_date = row.Date("birthDate");
  d.sex = EnumText(row, "sex", kSexes);
  d.american_indian_or_alaska_native = row.Bool("americanIndianOrAlaskaNative");
  d.asian = row.Bool("asian");
  d.black_or_african_american = row.Bool("blackOrAfricanAmerican");
  d.native_hawaiian_or_other_pacific_islander = row.Bool("nativeHawaiianOrOtherPacificIslander");
  d.white = row.Bool("white");
  d.demographic_race_two_or_more_races = row.Bool("demographicRaceTwoOrMoreRaces");
  d.hispanic_or_latino_ethnicity = row.Bool("hispanicOrLatinoEthnicity");
  d.country_of_birth_code = row.Text("countryOfBirthCode");
  d.state_of_birth_abbreviation = row.Text("stateOfBirthAbbreviation");
  d.city_of_birth = row.Text("cityOfBirth");
  d.public_school_residence_status = row.Text("publicSchoolResidenceStatus");
  return d;
}

}  // namespace

void ReadOneRosterFiles(ReadContext* context) {
  ImportSet* set = context->set;
  ForEachRow(kOrgs, context, [&](const Row& row) { set->orgs.push_back(ReadOrg(row)); });
  ForEachRow(kSessions, context,
             [&](const Row& row) { set->academic_sessions.push_back(ReadSession(row)); });
  ForEachRow(kCourses, context, [&](const Row& row) { set->courses.push_back(ReadCourse(row)); });
  ForEachRow(kClasses, context, [&](const Row& row) { set->classes.push_back(ReadClass(row)); });
  ForEachRow(kUsers, context, [&](const Row& row) { AddUser(ReadUser(row), set); });
  ForEachRow(kEnrollments, context,
             [&](const Row& row) { set->enrollments.push_back(ReadEnrollment(row)); });
  ForEachRow(kDemographics, context,
             [&](const Row& row) { set->demographics.push_back(ReadDemographics(row)); });
}

}  // namespace internal
}  // namespace backpack::imports
