// Typed, validated rows of an import set. Plain values; no invariants beyond
// those the import checked (see imports/import_set.h).
//
// Dates are "YYYY-MM-DD" and datetimes ISO 8601 strings, as they appeared in
// the file. An empty string is an optional value left blank.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backpack::imports {

// Where a row came from.
struct SourceLine {
  std::string file;  // "users.csv"
  size_t line = 0;   // 1-based physical line where the record starts
  bool operator==(const SourceLine&) const = default;
};

// Fields every OneRoster 1.1 row has.
struct OneRosterRow {
  SourceLine source;
  std::string sourced_id;
  std::string status;              // "", "active" or "tobedeleted"
  std::string date_last_modified;  // "" or ISO 8601 date or datetime
};

struct Org : OneRosterRow {
  std::string name;
  std::string type;  // department, district, local, national, school, state
  std::string identifier;
  std::string parent_sourced_id;
};

struct AcademicSession : OneRosterRow {
  std::string title;
  std::string type;  // gradingPeriod, semester, schoolYear, term
  std::string start_date;
  std::string end_date;
  std::string parent_sourced_id;
  std::string school_year;  // "YYYY"
};

struct Course : OneRosterRow {
  std::string school_year_sourced_id;
  std::string title;
  std::string course_code;
  std::vector<std::string> grades;
  std::string org_sourced_id;
  std::vector<std::string> subjects;
  std::vector<std::string> subject_codes;
};

struct Class : OneRosterRow {
  std::string title;
  std::vector<std::string> grades;
  std::string course_sourced_id;
  std::string class_code;
  std::string class_type;  // homeroom, scheduled
  std::string location;
  std::string school_sourced_id;
  std::vector<std::string> term_sourced_ids;
  std::vector<std::string> subjects;
  std::vector<std::string> subject_codes;
  std::vector<std::string> periods;
};

enum class UserRole {
  kAdministrator,
  kAide,
  kGuardian,
  kParent,
  kProctor,
  kRelative,
  kStudent,
  kTeacher
};
// OneRoster's name for `role`, e.g. "guardian".
std::string_view UserRoleName(UserRole role);

// A users.csv row. The SIS `password` column is accepted and discarded:
// Backpack never keeps SIS passwords.
struct User : OneRosterRow {
  bool enabled_user = true;
  std::vector<std::string> org_sourced_ids;
  UserRole role = UserRole::kStudent;
  std::string username;
  std::vector<std::string> user_ids;  // "{type:id}" items as exported
  std::string given_name;
  std::string family_name;
  std::string middle_name;
  std::string identifier;
  std::string email;
  std::string sms;
  std::string phone;
  std::vector<std::string> agent_sourced_ids;
  std::vector<std::string> grades;  // e.g. "07", "KG"
};

struct Enrollment : OneRosterRow {
  std::string class_sourced_id;
  std::string school_sourced_id;
  std::string user_sourced_id;
  std::string role;  // administrator, proctor, student, teacher
  std::optional<bool> primary;
  std::string begin_date;
  std::string end_date;
};

// demographics.csv; `sourced_id` is the user's.
struct Demographics : OneRosterRow {
  std::string birth_date;
  std::string sex;  // "", female, male, other, unspecified
  std::optional<bool> american_indian_or_alaska_native;
  std::optional<bool> asian;
  std::optional<bool> black_or_african_american;
  std::optional<bool> native_hawaiian_or_other_pacific_islander;
  std::optional<bool> white;
  std::optional<bool> demographic_race_two_or_more_races;
  std::optional<bool> hispanic_or_latino_ethnicity;
  std::string country_of_birth_code;
  std::string state_of_birth_abbreviation;
  std::string city_of_birth;
  std::string public_school_residence_status;
};

enum class AttendanceStatus { kAbsent, kTardy, kPresent };
std::string_view AttendanceStatusName(AttendanceStatus status);

// Backpack's supplemental files. `student_sourced_id` names a student in users.csv.
struct Attendance {
  SourceLine source;
  std::string student_sourced_id;
  std::string date;
  AttendanceStatus status = AttendanceStatus::kAbsent;
  bool excused = false;
  std::string reason;
};

struct Assessment {
  SourceLine source;
  std::string student_sourced_id;
  std::string date;
  std::string assessment;
  std::string subject;
  double score = 0;
  std::optional<int> percentile;  // 0..100
  std::string performance_level;
};

struct Grade {
  SourceLine source;
  std::string student_sourced_id;
  std::string class_sourced_id;  // a class in classes.csv
  std::string term;
  std::string grade;  // as reported: "A-", "87", "P"
  std::string date;
};

struct Service {
  SourceLine source;
  std::string student_sourced_id;
  std::string service;
  std::string provider;
  std::string start_date;
  std::string end_date;  // "" while the service continues
};

struct TeamMembership {
  SourceLine source;
  std::string student_sourced_id;
  std::string activity;
  std::string season;
  std::string coach;
};

struct StudentVoice {
  SourceLine source;
  std::string student_sourced_id;
  std::string submitted_at;  // ISO 8601 datetime with a zone
  std::string prompt;
  std::string answer;
};

}  // namespace backpack::imports
