#include "projections/audit/internal/windows.h"

#include <catch2/catch.hpp>
#include <deque>
#include <random>
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
  uint64_t seq = 0;       // of the last read's event
  bool reviewed = false;  // whether the alert header.alert_seq names was reviewed

  // The window's AddReads; true if it raised a new alert.
  bool Add(const std::vector<std::string>& students, int64_t at_us,
           std::optional<Trigger>* trigger = nullptr) {
    auto raised = AddReads(header, *this, students, at_us, ++seq, 50, reviewed);
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

// A denial window whose entries live in memory, as a_windows keeps them.
class MemoryDenials final : public DenialWindowEntries {
 public:
  DenialWindowHeader header;
  std::map<int64_t, uint64_t> at;  // time -> denials then
  size_t visited = 0;              // entries ForgetUpTo looked at, in all
  uint64_t seq = 0;                // of the last denial's event
  size_t continued = 0;            // denials that continued an open alert
  bool reviewed = false;           // whether the alert header.alert_seq names was reviewed

  // The window's AddDenial: the trigger if it raised a new alert.
  std::optional<Trigger> Add(int64_t at_us, size_t threshold = 10,
                             int64_t window_us = 10 * kMinute) {
    auto raised = AddDenial(header, *this, at_us, ++seq, threshold, window_us, reviewed);
    REQUIRE(raised);
    if (*raised && (*raised)->continues_open_alert) {
      ++continued;
      return std::nullopt;
    }
    return *raised;
  }

  Status AddAt(int64_t at_us) override {
    ++at[at_us];
    return OkStatus();
  }
  Result<uint64_t> ForgetUpTo(int64_t cutoff, DenialWindowHeader& h) override {
    uint64_t forgotten = 0;
    auto it = at.lower_bound(h.oldest_us);
    CHECK(it == at.begin());  // nothing is left before the oldest
    for (; it != at.end() && it->first <= cutoff; it = at.erase(it)) {
      forgotten += it->second;
      ++visited;
    }
    if (it != at.end()) ++visited;
    h.oldest_us = it == at.end() ? cutoff : it->first;
    return forgotten;
  }
};

// The denial window as it was before it was bounded: every time kept in
// one list, the alert counting them all.
struct ReferenceDenials {
  int64_t quiet_until_us = 0;
  std::deque<int64_t> times;
  size_t continued = 0;  // denials while an alert was open

  std::optional<Trigger> Add(int64_t at_us, size_t threshold, int64_t window_us) {
    times.push_back(at_us);
    while (at_us - times.front() >= window_us) times.pop_front();
    if (at_us < quiet_until_us) ++continued;
    if (times.size() < threshold || at_us < quiet_until_us) return std::nullopt;
    quiet_until_us = at_us + window_us;
    return Trigger{times.size(), times.front()};
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

TEST_CASE("bulk window: after a review, a student new to the window raises a new alert") {
  MemoryWindow window;
  for (int i = 0; i < 51; ++i) window.Add({Student(i)}, kStart + i * kMinute / 10);
  const uint64_t first = window.header.alert_seq;
  REQUIRE(first == 51);
  window.reviewed = true;
  // Re-reads of students the reviewer saw report nothing.
  std::optional<Trigger> trigger;
  CHECK_FALSE(window.Add({Student(0), Student(50)}, kStart + 10 * kMinute, &trigger));
  CHECK_FALSE(trigger);
  CHECK(window.header.alert_seq == first);
  // The next new student: a new alert, counting the whole window.
  REQUIRE(window.Add({Student(51)}, kStart + 11 * kMinute, &trigger));
  CHECK(trigger->count == 52);
  CHECK(trigger->window_start_us == kStart);
  CHECK(window.header.alert_seq == window.seq);
  CHECK(window.header.quiet_until_us == kStart + 71 * kMinute);
  // Which the reads after it continue, until it too is reviewed.
  window.reviewed = false;
  for (int i = 52; i < 100; ++i) {
    CHECK_FALSE(window.Add({Student(i)}, kStart + 12 * kMinute, &trigger));
    CHECK(trigger->continues_open_alert);
  }
  CHECK(trigger->count == 100);
}

TEST_CASE("bulk window: after a review, a student whose read expired enters the window again") {
  MemoryWindow window;
  window.Add({Student(0)}, kStart);
  for (int i = 1; i < 51; ++i) window.Add({Student(i)}, kStart + 30 * kMinute);
  REQUIRE(window.header.alert_seq == window.seq);
  window.reviewed = true;
  std::optional<Trigger> trigger;
  CHECK_FALSE(window.Add({Student(1)}, kStart + 59 * kMinute, &trigger));
  CHECK_FALSE(trigger);  // read within the hour, and seen by the reviewer
  // Student(0)'s read is an hour old (not yet forgotten): reading them again
  // is new to the window.
  REQUIRE(window.Add({Student(0)}, kStart + 60 * kMinute, &trigger));
  CHECK(trigger->count == 51);
  CHECK(trigger->window_start_us == kStart + 30 * kMinute);
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
  MemoryDenials window;
  for (int i = 0; i < 9; ++i) CHECK_FALSE(window.Add(kStart + i * kMinute));
  auto trigger = window.Add(kStart + 9 * kMinute);
  REQUIRE(trigger);
  CHECK(trigger->count == 10);
  CHECK(trigger->window_start_us == kStart);
  CHECK(window.header.alert_seq == window.seq);
  CHECK_FALSE(window.Add(kStart + 9 * kMinute + 1));
}

TEST_CASE("denials within the quiet period continue the alert raised, whatever their number") {
  MemoryDenials window;
  for (int i = 0; i < 10; ++i) window.Add(kStart + i * kMinute / 60);
  const uint64_t alert = window.header.alert_seq;
  REQUIRE(alert == 10);
  // One denial every two minutes: never ten in the window again, but each
  // comes while the alert is open and counts towards it.
  for (int i = 1; i <= 4; ++i) CHECK_FALSE(window.Add(kStart + i * 2 * kMinute));
  CHECK(window.continued == 4);
  CHECK(window.header.alert_seq == alert);
  // Once the quiet period is over, a lone denial neither continues nor raises.
  CHECK_FALSE(window.Add(kStart + 9 * kMinute / 60 + 10 * kMinute));
  CHECK(window.continued == 4);
}

TEST_CASE("denials after a review raise a new alert while the window holds a burst") {
  MemoryDenials window;
  for (int i = 0; i < 10; ++i) window.Add(kStart + i * kMinute / 60);
  const uint64_t first = window.header.alert_seq;
  REQUIRE(first == 10);
  window.reviewed = true;
  // The eleventh within the window: a new alert, not a silent continuation.
  auto trigger = window.Add(kStart + kMinute);
  REQUIRE(trigger);
  CHECK(trigger->count == 11);
  CHECK(trigger->window_start_us == kStart);
  CHECK(window.header.alert_seq == window.seq);
  CHECK(window.header.quiet_until_us == kStart + 11 * kMinute);
  window.reviewed = false;
  CHECK_FALSE(window.Add(kStart + 2 * kMinute));
  CHECK(window.continued == 1);
  // Reviewed again, and the burst over: a lone denial raises nothing.
  window.reviewed = true;
  CHECK_FALSE(window.Add(kStart + 10 * kMinute + kMinute / 2));
  CHECK(window.header.denials < 10);
  CHECK(window.continued == 1);
}

TEST_CASE("denials spread over more than ten minutes raise nothing") {
  MemoryDenials window;
  for (int i = 0; i < 30; ++i) CHECK_FALSE(window.Add(kStart + i * 2 * kMinute));
  CHECK(window.at.size() == 5);  // the denials of the last ten minutes
}

TEST_CASE("an alert raised as the quiet period ends counts every denial in the window") {
  MemoryDenials window;
  for (int i = 0; i < 200; ++i) {
    auto trigger = window.Add(kStart + i * kMinute / 60);  // one a second
    CHECK(trigger.has_value() == (i == 9));
  }
  // Quiet until 10 minutes after the tenth: the window then holds the
  // denials after it, and this one.
  auto trigger = window.Add(kStart + 9 * kMinute / 60 + 10 * kMinute);
  REQUIRE(trigger);
  CHECK(trigger->count == 191);
  CHECK(trigger->window_start_us == kStart + 10 * kMinute / 60);
}

TEST_CASE("100k denials: the header stays small, the alerts as an unbounded window's") {
  // Bursts (many denials sharing a group's time, a second apart) and lulls
  // long enough to empty the window, so that alerts are raised both at the
  // threshold and, as quiet periods end, with far more denials than that.
  std::mt19937_64 random(20261124);
  MemoryDenials window;
  ReferenceDenials reference;
  int64_t at = kStart;
  size_t raised = 0, above_threshold = 0, longest_header = 0;
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t roll = random() % 10'000;
    if (roll < 5) {
      at += 11 * kMinute;
    } else if (roll < 4000) {
      at += static_cast<int64_t>(random() % 2'000'000);
    }  // else: the same time as the last denial
    auto trigger = window.Add(at);
    auto expected = reference.Add(at, 10, 10 * kMinute);
    REQUIRE(trigger.has_value() == expected.has_value());
    if (trigger) {
      REQUIRE(trigger->count == expected->count);
      REQUIRE(trigger->window_start_us == expected->window_start_us);
      ++raised;
      if (trigger->count > 10) ++above_threshold;
    }
    REQUIRE(window.header.denials == reference.times.size());
    REQUIRE(window.continued == reference.continued);
    longest_header = std::max(longest_header, EncodeDenialWindowHeader(window.header).size());
  }
  CHECK(raised > 20);
  CHECK(above_threshold > 10);
  CHECK(longest_header == kDenialWindowHeaderSize);
  // Each denial adds at most one entry and each entry is looked at about
  // once by expiry: no denial rereads or rewrites the window.
  CHECK(window.visited <= 2 * 100'000);
}

TEST_CASE("windows survive their encoding") {
  BulkWindowHeader bulk{kStart + kMinute, 7, kStart, 42};
  auto decoded = DecodeBulkWindowHeader(backpack::AsBytes(EncodeBulkWindowHeader(bulk)));
  REQUIRE(decoded);
  CHECK(decoded->quiet_until_us == bulk.quiet_until_us);
  CHECK(decoded->students == 7);
  CHECK(decoded->oldest_us == kStart);
  CHECK(decoded->alert_seq == 42);
  DenialWindowHeader denials{kStart + kMinute, 12, kStart, 77};
  auto decoded_denials =
      DecodeDenialWindowHeader(backpack::AsBytes(EncodeDenialWindowHeader(denials)));
  REQUIRE(decoded_denials);
  CHECK(decoded_denials->quiet_until_us == denials.quiet_until_us);
  CHECK(decoded_denials->denials == 12);
  CHECK(decoded_denials->oldest_us == kStart);
  CHECK(decoded_denials->alert_seq == 77);
  CHECK_FALSE(DecodeDenialWindowHeader(backpack::AsBytes("not a header")));
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
