// The shape of the demo district, decided before any file is written:
// schools, courses, class sections, staff, families and where each student
// is placed. Holds no per-record data (attendance, grades, ...), so its size
// grows with the student count by a few bytes per student only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "demo/internal/catalog.h"
#include "demo/internal/rng.h"

namespace backpack::demo {

struct Person {
  std::string given;
  std::string middle;  // may be empty
  std::string family;
  bool female = false;
  std::string DisplayName() const { return given + " " + family; }
};

// A person with a random sex, given name and (with probability
// `middle_chance`) middle name; `family` is used as the family name.
Person RandomPerson(Rng& rng, std::string_view family, double middle_chance);

struct PlannedSchool {
  std::string sourced_id;  // "sch-001"
  std::string name;
  std::string identifier;  // state school number
  const LevelInfo* level = nullptr;
  int principal = -1;         // index into DistrictPlan::staff
  std::vector<int> teachers;  // indices into DistrictPlan::staff
};

struct PlannedCourse {
  std::string sourced_id;  // "crs-001-MATH-03"
  int school = 0;
  int grade = 0;
  const CourseSpec* spec = nullptr;
};

struct PlannedClass {
  std::string sourced_id;  // "cls-001-MATH-03-2"
  int course = 0;
  int section = 0;  // 0-based
  int teacher = -1;
};

struct PlannedStaff {
  std::string sourced_id;       // "tch-00001" or "adm-001"
  std::string employee_number;  // users.csv identifier: "T00001" or "A001"
  std::string username;
  std::string email;
  std::string role;  // OneRoster role: "teacher" or "administrator"
  Person person;
  int school = 0;
  std::string location;      // "Room 114"
  std::vector<int> classes;  // indices into DistrictPlan::classes
  uint32_t grades_mask = 0;  // bit g set: teaches grade g
};

struct PlannedStudent {
  int family = 0;
  int school = 0;
  int grade = 0;
  int ordinal = 0;  // position among the students of (school, grade)
};

struct PlannedFamily {
  int first_student = 0;
  int children = 0;
};

// One grade at one school: its students, sections and course/class layout.
// Classes are laid out course by course: first_class + slot * sections + s.
struct GradeCohort {
  int students = 0;
  int sections = 0;
  int first_course = 0;
  int course_count = 0;
  int first_class = 0;
};

struct DistrictPlan {
  std::vector<PlannedSchool> schools;
  std::vector<PlannedCourse> courses;
  std::vector<PlannedClass> classes;
  std::vector<PlannedStaff> staff;
  std::vector<PlannedStudent> students;
  std::vector<PlannedFamily> families;
  std::vector<GradeCohort> cohorts;  // index: school * kGradeCount + grade

  const GradeCohort& Cohort(int school, int grade) const {
    return cohorts[static_cast<size_t>(school * kGradeCount + grade)];
  }
};

// Plans a district of `students` (> 0) students; a pure function of its
// arguments. Families come first in student order; family 0 has two
// children whenever there are at least two students.
DistrictPlan PlanDistrict(int students, uint64_t seed);

// The class `student` attends for course `slot` (0 .. course_count - 1) of
// their cohort. Elementary students keep their homeroom section for every
// course; secondary sections are mixed so that cohorts differ by course,
// while every section stays within one student of the same size.
int ClassOf(const DistrictPlan& plan, const PlannedStudent& student, int slot);

}  // namespace backpack::demo
