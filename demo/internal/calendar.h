// Dates and the school calendar the demo district follows.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace backpack::demo {

using Date = std::chrono::sys_days;

// Parses "YYYY-MM-DD" (a real calendar date); InvalidArgument otherwise.
Result<Date> ParseDate(std::string_view text);
// "YYYY-MM-DD".
std::string FormatDate(Date date);
int YearOf(Date date);
// Today's date in UTC from the system clock.
Date TodayUtc();

// The first school day of the school year starting in `year`: the Monday on
// or after August 20.
Date SchoolYearStartIn(int year);
// The first school day of the school year covering `today`: that of today's
// year, or of the previous year when it is still ahead of `today`.
Date DefaultSchoolYearStart(Date today);

// The instructional days of one school year: weekdays from the first day,
// skipping the usual US holidays and breaks (Labor Day, Veterans Day,
// Thanksgiving, winter break, MLK Day, Presidents' Day, spring break,
// Memorial Day). Immutable after construction; safe to share.
class SchoolCalendar {
 public:
  // `school_days` > 0 instructional days starting on or after `start`.
  SchoolCalendar(Date start, int school_days);

  int size() const { return static_cast<int>(days_.size()); }
  Date day(int index) const { return days_[static_cast<size_t>(index)]; }
  Date first_day() const { return days_.front(); }
  Date last_day() const { return days_.back(); }
  // The last day of the school year as the district's SIS dates it (the
  // school-year session and every enrollment): the day before the next
  // year's SchoolYearStartIn, or last_day() if later. The summer belongs to
  // the year before it, so a year that DefaultSchoolYearStart picks for
  // `today` still holds `today`.
  Date year_end() const;
  // The calendar year the school year starts in (2026 for 2026-27).
  int start_year() const { return start_year_; }
  // How many school days fall on or before `date` (0 .. size()).
  int DaysThrough(Date date) const;

  // Day-index bounds of grading period `quarter` (0..3) and semester (0..1);
  // `last` is inclusive.
  struct Span {
    int first;
    int last;
  };
  Span Quarter(int quarter) const;
  Span Semester(int semester) const;

 private:
  int start_year_;
  std::vector<Date> days_;
};

}  // namespace backpack::demo
