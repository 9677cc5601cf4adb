// A sync that hangs (a disk that stops answering rather than failing) is
// visible and bounded: Writable() turns unavailable once it has run
// stalled_sync_after, new appends are refused at once, appends already
// waiting are answered kUnavailable once it has run durability_wait_limit,
// and the log carries on when the sync returns. The stall is injected by a
// Store that forwards to a real one (tests/stalling_store.h).
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "events/verifier.h"
#include "tests/stalling_store.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

// Short limits so the test is quick; every wait below allows a minute.
EventLogOptions StallOptions() {
  EventLogOptions options;
  options.stalled_sync_after = std::chrono::milliseconds(200);
  options.durability_wait_limit = std::chrono::milliseconds(600);
  return options;
}

struct StallingLog {
  TempDir dir;
  TestStore opened = OpenTestStore(dir.path(), "backpack.test/stall");
  StallingSyncStore store{*opened.store};
  DataKeyRing data_keys{store, opened.keys->kek};
  Result<std::unique_ptr<EventLog>> log =
      EventLog::Open(store, *opened.keys, data_keys, StallOptions());
  // A failed check must not leave the log's destructor waiting on the stall.
  ~StallingLog() { store.Release(); }
};

// The answers one AppendAsync got.
struct Answers {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<AppendResult>> got;

  std::function<void(Result<AppendResult>)> Done() {
    return [this](Result<AppendResult> r) {
      std::lock_guard lock(mu);
      got.push_back(std::move(r));
      cv.notify_all();
    };
  }
  size_t count() {
    std::lock_guard lock(mu);
    return got.size();
  }
  bool WaitFirst() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::minutes(1), [&] { return !got.empty(); });
  }
};

// Polls `done` every few milliseconds for up to a minute.
template <typename Pred>
bool Eventually(Pred done) {
  for (int i = 0; i < 12'000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace

TEST_CASE("a stalled sync turns the log unwritable and waiting appends unavailable") {
  StallingLog f;
  REQUIRE(f.log);
  EventLog& log = **f.log;
  REQUIRE(log.Append({NoteEvent("stu_a", "before the stall")}));
  REQUIRE(log.Writable().ok());
  const uint64_t before = log.size();

  f.store.Stall();
  Answers waiting;
  log.AppendAsync({NoteEvent("stu_a", "waits on the stall")}, waiting.Done());
  REQUIRE(Eventually([&] { return f.store.hanging() == 1; }));

  // The disk hangs: the log says so (for /healthz) ...
  REQUIRE(Eventually([&] { return !log.Writable().ok(); }));
  CHECK(log.Writable().code() == StatusCode::kUnavailable);
  CHECK(log.Writable().message().find("stalled") != std::string::npos);
  // ... refuses a new append at once instead of queueing it ...
  Answers refused;
  log.AppendAsync({NoteEvent("stu_b", "arrives during the stall")}, refused.Done());
  REQUIRE(refused.count() == 1);
  CHECK(refused.got[0].error().code() == StatusCode::kUnavailable);
  // ... and answers the waiting append once the wait limit has passed.
  REQUIRE(waiting.WaitFirst());
  REQUIRE_FALSE(waiting.got[0]);
  CHECK(waiting.got[0].error().code() == StatusCode::kUnavailable);
  CHECK(log.size() == before);
  log.Drain();  // nothing left to answer: returns
  CHECK(f.store.hanging() == 1);

  // The sync returns: the abandoned event became durable after all, its
  // late outcome goes nowhere, and the log carries on.
  f.store.Release();
  REQUIRE(Eventually([&] { return log.size() == before + 1 && log.Writable().ok(); }));
  auto after = log.Append({NoteEvent("stu_a", "after the stall")});
  REQUIRE(after);
  CHECK(after->first_seq == before + 1);
  CHECK(waiting.count() == 1);
  CHECK(refused.count() == 1);
  REQUIRE(log.WriteCheckpoint().ok());
  auto report = VerifyLog(f.store, f.opened.keys->signing.public_key(), 2);
  REQUIRE(report);
  CHECK(report->ok);
  CHECK(report->events == log.size());
}

TEST_CASE("Drain returns once every append has been answered") {
  StallingLog f;
  REQUIRE(f.log);
  EventLog& log = **f.log;
  f.store.Stall();
  Answers answers;
  log.AppendAsync({NoteEvent("stu_a", "waits on the stall")}, answers.Done());
  REQUIRE(Eventually([&] { return f.store.hanging() == 1; }));
  log.Drain();  // bounded by the wait limit, though the sync still hangs
  CHECK(answers.count() == 1);
  f.store.Release();
  log.Drain();
  CHECK(answers.count() == 1);
}
