#include "demo/internal/family_writer.h"

#include <algorithm>
#include <cstdio>

#include "demo/internal/names.h"
#include "demo/internal/text.h"

namespace backpack::demo {
namespace {

constexpr std::string_view kBlank = "";
constexpr std::string_view kAreaCodes[] = {"206", "253", "360", "425", "509"};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ",";
    out += item;
  }
  return out;
}

// A number in the 555-0100..0199 block, which is reserved for fiction.
std::string FictionalPhone(Rng& rng) {
  char buffer[24];
  const std::string_view area = rng.Pick(std::span<const std::string_view>(kAreaCodes));
  std::snprintf(buffer, sizeof(buffer), "+1%.*s55501%02d", static_cast<int>(area.size()),
                area.data(), rng.Between(0, 99));
  return buffer;
}

// Race flags in demographics.csv column order: americanIndianOrAlaskaNative,
// asian, blackOrAfricanAmerican, nativeHawaiianOrOtherPacificIslander, white.
struct Races {
  bool flags[5] = {};
  bool two_or_more = false;
};

Races DrawRaces(Rng& rng) {
  static constexpr int kWeights[] = {2, 9, 14, 1, 74};  // single-race shares, percent
  auto draw = [&rng] {
    int roll = rng.Between(0, 99);
    for (int i = 0; i < 5; ++i) {
      if (roll < kWeights[i]) return i;
      roll -= kWeights[i];
    }
    return 4;
  };
  Races races;
  races.flags[draw()] = true;
  if (rng.Chance(0.07)) races.flags[(draw() + 1) % 5] = true;  // a second, different race
  races.two_or_more = std::count(std::begin(races.flags), std::end(races.flags), true) > 1;
  return races;
}

std::string_view Bool(bool value) { return value ? "true" : "false"; }

Date BirthDate(const DemoContext& context, int grade, Rng& rng) {
  using std::chrono::year;
  // Kindergartners turn five by September 1 of the year school starts.
  const int born_after = context.calendar.start_year() - 6 - grade;
  const Date first = Date(year(born_after) / std::chrono::September / 2);
  return first + std::chrono::days(rng.Below(365));
}

}  // namespace

FamilyWriter::FamilyWriter(const DemoContext& context, StreamFiles& files, size_t sample_guardians)
    : context_(context),
      files_(files),
      sample_limit_(sample_guardians),
      begin_date_(FormatDate(context.calendar.first_day())),
      end_date_(FormatDate(context.calendar.year_end())) {}

void FamilyWriter::WriteFamily(int family) {
  const PlannedFamily& planned = context_.plan.families[static_cast<size_t>(family)];
  Rng rng = Rng::ForStream(context_.seed, Stream::kFamily, static_cast<uint64_t>(family));
  const std::string_view family_name = rng.Pick(FamilyNames());
  const bool immigrant_family = rng.Chance(0.1);
  const std::vector<Guardian> guardians = MakeGuardians(rng, family_name);
  std::vector<int> children;
  for (int c = 0; c < planned.children; ++c) {
    const int index = planned.first_student + c;
    const Person person = RandomPerson(rng, family_name, 0.6);
    WriteStudent(index, person, immigrant_family && rng.Chance(0.6), guardians, rng);
    children.push_back(index);
  }
  for (const Guardian& guardian : guardians) WriteGuardian(guardian, children);
}

std::vector<FamilyWriter::Guardian> FamilyWriter::MakeGuardians(Rng& rng,
                                                                std::string_view family_name) {
  std::vector<Guardian> guardians;
  const int count = rng.Chance(0.68) ? 2 : 1;
  for (int g = 0; g < count; ++g) {
    const int64_t number = guardians_written_ + 1 + g;
    char id[32];
    std::snprintf(id, sizeof(id), "gdn-%06lld", static_cast<long long>(number));
    const bool own_name = g == 1 && rng.Chance(0.25);  // e.g. a stepparent
    const std::string_view family = own_name ? rng.Pick(FamilyNames()) : family_name;
    const std::string role = g == 0 && rng.Chance(0.1) ? "guardian" : "parent";
    guardians.push_back({id, role, RandomPerson(rng, family, 0.2)});
  }
  return guardians;
}

