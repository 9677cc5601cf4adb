// The file set the demo writes, its headers, and the context shared by the
// writers. Column names follow OneRoster 1.1 bulk CSV and SPEC §4 exactly.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "demo/internal/calendar.h"
#include "demo/internal/csv_writer.h"
#include "demo/internal/district_plan.h"

namespace backpack::demo {

// orgs.csv sourcedId of the district; every school's parentSourcedId.
inline constexpr std::string_view kDistrictSourcedId = "org-district";

// Everything the row writers read. Immutable while files are written.
struct DemoContext {
  const DistrictPlan& plan;
  const SchoolCalendar& calendar;
  uint64_t seed;
  // Records cover school days calendar.day(0) .. calendar.day(days_recorded - 1).
  int days_recorded;
  Date today;
};

// academicSessions.csv sourcedIds.
std::string SchoolYearId(const SchoolCalendar& calendar);       // "as-2026"
std::string SemesterId(const SchoolCalendar& calendar, int s);  // "as-2026-s1"
std::string QuarterId(const SchoolCalendar& calendar, int q);   // "as-2026-q1"

// The files that receive rows while students are streamed out; each is open
// from Open() until CloseAll().
struct StreamFiles {
  std::unique_ptr<CsvWriter> users;
  std::unique_ptr<CsvWriter> demographics;
  std::unique_ptr<CsvWriter> enrollments;
  std::unique_ptr<CsvWriter> attendance;
  std::unique_ptr<CsvWriter> assessments;
  std::unique_ptr<CsvWriter> grades;
  std::unique_ptr<CsvWriter> services;
  std::unique_ptr<CsvWriter> teams;
  std::unique_ptr<CsvWriter> voice;

  static Result<StreamFiles> Open(const std::filesystem::path& dir);
  // Closes every file; returns the first error.
  Status CloseAll();
};

// Writes manifest.csv, orgs.csv, academicSessions.csv, courses.csv and
// classes.csv in `dir`.
Status WriteRosterFiles(const std::filesystem::path& dir, const DemoContext& context);

// Appends the principals and teachers to users.csv and the teachers' class
// assignments to enrollments.csv.
void WriteStaff(const DemoContext& context, StreamFiles& files);

// Names of every file the demo writes, manifest first.
std::vector<std::string> DemoFileNames();

}  // namespace backpack::demo
