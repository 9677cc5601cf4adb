// Exceptions from code the log runs but does not own: a commit hook that
// throws fails its group like an error status, and an append's completion
// that throws does not keep the appends after it from completing.
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <stdexcept>

#include "events/verifier.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

constexpr std::string_view kHookFamily = "test_hook";

// Stages one write per event, then throws if a group holds an event about
// "stu_damaged" (as a projection does reading a damaged record). A group
// with an event about "stu_gate" waits in the hook until Open() is called:
// appends queued after WaitHeld() form the next group together.
class ThrowingHook : public CommitHook {
 public:
  int recoveries = 0;

  Result<std::function<void()>> OnGroup(std::span<const LoggedEvent> events,
                                        WriteBatch& batch) override {
    for (const LoggedEvent& e : events) {
      if (e.header.subject_id == "stu_gate") {
        held_.set_value();
        gate_.get_future().wait();
      }
      batch.Put(kHookFamily, AsBytes(std::to_string(e.header.seq)), AsBytes(e.header.subject_id));
    }
    for (const LoggedEvent& e : events) {
      if (e.header.subject_id == "stu_damaged") throw std::out_of_range("not an array");
    }
    return std::function<void()>();
  }
  Status OnStoreRecovered() override {
    ++recoveries;
    return OkStatus();
  }
  void WaitHeld() { held_.get_future().wait(); }
  void Open() { gate_.set_value(); }

 private:
  std::promise<void> held_, gate_;
};

// A log in `dir` that runs `hook` on every group, with the hook's family.
std::unique_ptr<TestLog> OpenWithHook(const TempDir& dir, ThrowingHook& hook) {
  EventLogOptions options;
  options.hook = &hook;
  auto t = TestLog::Open(dir.path(), options);
  REQUIRE(t->store->EnsureColumnFamily(kHookFamily).ok());
  return t;
}

// Appends `events` without waiting; the future holds the result.
std::future<Result<AppendResult>> AppendLater(EventLog& log, std::vector<NewEvent> events) {
  auto promise = std::make_shared<std::promise<Result<AppendResult>>>();
  auto future = promise->get_future();
  log.AppendAsync(std::move(events),
                  [promise](Result<AppendResult> r) { promise->set_value(std::move(r)); });
  return future;
}

}  // namespace

TEST_CASE(
    "a commit hook that throws fails its whole group, stores none of it, and the log goes on") {
  TempDir dir;
  ThrowingHook hook;
  auto t = OpenWithHook(dir, hook);
  REQUIRE(t->log->Append({NoteEvent("stu_a", "one")}));

  // The gate's group holds the writer while three appends queue behind it:
  // they are one group, which the damaged record fails for all three.
  auto gate = AppendLater(*t->log, {NoteEvent("stu_gate", "held")});
  hook.WaitHeld();
  auto before = AppendLater(*t->log, {NoteEvent("stu_b", "before")});
  auto damaged = AppendLater(*t->log, {NoteEvent("stu_damaged", "x"), NoteEvent("stu_c", "y")});
  auto after = AppendLater(*t->log, {NoteEvent("stu_d", "after")});
  hook.Open();
  REQUIRE(gate.get());
  for (auto* failed : {&before, &damaged, &after}) {
    Result<AppendResult> r = failed->get();
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == StatusCode::kUnavailable);
    CHECK(r.error().message().find("commit hook threw") != std::string::npos);
  }
  CHECK(t->log->size() == 2);
  CHECK_FALSE(t->log->ReadStored(2));
  for (std::string_view seq : {"2", "3", "4", "5"}) {
    auto staged = t->store->Get(kHookFamily, AsBytes(seq));
    REQUIRE(staged);
    CHECK_FALSE(staged->has_value());  // the hook's writes for the group are gone too
  }

  auto next = t->log->Append({NoteEvent("stu_e", "stored")});
  REQUIRE(next);
  CHECK(next->first_seq == 2);
  CHECK(hook.recoveries == 1);  // memory reloaded, as after a hook's error status
  REQUIRE(t->log->WriteCheckpoint().ok());
  auto report = VerifyLog(*t->store, t->log->public_key(), 2);
  REQUIRE(report);
  INFO(report->why);
  CHECK(report->ok);
  CHECK(report->events == 3);
}

TEST_CASE("an append's completion that throws does not keep the others from completing") {
  TempDir dir;
  ThrowingHook hook;
  auto t = OpenWithHook(dir, hook);

  auto gate = AppendLater(*t->log, {NoteEvent("stu_gate", "held")});
  hook.WaitHeld();
  std::promise<uint64_t> thrower_ran;
  t->log->AppendAsync({NoteEvent("stu_a", "x")}, [&](Result<AppendResult> r) {
    thrower_ran.set_value(r ? r->first_seq : UINT64_MAX);
    throw std::runtime_error("a caller's bug");
  });
  auto after = AppendLater(*t->log, {NoteEvent("stu_b", "y")});
  hook.Open();
  REQUIRE(gate.get());
  CHECK(thrower_ran.get_future().get() == 1);
  Result<AppendResult> r = after.get();
  REQUIRE(r);
  CHECK(r->first_seq == 2);

  // A failed group's completions go on past a throw as well.
  std::promise<bool> failed_thrower_ran;
  t->log->AppendAsync({NoteEvent("stu_damaged", "x")}, [&](Result<AppendResult> r) {
    failed_thrower_ran.set_value(!r.has_value());
    throw std::runtime_error("a caller's bug");
  });
  CHECK(failed_thrower_ran.get_future().get());
  REQUIRE(t->log->Append({NoteEvent("stu_c", "z")}));
  CHECK(t->log->size() == 4);
  // Each completion that threw still counts as answered: Drain returns.
  t->log->Drain();
}
