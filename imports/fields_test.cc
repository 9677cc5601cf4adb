#include "imports/internal/fields.h"

#include <catch2/catch.hpp>

using namespace backpack::imports::internal;

TEST_CASE("dates must be real YYYY-MM-DD calendar dates") {
  CHECK(IsIsoDate("2024-02-29"));
  CHECK(IsIsoDate("2000-02-29"));
  CHECK_FALSE(IsIsoDate("1900-02-29"));
  CHECK_FALSE(IsIsoDate("2023-02-29"));
  CHECK_FALSE(IsIsoDate("2024-04-31"));
  CHECK_FALSE(IsIsoDate("2024-13-01"));
  CHECK_FALSE(IsIsoDate("2024-1-01"));
  CHECK_FALSE(IsIsoDate("01/02/2024"));
  CHECK_FALSE(IsIsoDate("2024-01-01T00:00:00Z"));
  CHECK_FALSE(IsIsoDate("+024-01-01"));
}

TEST_CASE("datetimes need a time and, when required, a zone") {
  CHECK(IsIsoDateTime("2024-09-20T14:05:00Z", true));
  CHECK(IsIsoDateTime("2024-09-20T14:05:00.123Z", true));
  CHECK(IsIsoDateTime("2024-09-20T14:05:00-07:00", true));
  CHECK(IsIsoDateTime("2024-09-20T14:05:00", false));
  CHECK_FALSE(IsIsoDateTime("2024-09-20T14:05:00", true));
  CHECK_FALSE(IsIsoDateTime("2024-09-20 14:05:00Z", true));
  CHECK_FALSE(IsIsoDateTime("2024-09-20T24:00:00Z", true));
  CHECK_FALSE(IsIsoDateTime("2024-09-20T14:05Z", true));
  CHECK_FALSE(IsIsoDateTime("2024-09-20T14:05:00.Z", true));
  CHECK_FALSE(IsIsoDateTime("2024-09-20T14:05:00+7", true));
  CHECK_FALSE(IsIsoDateTime("2024-09-20", false));
}

TEST_CASE("booleans are exactly true or false") {
  CHECK(ParseBool("true") == true);
  CHECK(ParseBool("false") == false);
  CHECK_FALSE(ParseBool("TRUE"));
  CHECK_FALSE(ParseBool("1"));
  CHECK_FALSE(ParseBool("yes"));
}

TEST_CASE("decimals are plain finite numbers") {
  CHECK(ParseDecimal("212.5") == 212.5);
  CHECK(ParseDecimal("-3") == -3.0);
  CHECK(ParseDecimal("0") == 0.0);
  for (const char* bad :
       {"", "-", ".5", "5.", "1e3", "inf", "nan", "0x10", "1,5", " 1", "+1", "twelve"}) {
    INFO(bad);
    CHECK_FALSE(ParseDecimal(bad));
  }
}

TEST_CASE("whole numbers respect their range") {
  CHECK(ParseInt("64", 0, 100) == 64);
  CHECK(ParseInt("0", 0, 100) == 0);
  CHECK_FALSE(ParseInt("101", 0, 100));
  CHECK_FALSE(ParseInt("-1", 0, 100));
  CHECK_FALSE(ParseInt("9999999999999", 0, 100));
  CHECK_FALSE(ParseInt("6.5", 0, 100));
}

TEST_CASE("grade levels follow the CEDS vocabulary") {
  for (const char* good :
       {"07", "KG", "09", "01", "13", "PK", "TK", "IT", "PR", "PS", "UG", "Other"}) {
    INFO(good);
    CHECK(IsGradeLevel(good));
  }
  for (const char* bad : {"7", "00", "14", "K", "kg", "007", "Grade 7", ""}) {
    INFO(bad);
    CHECK_FALSE(IsGradeLevel(bad));
  }
}

TEST_CASE("lists split at commas and keep empty items") {
  CHECK(SplitList("").empty());
  CHECK(SplitList("  ").empty());
  CHECK(SplitList("a") == std::vector<std::string>{"a"});
  CHECK(SplitList("07, 08,09") == std::vector<std::string>{"07", "08", "09"});
  CHECK(SplitList("a,,b") == std::vector<std::string>{"a", "", "b"});
}
