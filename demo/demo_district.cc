#include "demo/demo_district.h"

#include <system_error>

#include "demo/internal/calendar.h"
#include "demo/internal/demo_files.h"
#include "demo/internal/district_plan.h"
#include "demo/internal/family_writer.h"

namespace backpack {
namespace {

using demo::Date;
using demo::DemoContext;
using demo::DistrictPlan;
using demo::PlannedStaff;

constexpr int kMaxStudents = 500000;

Status ValidateOptions(const DemoOptions& options) {
  if (options.students < 1 || options.students > kMaxStudents) {
    return InvalidArgumentError("--students must be between 1 and " + std::to_string(kMaxStudents));
  }
  if (options.school_days < 20 || options.school_days > 250) {
    return InvalidArgumentError("school_days must be between 20 and 250");
  }
  if (options.summary_guardians < 0) {
    return InvalidArgumentError("summary_guardians must not be negative");
  }
  return OkStatus();
}

struct Dates {
  Date today;
  Date school_year_start;
};

Result<Dates> ResolveDates(const DemoOptions& options) {
  Dates dates;
  if (options.today.empty()) {
    dates.today = demo::TodayUtc();
  } else {
    ASSIGN_OR_RETURN(dates.today, demo::ParseDate(options.today));
  }
  if (options.school_year_start.empty()) {
    dates.school_year_start = demo::DefaultSchoolYearStart(dates.today);
  } else {
    ASSIGN_OR_RETURN(dates.school_year_start, demo::ParseDate(options.school_year_start));
  }
  return dates;
}

DemoAccount AccountOf(const DistrictPlan& plan, const PlannedStaff& staff) {
  return {staff.sourced_id,
          staff.username,
          staff.person.DisplayName(),
          staff.email,
          staff.role,
          {plan.schools[static_cast<size_t>(staff.school)].sourced_id}};
}

DemoTeacher TeacherOf(const DistrictPlan& plan, const PlannedStaff& staff) {
  DemoTeacher teacher{AccountOf(plan, staff), {}, {}};
  for (int class_index : staff.classes) {
    teacher.class_sourced_ids.push_back(plan.classes[static_cast<size_t>(class_index)].sourced_id);
  }
  for (int g = 0; g < demo::kGradeCount; ++g) {
    if (staff.grades_mask & (1u << g)) teacher.grades.push_back(demo::GradeCode(g));
  }
  return teacher;
}

void SummarizePlan(const DemoContext& context, DemoSummary& summary) {
  const DistrictPlan& plan = context.plan;
  summary.district_sourced_id = std::string(demo::kDistrictSourcedId);
  for (const auto& school : plan.schools) summary.school_sourced_ids.push_back(school.sourced_id);
  summary.school_year_start = demo::FormatDate(context.calendar.first_day());
  summary.school_year_end = demo::FormatDate(context.calendar.last_day());
  summary.today = demo::FormatDate(context.today);
  for (const PlannedStaff& staff : plan.staff) {
    if (staff.role == "administrator") {
      summary.principals.push_back(AccountOf(plan, staff));
    } else {
      summary.teachers.push_back(TeacherOf(plan, staff));
    }
  }
  summary.counts.schools = static_cast<int64_t>(plan.schools.size());
  summary.counts.courses = static_cast<int64_t>(plan.courses.size());
  summary.counts.classes = static_cast<int64_t>(plan.classes.size());
  summary.counts.students = static_cast<int64_t>(plan.students.size());
  summary.counts.teachers = static_cast<int64_t>(summary.teachers.size());
  summary.counts.administrators = static_cast<int64_t>(summary.principals.size());
  summary.files = demo::DemoFileNames();
}

void CountRows(const demo::StreamFiles& files, DemoCounts& counts) {
  counts.users = files.users->rows();
  counts.demographics = files.demographics->rows();
  counts.enrollments = files.enrollments->rows();
  counts.attendance = files.attendance->rows();
  counts.assessments = files.assessments->rows();
  counts.grades = files.grades->rows();
  counts.services = files.services->rows();
  counts.teams = files.teams->rows();
  counts.student_voice = files.voice->rows();
}

// Streams staff and every family into the open files.
Status WritePeople(const DemoContext& context, const std::filesystem::path& out_dir,
                   size_t summary_guardians, DemoSummary& summary) {
  ASSIGN_OR_RETURN(demo::StreamFiles files, demo::StreamFiles::Open(out_dir));
  demo::WriteStaff(context, files);
  demo::FamilyWriter families(context, files, summary_guardians);
  for (size_t f = 0; f < context.plan.families.size(); ++f) {
    families.WriteFamily(static_cast<int>(f));
  }
  CountRows(files, summary.counts);
  summary.counts.guardians = families.guardians_written();
  summary.guardians = families.TakeSampleGuardians();
  return files.CloseAll();
}

}  // namespace

Result<DemoSummary> WriteDemoDistrict(const std::filesystem::path& out_dir,
                                      const DemoOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  ASSIGN_OR_RETURN(const Dates dates, ResolveDates(options));
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    return Err(UnavailableError("cannot create " + out_dir.string() + ": " + error.message()));
  }
  const DistrictPlan plan = demo::PlanDistrict(options.students, options.seed);
  const demo::SchoolCalendar calendar(dates.school_year_start, options.school_days);
  const DemoContext context{plan, calendar, options.seed, calendar.DaysThrough(dates.today),
                            dates.today};
  DemoSummary summary;
  SummarizePlan(context, summary);
  RETURN_IF_ERROR(demo::WriteRosterFiles(out_dir, context));
  RETURN_IF_ERROR(
      WritePeople(context, out_dir, static_cast<size_t>(options.summary_guardians), summary));
  return summary;
}

}  // namespace backpack
