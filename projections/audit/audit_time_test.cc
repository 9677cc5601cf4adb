#include "projections/audit/audit_time.h"

#include <catch2/catch.hpp>

using namespace backpack;

namespace {
constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86'400 * kSecond;
// 2026-09-21T00:00:00Z
constexpr int64_t kSept21 = 1'789'948'800 * kSecond;
}  // namespace

TEST_CASE("FormatIsoTime prints UTC with milliseconds") {
  CHECK(FormatIsoTime(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatIsoTime(kSept21) == "2026-09-21T00:00:00.000Z");
  CHECK(FormatIsoTime(kSept21 + 3723 * kSecond + 456'789) == "2026-09-21T01:02:03.456Z");
  CHECK(FormatIsoTime(951'782'400 * kSecond) == "2000-02-29T00:00:00.000Z");
  CHECK(FormatIsoTime(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("ParseIsoTime reads dates and datetimes with zones") {
  CHECK(ParseIsoTime("2026-09-21").value() == kSept21);
  CHECK(ParseIsoTime("2026-09-21T01:02:03Z").value() == kSept21 + 3723 * kSecond);
  CHECK(ParseIsoTime("2026-09-21T01:02").value() == kSept21 + 3720 * kSecond);
  CHECK(ParseIsoTime("2026-09-21 01:02:03.5Z").value() == kSept21 + 3723 * kSecond + 500'000);
  CHECK(ParseIsoTime("2026-09-21T02:00:00+02:00").value() == kSept21);
  CHECK(ParseIsoTime("2026-09-20T22:00:00-02:00").value() == kSept21);
  CHECK(ParseIsoTime(FormatIsoTime(kSept21 + 123'000)).value() == kSept21 + 123'000);
}

TEST_CASE("ParseIsoTimeUntil makes a bare date include the whole day") {
  CHECK(ParseIsoTimeUntil("2026-09-21").value() == kSept21 + kDay);
  CHECK(ParseIsoTimeUntil("2026-09-21T00:00:00Z").value() == kSept21);
}

TEST_CASE("ParseIsoTime refuses malformed text") {
  for (const char* bad : {"", "2026", "2026-9-21", "2026-13-01", "2026-02-30", "2026-09-21T25:00",
                          "2026-09-21T10:00:00X", "2026-09-21Tnoon", "yesterday",
                          "2026-09-21T10:00:00.Z", "2026-09-21T10:00:00+2"}) {
    INFO(bad);
    auto parsed = ParseIsoTime(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code() == StatusCode::kInvalidArgument);
  }
  CHECK(ParseIsoTime("2024-02-29"));  // a leap day
  CHECK_FALSE(ParseIsoTime("2025-02-29"));
}
