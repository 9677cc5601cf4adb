// Services, teams and student voice: the rows of student_records.h that
// describe a student beyond attendance and marks.
#include <algorithm>
#include <cstdio>

#include "demo/internal/names.h"
#include "demo/internal/student_records.h"  // declares this file's functions
#include "demo/internal/text.h"

namespace backpack::demo {
namespace {

using std::chrono::days;

// A service that began on `start` and, if `end_day` >= 0, ended on that
// school day. Rows are written only for services started by today.
struct ServiceSpan {
  Date start;
  int end_day = -1;
};

// "Name Family, Role": the same provider for a (school, service) pair.
std::string Provider(const DemoContext& context, int school, int service) {
  Rng rng = Rng::ForStream(
      context.seed, Stream::kServices,
      (uint64_t{1} << 40) + static_cast<uint64_t>(school) * 64 + static_cast<uint64_t>(service));
  const Person person = RandomPerson(rng, rng.Pick(FamilyNames()), 0);
  return StrCat(
      {person.DisplayName(), ", ", Services()[static_cast<size_t>(service)].provider_role});
}

void WriteService(const DemoContext& context, const StudentProfile& student, int service,
                  const ServiceSpan& span, CsvWriter& csv) {
  if (span.start > context.today) return;
  const bool ended = span.end_day >= 0 && span.end_day < context.days_recorded;
  csv.Row({student.sourced_id, Services()[static_cast<size_t>(service)].name,
           Provider(context, student.planned->school, service), FormatDate(span.start),
           ended ? FormatDate(context.calendar.day(span.end_day)) : ""});
}

// A service carried over from an earlier school year (or begun on day one).
ServiceSpan Ongoing(const DemoContext& context, Rng& rng, int grade) {
  const int years_back = grade == 0 ? 0 : rng.Between(0, std::min(grade, 3));
  return {context.calendar.first_day() - days(365 * years_back + rng.Between(0, 20))};
}

// A service begun `after` school days into the year, ending with `end_chance`.
ServiceSpan StartedDuringYear(const DemoContext& context, Rng& rng, int after, double end_chance) {
  const int size = context.calendar.size();
  const int start = std::min(after + rng.Between(0, 10), size - 1);
  const int end = rng.Chance(end_chance) ? start + rng.Between(25, 70) : -1;
  return {context.calendar.day(start), end < size ? end : -1};
}

std::string SeasonLabel(const DemoContext& context, Season season) {
  const int y = context.calendar.start_year();
  const std::string span = StrCat(
      {std::to_string(y), "-", std::to_string((y + 1) % 100 / 10), std::to_string((y + 1) % 10)});
  switch (season) {
    case Season::kFall:
      return StrCat({"Fall ", std::to_string(y)});
    case Season::kWinter:
      return StrCat({"Winter ", span});
    case Season::kSpring:
      return StrCat({"Spring ", std::to_string(y + 1)});
    case Season::kYear:
      break;
  }
  return span;
}

Date SeasonStart(const DemoContext& context, Season season) {
  using std::chrono::year;
  const int y = context.calendar.start_year();
  switch (season) {
    case Season::kFall:
      return context.calendar.first_day();
    case Season::kWinter:
      return Date(year(y) / std::chrono::November / 16);
    case Season::kSpring:
      return Date(year(y + 1) / std::chrono::March / 1);
    case Season::kYear:
      break;
  }
  return context.calendar.first_day() + days(14);
}

bool Eligible(const ActivitySpec& activity, int grade) {
  if (grade <= 5) return activity.elementary;
  return grade <= 8 ? activity.middle : activity.high;
}

std::string ActivityName(const ActivitySpec& activity, int grade, Rng& rng) {
  if (!activity.varsity || grade < 9) return std::string(activity.name);
  const bool varsity = grade >= 11 || (grade == 10 && rng.Chance(0.4));
  return (varsity ? "Varsity " : "JV ") + std::string(activity.name);
}

std::string Coach(const DemoContext& context, int school, size_t activity) {
  const auto& teachers = context.plan.schools[static_cast<size_t>(school)].teachers;
  if (teachers.empty()) return "";
  const int teacher = teachers[Mix64(activity) % teachers.size()];
  return context.plan.staff[static_cast<size_t>(teacher)].person.DisplayName();
}

std::string Timestamp(Date date, Rng& rng) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%sT%02d:%02d:%02dZ", FormatDate(date).c_str(),
                rng.Between(15, 22), rng.Between(0, 59), rng.Between(0, 59));
  return buffer;
}

