// Crypto-shredding against concurrent writes (SPEC §2.5, §2.6): an append
// prepared (sealed with the subject's key) before the subject's shred, which
// reaches the writer after the RecordShredded, must not be logged after it.
// A hook holds the writer at a chosen group, so that appends queue behind it
// in a known order; no test relies on timing.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

// Holds the writer in the first group with an event about `subject` (of
// type `type`, if not Unknown) until released, for at most a minute; fails
// the first group with a RecordShredded if `fail_shred`.
class GateHook : public CommitHook {
 public:
  struct Gate {
    std::string subject;
    EventType type = EventType::Unknown;
    std::atomic<bool> entered{false};
    std::atomic<bool> released{false};
  };
  Gate first, second;
  std::atomic<bool> fail_shred{false};

  Result<std::function<void()>> OnGroup(std::span<const LoggedEvent> events, WriteBatch&) override {
    for (const LoggedEvent& e : events) {
      if (e.header.type == EventType::RecordShredded && fail_shred.exchange(false)) {
        return Err(UnavailableError("projection refused"));
      }
      for (Gate* gate : {&first, &second}) {
        bool fits = !gate->subject.empty() && e.header.subject_id == gate->subject &&
                    (gate->type == EventType::Unknown || gate->type == e.header.type);
        if (fits && !gate->entered.exchange(true)) WaitFor(gate->released);
      }
    }
    return std::function<void()>();
  }
};

NewEvent ShredEvent(const std::string& subject) {
  NewEvent e;
  e.type = EventType::RecordShredded;
  e.actor_id = "usr_privacy";
  e.subject_id = subject;
  e.personal = false;
  return e;
}

// An append's answer, for the test's thread to read.
struct Answer {
  std::promise<Result<AppendResult>> promise;
  std::future<Result<AppendResult>> future = promise.get_future();
  std::function<void(Result<AppendResult>)> Done() {
    return [this](Result<AppendResult> r) { promise.set_value(std::move(r)); };
  }
};

// An append's answer whose `done` first asks `log` for a checkpoint on
// another thread, which needs the writer's checkpoint lock, and notes whether
// that call returned within a limit: it cannot while the writer answers
// under its lock. The asking thread is joined on the test's thread (Join),
// so that a regression fails after the limit instead of hanging.
struct CheckpointingAnswer {
  explicit CheckpointingAnswer(EventLog& log) : log(log) {}
  EventLog& log;
  Answer answer;
  std::thread asker;
  std::future<Status> checkpoint;
  bool checkpoint_returned = false;  // set before `answer` is

  std::function<void(Result<AppendResult>)> Done() {
    return [this](Result<AppendResult> r) {
      std::packaged_task<Status()> ask([this] { return log.WriteCheckpoint(); });
      checkpoint = ask.get_future();
      asker = std::thread(std::move(ask));
      checkpoint_returned =
          checkpoint.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
      answer.promise.set_value(std::move(r));
    };
  }
  // Waits for the answer, then for the checkpoint call.
  Result<AppendResult> Join() {
    Result<AppendResult> result = answer.future.get();
    asker.join();
    return result;
  }
};

// The sequence numbers of personal events about `subject` from `from` on.
std::vector<uint64_t> PersonalEventsFrom(EventLog& log, const std::string& subject, uint64_t from) {
  std::vector<uint64_t> found;
  for (uint64_t seq = from; seq < log.size(); ++seq) {
    auto event = log.Read(seq);
    if (event && event->header.subject_id == subject && event->header.payload_encrypted) {
      found.push_back(seq);
    }
  }
  return found;
}

// Opens a log in `dir` whose hook holds the group of the first event about
// "stu_blocker" at its gate, with groups of at most `max_group` events.
std::unique_ptr<TestLog> OpenBlockedLog(const TempDir& dir, GateHook& hook, size_t max_group) {
  hook.first.subject = "stu_blocker";
  EventLogOptions options;
  options.hook = &hook;
  options.max_group_events = max_group;
  return TestLog::Open(dir.path(), options);
}

}  // namespace

TEST_CASE(
    "a personal event sealed before its subject's shred is refused once the shred is logged") {
  for (size_t max_group : {size_t{8192}, size_t{1}}) {  // the same group, or the next
    INFO("max_group_events: " << max_group);
    TempDir dir;
    GateHook hook;
    auto t = OpenBlockedLog(dir, hook, max_group);
    REQUIRE(t->log->Append({NoteEvent("stu_a", "before the shred")}));

    Answer blocker, shred, late;
    t->log->AppendAsync({NoteEvent("stu_blocker", "x")}, blocker.Done());
    REQUIRE(WaitFor(hook.first.entered));
    t->log->AppendAsync({ShredEvent("stu_a")}, shred.Done());
    // Checked "not shredded" and sealed with the live key, as a request
    // that passed its check just before the shred would.
    t->log->AppendAsync({NoteEvent("stu_a", "after the shred")}, late.Done());
    hook.first.released = true;

    REQUIRE(blocker.future.get());
    auto shredded = shred.future.get();
    REQUIRE(shredded);
    auto answer = late.future.get();
    CHECK_FALSE(answer);
    if (!answer) CHECK(answer.error().code() == StatusCode::kGone);
    CHECK(PersonalEventsFrom(*t->log, "stu_a", shredded->first_seq).empty());
    CHECK(t->data_keys->IsShredded("stu_a"));
  }
}

