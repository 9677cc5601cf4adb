// Group commit: dense sequence numbers, atomic multi-event appends, failed
// groups leave no trace, and proofs verify against signed checkpoints.
#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "events/checkpoint.h"
#include "events/merkle.h"
#include "events/verifier.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

// Fails every group while `fail` is set; counts the groups whose staged
// action ran (only durable ones may).
class FailingHook : public CommitHook {
 public:
  bool fail = false;
  int durable_groups = 0;
  Result<std::function<void()>> OnGroup(std::span<const LoggedEvent>, WriteBatch&) override {
    if (fail) return Err(UnavailableError("projection refused"));
    return std::function<void()>([this] { ++durable_groups; });
  }
};

// Keeps the number of events logged so far under one key, read back from
// the store for every group as a projection reads its state: the count is
// right only if each group's hook sees the writes of every group before it.
class CountingHook : public CommitHook {
 public:
  static constexpr std::string_view kFamily = "test_counts";
  Store* store = nullptr;
  Result<std::function<void()>> OnGroup(std::span<const LoggedEvent> events,
                                        WriteBatch& batch) override {
    ASSIGN_OR_RETURN(auto value, store->Get(kFamily, AsBytes("count"), ReadView::kLatest));
    uint64_t count = value ? DecodeBigEndian64(*value) : 0;
    batch.Put(kFamily, AsBytes("count"), EncodeBigEndian64(count + events.size()));
    return std::function<void()>();
  }
};

}  // namespace

TEST_CASE("each group's hook reads the writes of the group before it, under load") {
  for (int threads : {1, 2, 5}) {
    INFO("signing threads: " << threads);
    TempDir dir;
    CountingHook hook;
    EventLogOptions options;
    options.signing_threads = threads;
    options.hook = &hook;
    auto t = TestLog::Open(dir.path(), options);
    REQUIRE(t->store->EnsureColumnFamily(CountingHook::kFamily).ok());
    hook.store = t->store.get();
    // Catch's assertions are for the test's own thread: writers count failures.
    std::atomic<int> failed_appends{0}, failed_checkpoints{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 16; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < 40; ++i) {
          if (!t->log->Append({NoteEvent("stu_" + std::to_string(w), "n")})) ++failed_appends;
          if (i % 10 == 0 && !t->log->WriteCheckpoint().ok()) ++failed_checkpoints;
        }
      });
    }
    for (auto& writer : writers) writer.join();
    REQUIRE(failed_appends == 0);
    REQUIRE(failed_checkpoints == 0);
    auto count = t->store->Get(CountingHook::kFamily, AsBytes("count"));
    REQUIRE(count);
    REQUIRE(*count);
    CHECK(DecodeBigEndian64(**count) == 16 * 40);
    auto report = VerifyLog(*t->store, t->log->public_key(), 2);
    REQUIRE(report);
    INFO(report->why);
    CHECK(report->ok);
  }
}

TEST_CASE("concurrent appends get dense, unique sequence numbers") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  std::mutex mu;
  std::set<uint64_t> seqs;
  std::atomic<int> failed{0}, split{0};  // counted here, asserted on the test's thread
  std::vector<std::thread> threads;
  for (int w = 0; w < 16; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        auto r = t->log->Append({NoteEvent("stu_" + std::to_string(w), "x"),
                                 NoteEvent("stu_" + std::to_string(w), "y")});
        if (!r) {
          ++failed;
          continue;
        }
        if (r->last_seq != r->first_seq + 1) ++split;  // one append stays contiguous
        std::lock_guard lock(mu);
        seqs.insert(r->first_seq);
        seqs.insert(r->last_seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(failed == 0);
  CHECK(split == 0);
  CHECK(seqs.size() == 1600);
  CHECK(*seqs.rbegin() == 1599);
  CHECK(t->log->size() == 1600);
}

TEST_CASE("a failed commit group appends nothing and the log continues densely") {
  TempDir dir;
  FailingHook hook;
  EventLogOptions options;
  options.hook = &hook;
  auto t = TestLog::Open(dir.path(), options);
  REQUIRE(t->log->Append({NoteEvent("stu_a", "one")}));
  hook.fail = true;
  auto failed = t->log->Append({NoteEvent("stu_new", "never stored"), NoteEvent("stu_a", "no")});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() == StatusCode::kUnavailable);
  CHECK(hook.durable_groups == 1);
  CHECK(t->log->size() == 1);
  CHECK_FALSE(t->log->ReadStored(1));
  hook.fail = false;
  auto next = t->log->Append({NoteEvent("stu_new", "stored")});
  REQUIRE(next);
  CHECK(next->first_seq == 1);
  auto read = t->log->Read(1);
  REQUIRE(read);  // the new subject's key was persisted with this group
  t->Close();
  t = TestLog::Open(dir.path());
  CHECK(t->log->Read(1));
}

