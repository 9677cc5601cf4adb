// Exceptions from code the log runs but does not own: a commit hook that
// throws fails its group like an error status, and an append's completion
// that throws does not keep the appends after it from completing. And from
// the writer's own steps (std::bad_alloc while sequencing, chaining, signing
// or staging a group): the group fails, the process and the log go on.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "events/verifier.h"
#include "tests/forwarding_store.h"
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

// The real store, except that reading a data key throws while
// `throw_key_reads` is set, as running out of memory would.
class ThrowingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> throw_key_reads{false};

  Result<std::optional<Bytes>> Get(std::string_view family, ByteView key, ReadView view) override {
    if (throw_key_reads && family == cf::kDataKeys) throw std::bad_alloc();
    return ForwardingStore::Get(family, key, view);
  }
};

// A log in a temporary directory over ThrowingStore.
struct ThrowingStoreLog {
  TempDir dir;
  TestStore opened = OpenTestStore(dir.path(), "backpack.test/throwing");
  ThrowingStore store{*opened.store};
  DataKeyRing data_keys{store, opened.keys->kek};
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(store, *opened.keys, data_keys);
};

// Makes the writer throw once in `step`, for a group of 100 events after a
// first one: that group fails with `failure` and is not stored, the chain is
// rolled back (the next appends take its place), and the log verifies.
void ThrowingStepFailsOnlyItsGroup(WriterStep step, std::string_view failure) {
  INFO("step " << static_cast<int>(step));
  TempDir dir;
  std::atomic<bool> armed{false};
  EventLogOptions options;
  options.signing_threads = 4;  // signing tasks wait for the chain on other threads
  options.writer_fault_for_tests = [&](WriterStep at, uint64_t) {
    if (at != step || !armed.exchange(false)) return;
    // A chain that throws late, once signing tasks wait for it.
    if (at == WriterStep::kChain) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // The message stands for one that quotes stored data.
    throw std::runtime_error("quotes stu_secret");
  };
  auto t = TestLog::Open(dir.path(), options);
  REQUIRE(t->log->Append({NoteEvent("stu_a", "one")}));

  armed = true;
  std::vector<NewEvent> group;
  for (int i = 0; i < 100; ++i) group.push_back(NoteEvent("stu_b", "note " + std::to_string(i)));
  Result<AppendResult> failed = t->log->Append(std::move(group));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() == StatusCode::kUnavailable);
  CHECK(failed.error().message().find(failure) != std::string::npos);
  CHECK(failed.error().message().find("stu_secret") == std::string::npos);
  CHECK(t->log->size() == 1);
  CHECK_FALSE(t->log->ReadStored(1));

  // The chain was rolled back: the next append takes the failed group's place.
  for (int i = 0; i < 3; ++i) {
    auto next = t->log->Append({NoteEvent("stu_c", "after"), NoteEvent("stu_d", "after")});
    REQUIRE(next);
    CHECK(next->first_seq == 1 + 2 * static_cast<uint64_t>(i));
  }
  REQUIRE(t->log->WriteCheckpoint().ok());
  auto report = VerifyLog(*t->store, t->log->public_key(), 2);
  REQUIRE(report);
  INFO(report->why);
  CHECK(report->ok);
  CHECK(report->events == 7);
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

TEST_CASE("a throw while the writer chains or signs a group fails only that group") {
  for (WriterStep step : {WriterStep::kChain, WriterStep::kSign}) {
    ThrowingStepFailsOnlyItsGroup(step, "chaining or signing the group threw");
  }
}

TEST_CASE("a throw while the writer sequences or stages a group fails only that group") {
  for (WriterStep step : {WriterStep::kSequence, WriterStep::kStage}) {
    ThrowingStepFailsOnlyItsGroup(step, "sequencing or staging the group threw");
  }
}

TEST_CASE("an append that throws while it is prepared gets a status, and the log goes on") {
  ThrowingStoreLog f;
  REQUIRE(f.log);
  EventLog& log = **f.log;
  f.store.throw_key_reads = true;  // the new subject's key is looked up in the store
  Result<AppendResult> failed;
  REQUIRE_NOTHROW(failed = log.Append({NoteEvent("stu_new", "x")}));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() == StatusCode::kInternal);
  CHECK(failed.error().message() == "preparing the append threw St9bad_alloc");
  f.store.throw_key_reads = false;
  auto next = log.Append({NoteEvent("stu_new", "x")});
  REQUIRE(next);
  CHECK(next->first_seq == 0);
}

TEST_CASE("a log whose thread cannot be started fails to open with a status, not the process") {
  TempDir dir;
  EventLogOptions options;
  options.signing_threads = 2;
  // The signing pool's worker, the syncer, the answers' watch, the writer.
  for (int fail_at = 1; fail_at <= 4; ++fail_at) {
    INFO("start " << fail_at << " fails");
    TestStore opened = OpenTestStore(dir.path(), "backpack.test/log");
    DataKeyRing data_keys(*opened.store, opened.keys->kek);
    Result<std::unique_ptr<EventLog>> log;
    {
      ThreadStartFailure failure(fail_at);
      log = EventLog::Open(*opened.store, *opened.keys, data_keys, options);
      CHECK(failure.tried() == fail_at);
    }
    REQUIRE_FALSE(log);
    CHECK(log.error().code() == StatusCode::kUnavailable);
    CHECK(log.error().message().find("opening the event log threw") != std::string::npos);
  }
}
