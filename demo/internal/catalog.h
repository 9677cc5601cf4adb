// The demo district's fixed catalogs: school levels, courses by grade,
// services, activities and student-voice prompts. Pure data, no I/O.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>

namespace backpack::demo {

// Grades are 0 (kindergarten) .. 12.
inline constexpr int kGradeCount = 13;

// OneRoster/CEDS grade code: 0 -> "KG", 7 -> "07".
std::string GradeCode(int grade);
// "Kindergarten" or "Grade 7".
std::string GradeName(int grade);

enum class Level { kElementary, kMiddle, kHigh };

struct LevelInfo {
  Level level;
  int first_grade;
  int last_grade;
  std::string_view school_suffix;  // "Elementary School"
  int class_size;                  // target students per section
};
std::span<const LevelInfo> Levels();
const LevelInfo& LevelOfGrade(int grade);

// Who teaches a course's sections.
enum class Staffing {
  kHomeroom,    // the section's elementary homeroom teacher
  kSpecialist,  // one elementary specialist teaches every section
  kDepartment,  // secondary department teachers, up to five sections each
};

struct CourseSpec {
  std::string_view code;     // "MATH"; unique within a level
  std::string_view subject;  // OneRoster `subjects` value
  Staffing staffing;
  int first_grade;
  int last_grade;
  // Titles by grade - first_grade; an empty title means "<GradeName> <subject>".
  std::array<std::string_view, 4> titles;
};
// The courses every student of `grade` takes, in schedule order.
std::span<const CourseSpec> CoursesFor(Level level);
std::string CourseTitle(const CourseSpec& course, int grade);
bool Offers(const CourseSpec& course, int grade);

struct ServiceSpec {
  std::string_view name;           // services.csv `service`
  std::string_view provider_role;  // appended to the provider's name
};
std::span<const ServiceSpec> Services();
// Index into Services() for each service the generator reasons about.
enum ServiceIndex {
  kReadingIntervention,
  kMathIntervention,
  kEllSupport,
  kSpeechTherapy,
  kCounseling,
  kSpecialEducation,
  kSection504,
  kAdvancedLearning,
};

enum class Season { kFall, kWinter, kSpring, kYear };
struct ActivitySpec {
  std::string_view name;
  Season season;
  bool elementary;
  bool middle;
  bool high;
  bool varsity;  // high-school athletics split into Varsity and JV
};
std::span<const ActivitySpec> Activities();

struct PromptSpec {
  std::string_view text;  // may contain "{subject}"
  std::span<const std::string_view> answers;
};
// Prompts of the fall survey (first) and the mid-year check-in (second).
std::span<const PromptSpec> FallPrompts();
std::span<const PromptSpec> MidYearPrompts();
std::span<const std::string_view> FavoriteSubjects();

}  // namespace backpack::demo
