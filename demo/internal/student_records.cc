#include "demo/internal/student_records.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace backpack::demo {
namespace {

struct Reason {
  std::string_view text;
  bool excused;
  int weight;
};

constexpr Reason kAbsenceReasons[] = {
    {"Illness", true, 45},
    {"Medical appointment", true, 15},
    {"Family emergency", true, 7},
    {"Religious observance", true, 3},
    {"Family travel", false, 10},
    {"Unexcused", false, 15},
    {"No contact from family", false, 5},
};

constexpr Reason kTardyReasons[] = {
    {"Bus late", true, 20}, {"Medical appointment", true, 10}, {"Overslept", false, 30},
    {"Traffic", false, 25}, {"Unexcused", false, 15},
};

const Reason& PickReason(Rng& rng, std::span<const Reason> reasons) {
  int total = 0;
  for (const Reason& r : reasons) total += r.weight;
  int roll = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
  for (const Reason& r : reasons) {
    if (roll < r.weight) return r;
    roll -= r.weight;
  }
  return reasons.back();
}

// Standard normal CDF at z = 0.0, 0.1, ..., 3.0; interpolated by Percentile()
// so that no libm function decides an output value.
constexpr std::array<double, 31> kNormalCdf = {
    0.5000, 0.5398, 0.5793, 0.6179, 0.6554, 0.6915, 0.7257, 0.7580, 0.7881, 0.8159, 0.8413,
    0.8643, 0.8849, 0.9032, 0.9192, 0.9332, 0.9452, 0.9554, 0.9641, 0.9713, 0.9772, 0.9821,
    0.9861, 0.9893, 0.9918, 0.9938, 0.9953, 0.9965, 0.9974, 0.9981, 0.9987};

// National percentile rank (1..99) of a z-score.
int Percentile(double z) {
  const double a = std::min(std::fabs(z) * 10.0, 29.999);
  const auto i = static_cast<size_t>(a);
  const double p =
      kNormalCdf[i] + (kNormalCdf[i + 1] - kNormalCdf[i]) * (a - static_cast<double>(i));
  const double signed_p = z < 0 ? 1.0 - p : p;
  return std::clamp(static_cast<int>(signed_p * 100.0), 1, 99);
}

std::string_view BenchmarkLevel(int percentile) {
  if (percentile < 15) return "Well Below Benchmark";
  if (percentile < 40) return "Below Benchmark";
  if (percentile < 75) return "At Benchmark";
  return "Above Benchmark";
}

std::string_view StateLevel(int percentile) {
  if (percentile < 20) return "Level 1";
  if (percentile < 45) return "Level 2";
  if (percentile < 80) return "Level 3";
  return "Level 4";
}

struct Window {
  std::string_view assessment;
  double at;  // fraction of the school year
  bool state;
};

constexpr Window kWindows[] = {
    {"Fall Benchmark", 0.06, false},
    {"Winter Benchmark", 0.47, false},
    {"Spring Benchmark", 0.86, false},
    {"State Assessment", 0.92, true},
};

bool TakesStateAssessment(int grade) { return (grade >= 3 && grade <= 8) || grade == 11; }

double AbilityFor(const StudentProfile& student, std::string_view code) {
  if (code == "MATH") return student.math;
  if (code == "ELA" || code == "ENG" || code == "SS" || code == "WL") return student.reading;
  if (code == "SCI") return (student.reading + student.math) / 2;
  return 0.6 + 0.3 * (student.reading + student.math) / 2;  // arts, PE, electives
}

std::string LetterGrade(double score, bool elementary) {
  if (elementary) {
    if (score >= 93) return "Exceeds Standard";
    if (score >= 80) return "Meets Standard";
    if (score >= 70) return "Approaching Standard";
    return "Beginning";
  }
  static constexpr std::pair<double, std::string_view> kCutoffs[] = {
      {93, "A"}, {90, "A-"}, {87, "B+"}, {83, "B"}, {80, "B-"}, {77, "C+"},
      {73, "C"}, {70, "C-"}, {67, "D+"}, {63, "D"}, {60, "D-"}};
  for (const auto& [cutoff, letter] : kCutoffs) {
    if (score >= cutoff) return std::string(letter);
  }
  return "F";
}

// The day index a quarter's grade is dated, or -1 if none is due by today.
int GradeDay(const DemoContext& context, int quarter) {
  const SchoolCalendar::Span span = context.calendar.Quarter(quarter);
  if (span.last < context.days_recorded) return span.last;
  const int midpoint = (span.first + span.last) / 2;
  return midpoint < context.days_recorded ? midpoint : -1;
}

void WriteClassGrades(const DemoContext& context, const StudentProfile& student, int slot, Rng& rng,
                      CsvWriter& csv) {
  const DistrictPlan& plan = context.plan;
  const PlannedStudent& planned = *student.planned;
  const GradeCohort& cohort = plan.Cohort(planned.school, planned.grade);
  const CourseSpec& spec = *plan.courses[static_cast<size_t>(cohort.first_course + slot)].spec;
  if (spec.code == "HR") return;  // homerooms are not graded
  const bool elementary = planned.grade <= 5;
  const double base = 83 + 8 * AbilityFor(student, spec.code) - 60 * student.absence_rate;
  const std::string& class_id =
      plan.classes[static_cast<size_t>(ClassOf(plan, planned, slot))].sourced_id;
  for (int q = 0; q < 4; ++q) {
    const double score = base + 3 * rng.Normal();
    const int day = GradeDay(context, q);
    if (day < 0) break;
    csv.Row({student.sourced_id, class_id, QuarterId(context.calendar, q),
             LetterGrade(score, elementary), FormatDate(context.calendar.day(day))});
  }
}

}  // namespace

