#include "projections/audit/internal/windows.h"

#include <catch2/catch.hpp>
#include <set>

using namespace backpack;
using namespace backpack::audit_internal;

namespace {
constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kStart = 1'790'000'000'000'000;

std::string Student(int i) { return "stu_" + std::to_string(i); }

// A bulk window whose entries live in memory, indexed like a_windows's.
class MemoryWindow final : public BulkWindowEntries {
 public:
  BulkWindowHeader header;
  std::map<std::string, int64_t> last_read;
  std::set<std::pair<int64_t, std::string>> by_time;
  uint64_t seq = 0;  // of the last read's event

  // The window's AddReads; true if it raised a new alert.
  bool Add(const std::vector<std::string>& students, int64_t at_us,
           std::optional<Trigger>* trigger = nullptr) {
    auto raised = AddReads(header, *this, students, at_us, ++seq, 50);
    REQUIRE(raised);
    CHECK(header.students == last_read.size());
    if (trigger) *trigger = *raised;
    return raised->has_value() && !(*raised)->continues_open_alert;
  }

  Result<std::optional<int64_t>> LastRead(const std::string& student) override {
    auto it = last_read.find(student);
    return it == last_read.end() ? std::optional<int64_t>() : std::optional<int64_t>(it->second);
  }
  Status SetLastRead(const std::string& student, std::optional<int64_t> previous,
                     int64_t at) override {
    if (previous) by_time.erase({*previous, student});
    last_read[student] = at;
    by_time.insert({at, student});
    return OkStatus();
  }
  int scans = 0;
  // As StoredBulkEntries: advances header.oldest_us to the oldest kept read.
  Result<uint64_t> ForgetUpTo(int64_t cutoff, BulkWindowHeader& h) override {
    ++scans;
    uint64_t forgotten = 0;
    while (!by_time.empty() && by_time.begin()->first <= cutoff) {
      last_read.erase(by_time.begin()->second);
      by_time.erase(by_time.begin());
      ++forgotten;
    }
    h.oldest_us = by_time.empty() ? cutoff : by_time.begin()->first;
    return forgotten;
  }
};
}  // namespace

TEST_CASE("bulk window raises only above the threshold of distinct students") {
  MemoryWindow window;
  int raised = 0;
  for (int i = 0; i < 50; ++i) {
    if (window.Add({Student(i)}, kStart + i * kMinute / 2)) ++raised;
  }
  CHECK(raised == 0);
  // Re-reading the same students does not count them twice.
  CHECK_FALSE(window.Add({Student(0), Student(1)}, kStart + 30 * kMinute));
  std::optional<Trigger> trigger;
  REQUIRE(window.Add({Student(50)}, kStart + 31 * kMinute, &trigger));
  CHECK(trigger->count == 51);
  CHECK(trigger->window_start_us == kStart);  // the first counted read, not an hour before
  CHECK(window.header.alert_seq == window.seq);
  // One alert per actor-hour: later reads in that hour continue it.
  CHECK_FALSE(window.Add({Student(51)}, kStart + 40 * kMinute, &trigger));
  REQUIRE(trigger);
  CHECK(trigger->continues_open_alert);
  CHECK(trigger->count == 52);
  CHECK(window.header.alert_seq == window.seq - 1);
}

TEST_CASE("bulk window forgets reads an hour old") {
  MemoryWindow window;
  for (int i = 0; i < 50; ++i) CHECK_FALSE(window.Add({Student(i)}, kStart));
  // An hour later the first 50 no longer count.
  CHECK_FALSE(window.Add({Student(50)}, kStart + 60 * kMinute));
  CHECK(window.last_read.size() == 1);
  CHECK(window.header.students == 1);
}

TEST_CASE("bulk window: a re-read moves the student's expiry") {
  MemoryWindow window;
  window.Add({Student(0)}, kStart);
  window.Add({Student(0)}, kStart + 50 * kMinute);
  window.Add({Student(1)}, kStart + 70 * kMinute);
  CHECK(window.last_read.count(Student(0)) == 1);  // read 20 minutes ago
  window.Add({Student(1)}, kStart + 111 * kMinute);
  CHECK(window.last_read.count(Student(0)) == 0);
  CHECK(window.header.students == 1);
}

TEST_CASE("bulk window raises again after a quiet hour") {
  MemoryWindow window;
  int raised = 0;
  for (int i = 0; i < 300; ++i) {
    if (window.Add({Student(i)}, kStart + i * kMinute / 2)) ++raised;
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
  BulkWindowHeader bulk{kStart + kMinute, 7, kStart, 42};
  auto decoded = DecodeBulkWindowHeader(backpack::AsBytes(EncodeBulkWindowHeader(bulk)));
  REQUIRE(decoded);
  CHECK(decoded->quiet_until_us == bulk.quiet_until_us);
  CHECK(decoded->students == 7);
  CHECK(decoded->oldest_us == kStart);
  CHECK(decoded->alert_seq == 42);
  DenialWindow denials;
  (void)AddDenial(denials, kStart, 10, kMinute);
  auto decoded_denials = DecodeDenialWindow(backpack::AsBytes(EncodeDenialWindow(denials)));
  REQUIRE(decoded_denials);
  CHECK(decoded_denials->times == denials.times);
  CHECK_FALSE(DecodeBulkWindowHeader(backpack::AsBytes("not json")));
}

TEST_CASE("bulk window looks for expired reads only once the oldest may have expired") {
  MemoryWindow window;
  window.Add({Student(0)}, kStart);
  CHECK(window.scans == 1);  // a new window knows no oldest read yet
  for (int i = 1; i < 59; ++i) window.Add({Student(i)}, kStart + i * kMinute);
  CHECK(window.scans == 1);  // every read is within the hour
  window.Add({Student(0)}, kStart + 59 * kMinute);
  CHECK(window.scans == 1);
  // An hour after the first read the oldest may expire: Student(0) was read
  // again, so nothing does, and the lower bound moves up to Student(1).
  window.Add({Student(60)}, kStart + 60 * kMinute);
  CHECK(window.scans == 2);
  CHECK(window.header.students == 60);
  CHECK(window.header.oldest_us == kStart + kMinute);
  window.Add({Student(61)}, kStart + 61 * kMinute);
  CHECK(window.scans == 3);
  CHECK(window.header.students == 60);  // Student(1) expired
  CHECK(window.last_read.count(Student(1)) == 0);
}