TEST_CASE(
    "a data key created by an append that loses the race to its subject's shred is never "
    "stored") {
  TempDir dir;
  GateHook hook;
  hook.first.subject = "stu_blocker";
  hook.second.subject = "stu_new";
  hook.second.type = EventType::NoteWritten;
  EventLogOptions options;
  options.hook = &hook;
  options.max_group_events = 1;  // each append its own group
  auto t = TestLog::Open(dir.path(), options);

  Answer blocker, shred, late;
  t->log->AppendAsync({NoteEvent("stu_blocker", "x")}, blocker.Done());
  REQUIRE(WaitFor(hook.first.entered));
  t->log->AppendAsync({ShredEvent("stu_new")}, shred.Done());
  t->log->AppendAsync({NoteEvent("stu_new", "late")}, late.Done());  // creates the key
  hook.first.released = true;
  REQUIRE(shred.future.get());
  // What the family does once the RecordShredded is durable: destroy the
  // key, while (without the writer's refusal) the late append is still
  // being projected, its new key not yet written.
  REQUIRE(t->data_keys->Shred("stu_new").ok());
  hook.second.released = true;
  auto answer = late.future.get();
  CHECK_FALSE(answer);
  if (!answer) CHECK(answer.error().code() == StatusCode::kGone);
  REQUIRE(blocker.future.get());

  t->Close();
  auto reopened = TestLog::Open(dir.path());
  auto key = reopened->data_keys->Get("stu_new");
  REQUIRE_FALSE(key);
  CHECK(key.error().code() == StatusCode::kGone);
  auto complete = reopened->data_keys->ShredComplete("stu_new");
  REQUIRE(complete);
  CHECK(*complete);
}

TEST_CASE("once a RecordShredded is logged its subject gets no key, before the key is destroyed") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  REQUIRE(t->log->Append({NoteEvent("stu_c", "before")}));
  REQUIRE(t->log->Append({ShredEvent("stu_c")}));

  auto key = t->data_keys->GetOrCreate("stu_c");
  REQUIRE_FALSE(key);
  CHECK(key.error().code() == StatusCode::kGone);
  CHECK(t->data_keys->IsShredded("stu_c"));
  auto late = t->log->Append({NoteEvent("stu_c", "after")});
  REQUIRE_FALSE(late);
  CHECK(late.error().code() == StatusCode::kGone);
  // Not destroyed yet: completing the shred (as the family does) still must.
  auto complete = t->data_keys->ShredComplete("stu_c");
  REQUIRE(complete);
  CHECK_FALSE(*complete);
  REQUIRE(t->data_keys->Shred("stu_c").ok());
  complete = t->data_keys->ShredComplete("stu_c");
  REQUIRE(complete);
  CHECK(*complete);
}

TEST_CASE("a RecordShredded whose group fails leaves its subject's record writable") {
  TempDir dir;
  GateHook hook;
  EventLogOptions options;
  options.hook = &hook;
  auto t = TestLog::Open(dir.path(), options);
  REQUIRE(t->log->Append({NoteEvent("stu_d", "before")}));
  hook.fail_shred = true;
  auto shred = t->log->Append({ShredEvent("stu_d")});
  REQUIRE_FALSE(shred);
  CHECK(shred.error().code() == StatusCode::kUnavailable);

  CHECK_FALSE(t->data_keys->IsShredded("stu_d"));
  auto note = t->log->Append({NoteEvent("stu_d", "after the failed shred")});
  INFO((note ? std::string("appended") : note.error().ToString()));
  CHECK(note);
}

TEST_CASE("an append refused after its subject's shred is answered once the writer lock is free") {
  for (size_t max_group : {size_t{8192}, size_t{1}}) {  // the shred's group, or its own
    INFO("max_group_events: " << max_group);
    TempDir dir;
    GateHook hook;
    auto t = OpenBlockedLog(dir, hook, max_group);
    REQUIRE(t->log->Append({NoteEvent("stu_e", "before the shred")}));

    Answer blocker, shred;
    CheckpointingAnswer late(*t->log);
    t->log->AppendAsync({NoteEvent("stu_blocker", "x")}, blocker.Done());
    REQUIRE(WaitFor(hook.first.entered));
    t->log->AppendAsync({ShredEvent("stu_e")}, shred.Done());
    t->log->AppendAsync({NoteEvent("stu_e", "after the shred")}, late.Done());
    hook.first.released = true;

    REQUIRE(blocker.future.get());
    REQUIRE(shred.future.get());
    auto answer = late.Join();
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code() == StatusCode::kGone);
    // As for a failed group (FailGroup): the answer comes after the lock is released.
    CHECK(late.checkpoint_returned);
    Status checkpoint = late.checkpoint.get();
    INFO(checkpoint.ToString());
    CHECK(checkpoint.ok());
  }
}
