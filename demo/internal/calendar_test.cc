#include "demo/internal/calendar.h"

#include <catch2/catch.hpp>

namespace backpack::demo {
namespace {

Date D(const char* text) { return ParseDate(text).value(); }

TEST_CASE("ParseDate accepts real YYYY-MM-DD dates only") {
  CHECK(FormatDate(D("2026-08-24")) == "2026-08-24");
  CHECK(FormatDate(D("2028-02-29")) == "2028-02-29");
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-8-24", "20260824", "2026-08-24x", ""}) {
    INFO(bad);
    CHECK(!ParseDate(bad).has_value());
  }
}

TEST_CASE("the default school year is the one covering today") {
  CHECK(FormatDate(DefaultSchoolYearStart(D("2026-11-22"))) == "2026-08-24");
  CHECK(FormatDate(DefaultSchoolYearStart(D("2026-08-24"))) == "2026-08-24");
  CHECK(FormatDate(DefaultSchoolYearStart(D("2026-08-23"))) == "2025-08-25");
  CHECK(FormatDate(DefaultSchoolYearStart(D("2026-03-10"))) == "2025-08-25");
}

TEST_CASE("a school year ends the day before the next one starts") {
  CHECK(FormatDate(SchoolYearStartIn(2027)) == "2027-08-23");
  CHECK(FormatDate(SchoolCalendar(D("2026-08-24"), 180).year_end()) == "2027-08-22");
  for (const char* today : {"2026-08-24", "2027-06-30", "2027-08-22", "2027-08-23"}) {
    INFO(today);
    const SchoolCalendar calendar(DefaultSchoolYearStart(D(today)), 180);
    CHECK(calendar.first_day() <= D(today));
    CHECK(calendar.year_end() >= D(today));
  }
  const SchoolCalendar long_year(D("2026-08-24"), 250);  // runs past next August
  CHECK(long_year.year_end() == long_year.last_day());
}

TEST_CASE("the school calendar skips weekends, holidays and breaks") {
  const SchoolCalendar calendar(D("2026-08-24"), 180);
  REQUIRE(calendar.size() == 180);
  CHECK(calendar.start_year() == 2026);
  CHECK(FormatDate(calendar.first_day()) == "2026-08-24");
  for (const char* off : {"2026-08-29", "2026-09-07", "2026-11-11", "2026-11-26", "2026-11-27",
                          "2026-12-24", "2027-01-01", "2027-01-18", "2027-05-31"}) {
    INFO(off);
    CHECK(calendar.DaysThrough(D(off)) == calendar.DaysThrough(D(off) - std::chrono::days(1)));
  }
  CHECK(calendar.last_day() >= D("2027-05-25"));
  CHECK(calendar.last_day() < D("2027-06-30"));
}

TEST_CASE("DaysThrough counts school days on or before a date") {
  const SchoolCalendar calendar(D("2026-08-24"), 180);
  CHECK(calendar.DaysThrough(D("2026-08-23")) == 0);
  CHECK(calendar.DaysThrough(D("2026-08-24")) == 1);
  CHECK(calendar.DaysThrough(D("2026-08-30")) == 5);
  CHECK(calendar.DaysThrough(D("2030-01-01")) == 180);
}

TEST_CASE("quarters and semesters partition the school days") {
  const SchoolCalendar calendar(D("2026-08-24"), 181);
  CHECK(calendar.Quarter(0).first == 0);
  CHECK(calendar.Quarter(3).last == 180);
  for (int q = 1; q < 4; ++q) CHECK(calendar.Quarter(q).first == calendar.Quarter(q - 1).last + 1);
  CHECK(calendar.Semester(0).last + 1 == calendar.Semester(1).first);
  CHECK(calendar.Semester(1).last == 180);
}

}  // namespace
}  // namespace backpack::demo
