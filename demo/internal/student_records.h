// Per-student supplemental records (SPEC §4): attendance, assessments,
// grades, services, teams and student voice. Each writer draws from its own
// random stream keyed by the student's index, so the rows of one file never
// depend on what another file drew, and every date is on or before the
// context's `today`.
#pragma once

#include <string>

#include "demo/internal/csv_writer.h"
#include "demo/internal/demo_files.h"
#include "demo/internal/district_plan.h"

namespace backpack::demo {

// "stu-000042" for student index 41.
std::string StudentSourcedId(int index);

// The traits of one student that their records are drawn from.
struct StudentProfile {
  int index = 0;  // into DistrictPlan::students
  const PlannedStudent* planned = nullptr;
  std::string sourced_id;
  double reading = 0;  // latent ability, roughly standard normal
  double math = 0;
  double absence_rate = 0;  // chance of missing a given school day
  double tardy_rate = 0;
  bool english_learner = false;
  std::string favorite_subject;
};

// Draws the traits of student `index` (from its own stream).
StudentProfile MakeStudentProfile(const DemoContext& context, int index, bool born_abroad);

// Absences and tardies only; "present" days are implied.
void WriteAttendance(const DemoContext& context, const StudentProfile& student, CsvWriter& csv);
// Fall, winter and spring reading and math benchmarks, plus the spring state
// assessment in grades 3-8 and 11.
void WriteAssessments(const DemoContext& context, const StudentProfile& student, CsvWriter& csv);
// Quarter grades for each graded class: a final grade once a quarter has
// ended, a progress grade at the midpoint of the quarter in progress.
void WriteGrades(const DemoContext& context, const StudentProfile& student, CsvWriter& csv);

void WriteServices(const DemoContext& context, const StudentProfile& student, CsvWriter& csv);
void WriteTeams(const DemoContext& context, const StudentProfile& student, CsvWriter& csv);
void WriteStudentVoice(const DemoContext& context, const StudentProfile& student, CsvWriter& csv);

}  // namespace backpack::demo