std::string StudentSourcedId(int index) {
  char id[24];
  std::snprintf(id, sizeof(id), "stu-%06d", index + 1);
  return id;
}

StudentProfile MakeStudentProfile(const DemoContext& context, int index, bool born_abroad) {
  Rng rng = Rng::ForStream(context.seed, Stream::kStudent, static_cast<uint64_t>(index));
  StudentProfile student;
  student.index = index;
  student.planned = &context.plan.students[static_cast<size_t>(index)];
  student.sourced_id = StudentSourcedId(index);
  const double shared = rng.Normal();
  student.reading = 0.6 * shared + 0.8 * rng.Normal();
  student.math = 0.6 * shared + 0.8 * rng.Normal();
  const double tier = rng.Unit();
  student.absence_rate = tier < 0.75   ? 0.005 + 0.03 * rng.Unit()
                         : tier < 0.90 ? 0.04 + 0.05 * rng.Unit()
                                       : 0.10 + 0.15 * rng.Unit();  // chronically absent
  student.tardy_rate = rng.Chance(0.1) ? 0.05 + 0.07 * rng.Unit() : 0.03 * rng.Unit();
  student.english_learner = rng.Chance(born_abroad ? 0.7 : 0.04);
  student.favorite_subject = std::string(rng.Pick(FavoriteSubjects()));
  return student;
}

void WriteAttendance(const DemoContext& context, const StudentProfile& student, CsvWriter& csv) {
  Rng rng = Rng::ForStream(context.seed, Stream::kAttendance, static_cast<uint64_t>(student.index));
  bool ill_yesterday = false;
  for (int d = 0; d < context.days_recorded; ++d) {
    const Reason* reason = nullptr;
    std::string_view status = "absent";
    if (ill_yesterday && rng.Chance(0.45)) {
      reason = &kAbsenceReasons[0];  // illnesses last a few days
    } else if (rng.Chance(student.absence_rate)) {
      reason = &PickReason(rng, kAbsenceReasons);
    } else if (rng.Chance(student.tardy_rate)) {
      reason = &PickReason(rng, kTardyReasons);
      status = "tardy";
    }
    ill_yesterday = reason == &kAbsenceReasons[0];
    if (reason == nullptr) continue;
    csv.Row({student.sourced_id, FormatDate(context.calendar.day(d)), status,
             reason->excused ? "true" : "false", reason->text});
  }
}

void WriteAssessments(const DemoContext& context, const StudentProfile& student, CsvWriter& csv) {
  Rng rng =
      Rng::ForStream(context.seed, Stream::kAssessments, static_cast<uint64_t>(student.index));
  const int grade = student.planned->grade;
  for (size_t w = 0; w < std::size(kWindows); ++w) {
    const Window& window = kWindows[w];
    const int day = static_cast<int>(window.at * context.calendar.size()) + rng.Between(0, 7);
    if (day >= context.days_recorded) break;
    if (window.state && !TakesStateAssessment(grade)) continue;
    for (std::string_view subject : {"Reading", "Math"}) {
      const double ability = subject == "Math" ? student.math : student.reading;
      const double z = ability + 0.25 * rng.Normal();
      const int percentile = Percentile(z);
      const long score = window.state ? std::lround(2300 + 50 * grade + 80 * z)
                                      : std::lround(300 + 35 * grade + 10 * w + 25 * z);
      csv.Row({student.sourced_id, FormatDate(context.calendar.day(day)), window.assessment,
               subject, std::to_string(score), std::to_string(percentile),
               window.state ? StateLevel(percentile) : BenchmarkLevel(percentile)});
    }
  }
}

void WriteGrades(const DemoContext& context, const StudentProfile& student, CsvWriter& csv) {
  Rng rng = Rng::ForStream(context.seed, Stream::kGrades, static_cast<uint64_t>(student.index));
  const GradeCohort& cohort = context.plan.Cohort(student.planned->school, student.planned->grade);
  for (int slot = 0; slot < cohort.course_count; ++slot) {
    WriteClassGrades(context, student, slot, rng, csv);
  }
}

}  // namespace backpack::demo
