#include "demo/internal/staffing.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "demo/internal/names.h"
#include "demo/internal/text.h"

namespace backpack::demo {
namespace {

// Most sections one teacher takes, by staffing kind.
int SectionCap(Staffing staffing) {
  switch (staffing) {
    case Staffing::kHomeroom:
      return 1 << 20;  // all of one homeroom section's courses
    case Staffing::kSpecialist:
      return 30;
    case Staffing::kDepartment:
      break;
  }
  return 5;
}

// Classes that share a teacher pool: a homeroom section, or one subject.
struct TeachingGroup {
  std::string key;
  const CourseSpec* spec;
  std::vector<int> classes;
};

std::string GroupKey(const CourseSpec& spec, int grade, int section) {
  if (spec.staffing != Staffing::kHomeroom) return std::string(spec.code);
  return StrCat({"HR", std::to_string(grade), "-", std::to_string(section)});
}

std::vector<TeachingGroup> GroupClasses(const DistrictPlan& plan, int school) {
  std::vector<TeachingGroup> groups;
  const LevelInfo& level = *plan.schools[static_cast<size_t>(school)].level;
  for (int grade = level.first_grade; grade <= level.last_grade; ++grade) {
    const GradeCohort& cohort = plan.Cohort(school, grade);
    for (int slot = 0; slot < cohort.course_count; ++slot) {
      const CourseSpec& spec = *plan.courses[static_cast<size_t>(cohort.first_course + slot)].spec;
      for (int s = 0; s < cohort.sections; ++s) {
        const std::string key = GroupKey(spec, grade, s);
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const TeachingGroup& g) { return g.key == key; });
        if (it == groups.end()) it = groups.insert(groups.end(), {key, &spec, {}});
        it->classes.push_back(cohort.first_class + slot * cohort.sections + s);
      }
    }
  }
  return groups;
}

class StaffBuilder {
 public:
  StaffBuilder(uint64_t seed, DistrictPlan& plan)
      : rng_(Rng::ForStream(seed, Stream::kPlan, 2)), plan_(plan) {}

  void StaffSchool(int school) {
    PlannedSchool& planned = plan_.schools[static_cast<size_t>(school)];
    planned.principal = AddStaff(school, "administrator", "adm-", ++principals_, 3);
    plan_.staff.back().location = "Main Office";
    int room = 100;
    for (const TeachingGroup& group : GroupClasses(plan_, school)) {
      const size_t cap = static_cast<size_t>(SectionCap(group.spec->staffing));
      for (size_t first = 0; first < group.classes.size(); first += cap) {
        const int teacher = AddStaff(school, "teacher", "tch-", ++teachers_, 5);
        planned.teachers.push_back(teacher);
        plan_.staff.back().location = Location(*group.spec, ++room);
        for (size_t i = first; i < std::min(group.classes.size(), first + cap); ++i) {
          AssignClass(teacher, group.classes[i]);
        }
      }
    }
  }

 private:
  int AddStaff(int school, std::string_view role, std::string_view prefix, int number, int width) {
    PlannedStaff staff;
    char id[32];
    std::snprintf(id, sizeof(id), "%.*s%0*d", static_cast<int>(prefix.size()), prefix.data(), width,
                  number);
    staff.sourced_id = id;
    std::snprintf(id, sizeof(id), "%c%0*d", prefix[0] - 'a' + 'A', width, number);
    staff.employee_number = id;
    staff.role = std::string(role);
    staff.person = RandomPerson(rng_, rng_.Pick(FamilyNames()), 0.3);
    staff.username = UniqueUsername(staff.person);
    staff.email = StrCat({staff.username, "@example.org"});
    staff.school = school;
    plan_.staff.push_back(std::move(staff));
    return static_cast<int>(plan_.staff.size()) - 1;
  }

  // First initial and family name, with a number appended on collision.
  std::string UniqueUsername(const Person& person) {
    const std::string base = UsernamePart(person.given).substr(0, 1) + UsernamePart(person.family);
    std::string candidate = base;
    for (int n = 2; !taken_.insert(candidate).second; ++n) candidate = base + std::to_string(n);
    return candidate;
  }

  static std::string Location(const CourseSpec& spec, int room) {
    if (spec.code == "PE") return "Gym";
    if (spec.staffing == Staffing::kSpecialist) return StrCat({spec.subject, " Room"});
    return StrCat({"Room ", std::to_string(room)});
  }

  void AssignClass(int teacher, int class_index) {
    PlannedClass& planned = plan_.classes[static_cast<size_t>(class_index)];
    planned.teacher = teacher;
    PlannedStaff& staff = plan_.staff[static_cast<size_t>(teacher)];
    staff.classes.push_back(class_index);
    staff.grades_mask |= 1u << plan_.courses[static_cast<size_t>(planned.course)].grade;
  }

  Rng rng_;
  DistrictPlan& plan_;
  std::unordered_set<std::string> taken_;
  int principals_ = 0;
  int teachers_ = 0;
};

}  // namespace

void StaffSchools(uint64_t seed, DistrictPlan& plan) {
  StaffBuilder builder(seed, plan);
  for (int school = 0; school < static_cast<int>(plan.schools.size()); ++school) {
    builder.StaffSchool(school);
  }
}

}  // namespace backpack::demo
