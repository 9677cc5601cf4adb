#include "demo/internal/district_plan.h"

#include <algorithm>
#include <cstdio>

#include "demo/internal/names.h"
#include "demo/internal/staffing.h"
#include "demo/internal/text.h"

namespace backpack::demo {
namespace {

constexpr int kStudentsPerSchool = 750;

std::string Numbered(std::string_view prefix, int number, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.*s%0*d", static_cast<int>(prefix.size()), prefix.data(),
                width, number);
  return buffer;
}

int SchoolCountFor(int students, const LevelInfo& level) {
  const int grades = level.last_grade - level.first_grade + 1;
  const double level_students = static_cast<double>(students) * grades / kGradeCount;
  return std::max(1, static_cast<int>(level_students / kStudentsPerSchool + 0.5));
}

std::string SchoolName(int index, const LevelInfo& level) {
  const auto places = PlaceNames();
  std::string name(places[static_cast<size_t>(index) % places.size()]);
  // Past the end of the list, names repeat with a compass prefix, then a number.
  static constexpr std::string_view kPrefixes[] = {"", "North ", "South ", "East ", "West "};
  const auto round = static_cast<size_t>(index) / places.size();
  if (round < std::size(kPrefixes))
    return StrCat({kPrefixes[round], name, " ", level.school_suffix});
  return StrCat({name, " ", std::to_string(round + 1), " ", level.school_suffix});
}

void PlanSchools(int students, DistrictPlan& plan) {
  for (const LevelInfo& level : Levels()) {
    const int count = SchoolCountFor(students, level);
    for (int i = 0; i < count; ++i) {
      const int index = static_cast<int>(plan.schools.size());
      PlannedSchool school;
      school.sourced_id = Numbered("sch-", index + 1, 3);
      school.name = SchoolName(index, level);
      school.identifier = std::to_string(4100 + index + 1);
      school.level = &level;
      plan.schools.push_back(std::move(school));
    }
  }
}

// Indices of the schools serving `grade`.
std::vector<int> SchoolsServing(const DistrictPlan& plan, int grade) {
  std::vector<int> out;
  for (size_t i = 0; i < plan.schools.size(); ++i) {
    const LevelInfo& level = *plan.schools[i].level;
    if (grade >= level.first_grade && grade <= level.last_grade) out.push_back(static_cast<int>(i));
  }
  return out;
}

int FamilySize(Rng& rng, int family_index, int remaining) {
  int size = 2;
  if (family_index > 0) {
    const double u = rng.Unit();
    size = u < 0.50 ? 1 : u < 0.85 ? 2 : u < 0.97 ? 3 : 4;
  }
  return std::min(size, remaining);
}

// Families in student order; siblings share a neighbourhood, which decides
// their school at each level (a feeder pattern).
void PlanFamilies(int students, uint64_t seed, DistrictPlan& plan) {
  std::vector<std::vector<int>> serving;
  for (int g = 0; g < kGradeCount; ++g) serving.push_back(SchoolsServing(plan, g));
  Rng rng = Rng::ForStream(seed, Stream::kPlan, 1);
  plan.students.reserve(static_cast<size_t>(students));
  while (static_cast<int>(plan.students.size()) < students) {
    const int family = static_cast<int>(plan.families.size());
    const int remaining = students - static_cast<int>(plan.students.size());
    const PlannedFamily planned{static_cast<int>(plan.students.size()),
                                FamilySize(rng, family, remaining)};
    const uint64_t neighbourhood = rng.Next();
    for (int c = 0; c < planned.children; ++c) {
      const int grade = static_cast<int>(rng.Below(kGradeCount));
      const auto& choices = serving[static_cast<size_t>(grade)];
      const int school = choices[neighbourhood % choices.size()];
      plan.students.push_back({family, school, grade, 0});
    }
    plan.families.push_back(planned);
  }
}

void PlanCohorts(DistrictPlan& plan) {
  plan.cohorts.assign(plan.schools.size() * kGradeCount, GradeCohort{});
  for (PlannedStudent& student : plan.students) {
    GradeCohort& cohort =
        plan.cohorts[static_cast<size_t>(student.school * kGradeCount + student.grade)];
    student.ordinal = cohort.students++;
  }
}

void PlanCohortClasses(int school, int grade, GradeCohort& cohort, DistrictPlan& plan) {
  const PlannedSchool& planned_school = plan.schools[static_cast<size_t>(school)];
  const int size = planned_school.level->class_size;
  cohort.sections = (cohort.students + size - 1) / size;
  cohort.first_course = static_cast<int>(plan.courses.size());
  cohort.first_class = static_cast<int>(plan.classes.size());
  if (cohort.students == 0) return;
  const std::string school_number = planned_school.sourced_id.substr(4);
  for (const CourseSpec& spec : CoursesFor(planned_school.level->level)) {
    if (!Offers(spec, grade)) continue;
    const int course = static_cast<int>(plan.courses.size());
    const std::string suffix = StrCat({school_number, "-", spec.code, "-", GradeCode(grade)});
    plan.courses.push_back({StrCat({"crs-", suffix}), school, grade, &spec});
    for (int s = 0; s < cohort.sections; ++s) {
      plan.classes.push_back({StrCat({"cls-", suffix, "-", std::to_string(s + 1)}), course, s, -1});
    }
    ++cohort.course_count;
  }
}

void PlanCourses(DistrictPlan& plan) {
  for (int school = 0; school < static_cast<int>(plan.schools.size()); ++school) {
    const LevelInfo& level = *plan.schools[static_cast<size_t>(school)].level;
    for (int grade = level.first_grade; grade <= level.last_grade; ++grade) {
      GradeCohort& cohort = plan.cohorts[static_cast<size_t>(school * kGradeCount + grade)];
      PlanCohortClasses(school, grade, cohort, plan);
    }
  }
}

}  // namespace

Person RandomPerson(Rng& rng, std::string_view family, double middle_chance) {
  Person person;
  person.female = rng.Chance(0.5);
  const auto names = person.female ? FemaleGivenNames() : MaleGivenNames();
  person.given = std::string(rng.Pick(names));
  if (rng.Chance(middle_chance)) person.middle = std::string(rng.Pick(names));
  if (person.middle == person.given) person.middle.clear();
  person.family = std::string(family);
  return person;
}

DistrictPlan PlanDistrict(int students, uint64_t seed) {
  DistrictPlan plan;
  PlanSchools(students, plan);
  PlanFamilies(students, seed, plan);
  PlanCohorts(plan);
  PlanCourses(plan);
  StaffSchools(seed, plan);
  return plan;
}

int ClassOf(const DistrictPlan& plan, const PlannedStudent& student, int slot) {
  const GradeCohort& cohort = plan.Cohort(student.school, student.grade);
  const int sections = cohort.sections;
  const int round = student.ordinal / sections;
  const int seat = student.ordinal % sections;
  const bool elementary =
      plan.schools[static_cast<size_t>(student.school)].level->level == Level::kElementary;
  const int section = elementary ? seat : (seat + slot * round) % sections;
  return cohort.first_class + slot * sections + section;
}

}  // namespace backpack::demo
