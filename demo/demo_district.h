// Synthetic school district for `backpack demo` (SPEC §5).
//
// WriteDemoDistrict() writes a OneRoster 1.1 bulk CSV file set (manifest,
// orgs, academicSessions, courses, classes, users, enrollments, demographics)
// plus Backpack's supplemental files (SPEC §4: attendance, assessments,
// grades, services, teams, student_voice) describing a believable district
// in which every person is synthetic: names are random combinations of
// common given and family names, emails use example.org/.com, and phone
// numbers come from the 555-01xx block reserved for fiction. The caller
// imports the folder through the normal import path and creates Backpack
// accounts for the staff and guardians listed in the returned DemoSummary.
//
// The output is a pure function of DemoOptions: the same options give
// byte-identical files on every platform (the generator uses its own PRNG).
// Rows are streamed to disk, so memory grows only by a few bytes per student.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace backpack {

struct DemoOptions {
  // Number of students, 1 .. 500,000. Schools hold about 500-1,000 each
  // (fewer when the district is too small to fill one school per level).
  int students = 2000;
  uint64_t seed = 1;
  // The day the demo is generated (YYYY-MM-DD); records run up to and
  // including it. Empty: today's UTC date from the system clock.
  std::string today;
  // First day of school (YYYY-MM-DD). Empty: the school year covering
  // `today`, starting on the Monday on or after August 20.
  std::string school_year_start;
  // Instructional days in the school year, 20 .. 250.
  int school_days = 180;
  // How many guardians DemoSummary::guardians lists.
  int summary_guardians = 5;
};

// A users.csv row that should get a Backpack account.
struct DemoAccount {
  std::string sourced_id;    // users.csv sourcedId
  std::string username;      // users.csv username; unique within the set
  std::string display_name;  // "Given Family"
  std::string email;
  std::string role;  // users.csv role: administrator, teacher, parent, guardian
  std::vector<std::string> org_sourced_ids;  // schools
};

struct DemoTeacher {
  DemoAccount account;
  std::vector<std::string> class_sourced_ids;  // classes taught (teacher enrollments)
  std::vector<std::string> grades;             // "KG", "01" .. "12"
};

struct DemoGuardian {
  DemoAccount account;
  std::vector<std::string> student_sourced_ids;  // their children
};

// Data rows written per file (headers excluded).
struct DemoCounts {
  int64_t schools = 0;
  int64_t courses = 0;
  int64_t classes = 0;
  int64_t students = 0;
  int64_t teachers = 0;
  int64_t administrators = 0;
  int64_t guardians = 0;
  int64_t users = 0;  // students + teachers + administrators + guardians
  int64_t enrollments = 0;
  int64_t demographics = 0;
  int64_t attendance = 0;
  int64_t assessments = 0;
  int64_t grades = 0;
  int64_t services = 0;
  int64_t teams = 0;
  int64_t student_voice = 0;
};

struct DemoSummary {
  std::string district_sourced_id;
  std::vector<std::string> school_sourced_ids;
  std::string school_year_start;  // first school day, YYYY-MM-DD
  std::string school_year_end;    // last school day
  std::string today;              // the generation day records run up to
  DemoCounts counts;
  // One principal (role administrator) per school, in school order;
  // principals.front() is the demo's `principal` account (SPEC §5).
  std::vector<DemoAccount> principals;
  // Every teacher, school by school.
  std::vector<DemoTeacher> teachers;
  // The first few guardians; the first family has two children, so
  // guardians.front() always has two whenever students >= 2.
  std::vector<DemoGuardian> guardians;
  // Files written in out_dir, manifest.csv first.
  std::vector<std::string> files;
};

// Creates `out_dir` if needed and writes the file set into it, replacing
// files of the same names. Errors: InvalidArgument for options out of range
// or malformed dates; Unavailable when a file cannot be written (files
// already written are left in place and must be ignored by the caller).
[[nodiscard]] Result<DemoSummary> WriteDemoDistrict(const std::filesystem::path& out_dir,
                                                    const DemoOptions& options);

}  // namespace backpack