void FamilyWriter::WriteStudent(int index, const Person& person, bool born_abroad,
                                const std::vector<Guardian>& guardians, Rng& rng) {
  const StudentProfile student = MakeStudentProfile(context_, index, born_abroad);
  const PlannedStudent& planned = *student.planned;
  const std::string number = std::to_string(100000 + index + 1);
  const std::string username =
      StrCat({UsernamePart(person.given), ".", UsernamePart(person.family), number});
  std::vector<std::string> agents;
  for (const Guardian& guardian : guardians) agents.push_back(guardian.sourced_id);
  files_.users->Row({student.sourced_id, kBlank, kBlank, "true",
                     context_.plan.schools[static_cast<size_t>(planned.school)].sourced_id,
                     "student", username, StrCat({"{SIS:", number, "}"}), person.given,
                     person.family, person.middle, number,
                     StrCat({username, "@students.example.org"}), kBlank, kBlank, Join(agents),
                     GradeCode(planned.grade), kBlank});
  WriteDemographics(student, person, born_abroad, rng);
  WriteEnrollments(student);
  WriteAttendance(context_, student, *files_.attendance);
  WriteAssessments(context_, student, *files_.assessments);
  WriteGrades(context_, student, *files_.grades);
  WriteServices(context_, student, *files_.services);
  WriteTeams(context_, student, *files_.teams);
  WriteStudentVoice(context_, student, *files_.voice);
}

void FamilyWriter::WriteDemographics(const StudentProfile& student, const Person& person,
                                     bool born_abroad, Rng& rng) {
  const Races races = DrawRaces(rng);
  const Birthplace& place = born_abroad ? rng.Pick(AbroadBirthplaces()) : rng.Pick(UsBirthplaces());
  files_.demographics->Row({student.sourced_id, kBlank, kBlank,
                            FormatDate(BirthDate(context_, student.planned->grade, rng)),
                            person.female ? "female" : "male", Bool(races.flags[0]),
                            Bool(races.flags[1]), Bool(races.flags[2]), Bool(races.flags[3]),
                            Bool(races.flags[4]), Bool(races.two_or_more),
                            Bool(rng.Chance(born_abroad ? 0.5 : 0.25)), place.country_code,
                            place.state, place.city, rng.Chance(0.95) ? "01652" : "01653"});
}

void FamilyWriter::WriteEnrollments(const StudentProfile& student) {
  const DistrictPlan& plan = context_.plan;
  const PlannedStudent& planned = *student.planned;
  const std::string& school = plan.schools[static_cast<size_t>(planned.school)].sourced_id;
  const int courses = plan.Cohort(planned.school, planned.grade).course_count;
  for (int slot = 0; slot < courses; ++slot) {
    const PlannedClass& planned_class =
        plan.classes[static_cast<size_t>(ClassOf(plan, planned, slot))];
    files_.enrollments->Row({StrCat({"enr-", std::to_string(files_.enrollments->rows() + 1)}),
                             kBlank, kBlank, planned_class.sourced_id, school, student.sourced_id,
                             "student", "false", begin_date_, end_date_});
  }
}

void FamilyWriter::WriteGuardian(const Guardian& guardian, const std::vector<int>& children) {
  ++guardians_written_;
  const DistrictPlan& plan = context_.plan;
  std::vector<std::string> child_ids, schools;
  for (int child : children) {
    child_ids.push_back(StudentSourcedId(child));
    const std::string& school =
        plan.schools[static_cast<size_t>(plan.students[static_cast<size_t>(child)].school)]
            .sourced_id;
    if (std::find(schools.begin(), schools.end(), school) == schools.end())
      schools.push_back(school);
  }
  const std::string username =
      StrCat({UsernamePart(guardian.person.given), ".", UsernamePart(guardian.person.family), ".",
              std::to_string(guardians_written_)});
  Rng rng =
      Rng::ForStream(context_.seed, Stream::kFamily, (uint64_t{1} << 40) + guardians_written_);
  const std::string phone = FictionalPhone(rng);
  const std::string email = StrCat({username, "@example.com"});
  files_.users->Row({guardian.sourced_id, kBlank, kBlank, "true", Join(schools), guardian.role,
                     username, kBlank, guardian.person.given, guardian.person.family,
                     guardian.person.middle, kBlank, email, phone, phone, Join(child_ids), kBlank,
                     kBlank});
  if (sample_.size() < sample_limit_) {
    sample_.push_back({{guardian.sourced_id, username, guardian.person.DisplayName(), email,
                        guardian.role, schools},
                       child_ids});
  }
}

}  // namespace backpack::demo
