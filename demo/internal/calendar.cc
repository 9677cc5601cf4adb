#include "demo/internal/calendar.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "demo/internal/text.h"

namespace backpack::demo {
namespace {

using std::chrono::days;
using std::chrono::year;
using std::chrono::year_month_day;

bool ParseInt(std::string_view text, int& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// The `n`th (1-based) `weekday` of `month` in year `y`.
Date NthWeekday(int y, unsigned month, std::chrono::weekday weekday, unsigned n) {
  return Date(year(y) / std::chrono::month(month) / weekday[n]);
}

Date LastWeekday(int y, unsigned month, std::chrono::weekday weekday) {
  return Date(year(y) / std::chrono::month(month) / weekday[std::chrono::last]);
}

Date Ymd(int y, unsigned m, unsigned d) {
  return Date(year(y) / std::chrono::month(m) / std::chrono::day(d));
}

bool InRange(Date d, Date first, Date last) { return d >= first && d <= last; }

// True if `d` is a holiday or break day in the school year starting in `y`.
bool IsBreak(Date d, int y) {
  using std::chrono::Monday;
  using std::chrono::Thursday;
  const Date thanksgiving = NthWeekday(y, 11, Thursday, 4);
  const Date spring_break = NthWeekday(y + 1, 3, Monday, 3);
  return d == NthWeekday(y, 9, Monday, 1) ||                            // Labor Day
         d == Ymd(y, 11, 11) ||                                         // Veterans Day
         InRange(d, thanksgiving - days(1), thanksgiving + days(1)) ||  // Thanksgiving
         InRange(d, Ymd(y, 12, 22), Ymd(y + 1, 1, 2)) ||                // Winter break
         d == NthWeekday(y + 1, 1, Monday, 3) ||                        // MLK Day
         d == NthWeekday(y + 1, 2, Monday, 3) ||                        // Presidents' Day
         InRange(d, spring_break, spring_break + days(4)) ||            // Spring break
         d == LastWeekday(y + 1, 5, Monday);                            // Memorial Day
}

bool IsWeekend(Date d) {
  const std::chrono::weekday w(d);
  return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

}  // namespace

Result<Date> ParseDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (!shaped || !ParseInt(text.substr(0, 4), y) || !ParseInt(text.substr(5, 2), m) ||
      !ParseInt(text.substr(8, 2), d)) {
    return Err(InvalidArgumentError(StrCat({"date must be YYYY-MM-DD: ", text})));
  }
  const year_month_day ymd{year(y), std::chrono::month(static_cast<unsigned>(m)),
                           std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return Err(InvalidArgumentError(StrCat({"no such date: ", text})));
  return Date(ymd);
}

std::string FormatDate(Date date) {
  const year_month_day ymd(date);
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

int YearOf(Date date) { return static_cast<int>(year_month_day(date).year()); }

Date TodayUtc() { return std::chrono::floor<days>(std::chrono::system_clock::now()); }

Date SchoolYearStartIn(int year) {
  const Date aug20 = Ymd(year, 8, 20);
  const std::chrono::weekday w(aug20);
  return aug20 + (std::chrono::Monday - w);  // weekday difference is in [0, 6]
}

Date DefaultSchoolYearStart(Date today) {
  const Date this_year = SchoolYearStartIn(YearOf(today));
  return this_year <= today ? this_year : SchoolYearStartIn(YearOf(today) - 1);
}

SchoolCalendar::SchoolCalendar(Date start, int school_days) : start_year_(YearOf(start)) {
  days_.reserve(static_cast<size_t>(school_days));
  for (Date d = start; static_cast<int>(days_.size()) < school_days; d += days(1)) {
    if (!IsWeekend(d) && !IsBreak(d, start_year_)) days_.push_back(d);
  }
}

Date SchoolCalendar::year_end() const {
  return std::max(SchoolYearStartIn(start_year_ + 1) - days(1), last_day());
}

int SchoolCalendar::DaysThrough(Date date) const {
  return static_cast<int>(std::upper_bound(days_.begin(), days_.end(), date) - days_.begin());
}

SchoolCalendar::Span SchoolCalendar::Quarter(int quarter) const {
  return {quarter * size() / 4, (quarter + 1) * size() / 4 - 1};
}

SchoolCalendar::Span SchoolCalendar::Semester(int semester) const {
  return {semester * size() / 2, (semester + 1) * size() / 2 - 1};
}

}  // namespace backpack::demo