std::string FillPrompt(std::string_view text, std::string_view subject) {
  std::string out(text);
  const size_t at = out.find("{subject}");
  if (at != std::string::npos) out.replace(at, 9, subject);
  return out;
}

void WriteSurvey(const DemoContext& context, const StudentProfile& student,
                 std::span<const PromptSpec> prompts, double at, Rng& rng, CsvWriter& csv) {
  const int day = static_cast<int>(at * context.calendar.size()) + rng.Between(0, 6);
  if (!rng.Chance(0.65) || day >= context.days_recorded) return;
  const size_t first = rng.Below(prompts.size());
  const size_t count = rng.Chance(0.5) ? 2 : 1;
  const std::string submitted_at = Timestamp(context.calendar.day(day), rng);
  for (size_t i = 0; i < count; ++i) {
    const PromptSpec& prompt = prompts[(first + i) % prompts.size()];
    csv.Row({student.sourced_id, submitted_at, FillPrompt(prompt.text, student.favorite_subject),
             rng.Pick(prompt.answers)});
  }
}

}  // namespace

void WriteServices(const DemoContext& context, const StudentProfile& s, CsvWriter& csv) {
  Rng rng = Rng::ForStream(context.seed, Stream::kServices, static_cast<uint64_t>(s.index));
  const int grade = s.planned->grade;
  const int after_fall_benchmark = static_cast<int>(0.06 * context.calendar.size()) + 10;
  if (s.english_learner) {
    ServiceSpan span = Ongoing(context, rng, grade);
    if (s.reading > 0.3 && rng.Chance(0.4)) span.end_day = context.calendar.size() / 2;
    WriteService(context, s, kEllSupport, span, csv);
  }
  if (s.reading < -0.9 && rng.Chance(0.75)) {
    WriteService(context, s, kReadingIntervention,
                 StartedDuringYear(context, rng, after_fall_benchmark, 0.35), csv);
  }
  if (s.math < -1.0 && rng.Chance(0.65)) {
    WriteService(context, s, kMathIntervention,
                 StartedDuringYear(context, rng, after_fall_benchmark, 0.35), csv);
  }
  if (grade <= 5 && rng.Chance(0.05)) {
    WriteService(context, s, kSpeechTherapy, Ongoing(context, rng, grade), csv);
  }
  if (rng.Chance(s.absence_rate > 0.1 ? 0.25 : 0.04)) {
    const int after = rng.Between(0, context.calendar.size() / 2);
    WriteService(context, s, kCounseling, StartedDuringYear(context, rng, after, 0.4), csv);
  }
  if (rng.Chance(0.07))
    WriteService(context, s, kSpecialEducation, Ongoing(context, rng, grade), csv);
  if (rng.Chance(0.03)) WriteService(context, s, kSection504, Ongoing(context, rng, grade), csv);
  if (std::max(s.reading, s.math) > 1.4 && rng.Chance(0.5)) {
    WriteService(context, s, kAdvancedLearning, {context.calendar.first_day()}, csv);
  }
}

void WriteTeams(const DemoContext& context, const StudentProfile& student, CsvWriter& csv) {
  Rng rng = Rng::ForStream(context.seed, Stream::kTeams, static_cast<uint64_t>(student.index));
  const int grade = student.planned->grade;
  const double first_chance = grade <= 5 ? 0.15 : grade <= 8 ? 0.45 : 0.5;
  const int wanted = rng.Chance(first_chance) ? (grade > 5 && rng.Chance(0.35) ? 2 : 1) : 0;
  const auto activities = Activities();
  size_t previous = activities.size();
  for (int joined = 0, tries = 0; joined < wanted && tries < 20; ++tries) {
    const size_t pick = rng.Below(activities.size());
    const ActivitySpec& activity = activities[pick];
    if (pick == previous || !Eligible(activity, grade)) continue;
    previous = pick;
    ++joined;
    if (SeasonStart(context, activity.season) > context.today) continue;
    csv.Row({student.sourced_id, ActivityName(activity, grade, rng),
             SeasonLabel(context, activity.season), Coach(context, student.planned->school, pick)});
  }
}

void WriteStudentVoice(const DemoContext& context, const StudentProfile& student, CsvWriter& csv) {
  if (student.planned->grade < 3) return;  // surveys start in grade 3
  Rng rng = Rng::ForStream(context.seed, Stream::kVoice, static_cast<uint64_t>(student.index));
  WriteSurvey(context, student, FallPrompts(), 0.03, rng, csv);
  WriteSurvey(context, student, MidYearPrompts(), 0.52, rng, csv);
}

}  // namespace backpack::demo
