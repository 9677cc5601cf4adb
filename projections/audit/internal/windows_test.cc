#include "projections/audit/internal/windows.h"

#include <catch2/catch.hpp>

using namespace backpack::audit_internal;

namespace {
constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kStart = 1'790'000'000'000'000;

std::string Student(int i) { return "stu_" + std::to_string(i); }
}  // namespace

TEST_CASE("bulk window raises only above the threshold of distinct students") {
  BulkWindow window;
  int raised = 0;
  for (int i = 0; i < 50; ++i) {
    if (AddReads(window, {Student(i)}, kStart + i * kMinute / 2, 50)) ++raised;
  }
  CHECK(raised == 0);
  // Re-reading the same students does not count them twice.
  CHECK_FALSE(AddReads(window, {Student(0), Student(1)}, kStart + 30 * kMinute, 50));
  auto trigger = AddReads(window, {Student(50)}, kStart + 31 * kMinute, 50);
  REQUIRE(trigger);
  CHECK(trigger->count == 51);
  // One alert per actor-hour.
  CHECK_FALSE(AddReads(window, {Student(51)}, kStart + 40 * kMinute, 50));
}

TEST_CASE("bulk window forgets reads an hour old") {
  BulkWindow window;
  for (int i = 0; i < 50; ++i) CHECK_FALSE(AddReads(window, {Student(i)}, kStart, 50));
  // An hour later the first 50 no longer count.
  CHECK_FALSE(AddReads(window, {Student(50)}, kStart + 60 * kMinute, 50));
  CHECK(window.last_read.size() == 1);
}

TEST_CASE("bulk window raises again after a quiet hour") {
  BulkWindow window;
  int raised = 0;
  for (int i = 0; i < 300; ++i) {
    if (AddReads(window, {Student(i)}, kStart + i * kMinute / 2, 50)) ++raised;
  }
  // 150 minutes of 120 distinct students an hour: alerts at ~25, ~85, ~145 min.
  CHECK(raised == 3);
}

TEST_CASE("denial window raises at ten denials within ten minutes") {
  DenialWindow window;
  const int64_t ten_minutes = 10 * kMinute;
  for (int i = 0; i < 9; ++i) CHECK_FALSE(AddDenial(window, kStart + i * kMinute, 10, ten_minutes));
  auto trigger = AddDenial(window, kStart + 9 * kMinute, 10, ten_minutes);
  REQUIRE(trigger);
  CHECK(trigger->count == 10);
  CHECK(trigger->window_start_us == kStart);
  CHECK_FALSE(AddDenial(window, kStart + 9 * kMinute + 1, 10, ten_minutes));
}

TEST_CASE("denials spread over more than ten minutes raise nothing") {
  DenialWindow window;
  for (int i = 0; i < 30; ++i) {
    CHECK_FALSE(AddDenial(window, kStart + i * 2 * kMinute, 10, 10 * kMinute));
  }
}

TEST_CASE("windows survive their encoding") {
  BulkWindow bulk;
  (void)AddReads(bulk, {"stu_b", "stu_a"}, kStart, 50);
  auto decoded = DecodeBulkWindow(backpack::AsBytes(EncodeBulkWindow(bulk)));
  REQUIRE(decoded);
  CHECK(decoded->last_read == bulk.last_read);
  DenialWindow denials;
  (void)AddDenial(denials, kStart, 10, kMinute);
  auto decoded_denials = DecodeDenialWindow(backpack::AsBytes(EncodeDenialWindow(denials)));
  REQUIRE(decoded_denials);
  CHECK(decoded_denials->times == denials.times);
  CHECK_FALSE(DecodeBulkWindow(backpack::AsBytes("not json")));
}