TEST_CASE("events append in order and survive reopening with the chain intact") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  REQUIRE(t->log->Append({NoteEvent("stu_a", "before restart")}));
  t->Close();
  t = TestLog::Open(dir.path());
  auto r = t->log->Append({NoteEvent("stu_a", "after restart")});
  REQUIRE(r);
  CHECK(r->first_seq == 1);
  auto first = t->log->Read(0), second = t->log->Read(1);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(second->header.recorded_at_us >= first->header.recorded_at_us);
}

// An append this large (an import's) seals its payloads on every core.
TEST_CASE("a large append seals each payload under its own subject's key") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  constexpr size_t kEvents = 9000;
  std::vector<NewEvent> events;
  for (size_t i = 0; i < kEvents; ++i) {
    events.push_back(NoteEvent("stu_" + std::to_string(i % 7), "payload " + std::to_string(i)));
  }
  const std::vector<NewEvent> sent = events;
  auto r = t->log->Append(std::move(events));
  REQUIRE(r);
  for (size_t i = 0; i < kEvents; ++i) {
    auto e = t->log->Read(r->first_seq + i);
    INFO("event " << i);
    REQUIRE(e);  // opens only under its subject's key, with its own header as associated data
    CHECK(e->header.payload_encrypted);
    CHECK(e->header.subject_id == sent[i].subject_id);
    CHECK(e->payload == sent[i].payload);
  }
}

// A group is chained by one task while others sign runs of it right behind
// the chain (and the commit hook runs beside them): with one signing thread
// and with more threads than cores, small and large groups must come out
// chained, signed and in the tree exactly as verify expects.
TEST_CASE("groups chained while they are signed verify, with any number of signing threads") {
  for (int threads : {1, 2, 5}) {
    INFO("signing threads: " << threads);
    TempDir dir;
    EventLogOptions options;
    options.signing_threads = threads;
    auto t = TestLog::Open(dir.path(), options);
    for (size_t size : {1, 3, 17, 600, 5000}) {
      std::vector<NewEvent> events;
      for (size_t i = 0; i < size; ++i) {
        events.push_back(NoteEvent("stu_" + std::to_string(i % 11), std::to_string(i)));
      }
      REQUIRE(t->log->Append(std::move(events)));
    }
    REQUIRE(t->log->WriteCheckpoint().ok());
    auto report = VerifyLog(*t->store, t->log->public_key(), 2);
    REQUIRE(report);
    INFO(report->why);
    CHECK(report->ok);
    CHECK(report->events == 1 + 3 + 17 + 600 + 5000);
  }
}

TEST_CASE("a group with no appends waiting behind it is checkpointed as it is written") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  for (uint64_t size = 1; size <= 5; ++size) {
    REQUIRE(t->log->Append({NoteEvent("stu_c", "n")}));
    auto note = t->log->LatestCheckpoint();
    REQUIRE(note);
    auto checkpoint = VerifyCheckpoint(*note, t->log->origin(), t->log->public_key());
    REQUIRE(checkpoint);
    CHECK(checkpoint->size == size);
  }
}

TEST_CASE("inclusion and consistency proofs verify against signed checkpoints") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  for (int i = 0; i < 37; ++i) REQUIRE(t->log->Append({NoteEvent("stu_p", "n")}));
  REQUIRE(t->log->WriteCheckpoint().ok());
  auto note = t->log->LatestCheckpoint();
  REQUIRE(note);
  auto checkpoint = VerifyCheckpoint(*note, t->log->origin(), t->log->public_key());
  REQUIRE(checkpoint);
  CHECK(checkpoint->size == 37);
  for (uint64_t seq = 0; seq < 37; ++seq) {
    auto proof = t->log->InclusionProof(seq, 37);
    REQUIRE(proof);
    auto stored = t->log->ReadStored(seq);
    REQUIRE(stored);
    CHECK(
        merkle::VerifyInclusion(seq, 37, merkle::LeafHash(*stored), *proof, checkpoint->root).ok());
  }
  auto old_root = t->log->RootAt(20);
  auto consistency = t->log->ConsistencyProof(20, 37);
  REQUIRE(old_root);
  REQUIRE(consistency);
  CHECK(merkle::VerifyConsistency(20, 37, *old_root, checkpoint->root, *consistency).ok());
  CHECK_FALSE(t->log->InclusionProof(0, 38));  // beyond the log
}
