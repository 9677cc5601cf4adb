// A failed fsync (SyncWal) fails every group written since the last durable
// one, a failed write the groups chained onto it, and the writer recovers
// before the next group: acknowledged appends are all there, sequence
// numbers stay dense, and the log verifies. The failure is injected by a
// Store that forwards to a real one.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "events/log_layout.h"
#include "events/verifier.h"
#include "tests/forwarding_store.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

// The real store, except that SyncWal fails while `fail_syncs` is set, and
// an unsynced write (a commit group's) while `fail_writes` is.
class FailingSyncStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> fail_syncs{false};
  std::atomic<int> failed_syncs{0};
  std::atomic<bool> fail_writes{false};
  std::atomic<int> failed_writes{0};

  Status Write(WriteBatch& batch, bool sync) override {
    if (fail_writes && !sync) {
      failed_writes++;
      return UnavailableError("injected write failure");
    }
    return ForwardingStore::Write(batch, sync);
  }

  Status SyncWal() override {
    if (fail_syncs) {
      failed_syncs++;
      return UnavailableError("injected fsync failure");
    }
    return ForwardingStore::SyncWal();
  }
};

// A log in a temporary directory whose syncs go through FailingSyncStore.
struct FailingSyncLog {
  TempDir dir;
  TestStore opened = OpenTestStore(dir.path(), "backpack.test/sync");
  FailingSyncStore store{*opened.store};
  DataKeyRing data_keys{store, opened.keys->kek};
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(store, *opened.keys, data_keys);
};

}  // namespace

TEST_CASE(
    "a failed sync or write fails its groups, the log recovers and nothing acknowledged is lost") {
  const bool fail_writes = GENERATE(false, true);
  INFO((fail_writes ? "failing writes" : "failing syncs"));
  FailingSyncLog f;
  REQUIRE(f.log);
  auto& [dir, opened, store, data_keys, log] = f;

  std::mutex mu;
  std::vector<uint64_t> acknowledged;  // seqs of acknowledged appends
  std::atomic<int> failures{0};
  std::atomic<int> other_errors{0};  // failures that were not kUnavailable
  std::atomic<bool> stop{false};
  auto append_one = [&](int worker) {
    auto r = (*log)->Append({NoteEvent("stu_" + std::to_string(worker), "note")});
    if (!r) {  // (Catch's assertions are for the main thread only)
      if (r.error().code() != StatusCode::kUnavailable) other_errors++;
      failures++;
      return;
    }
    std::lock_guard lock(mu);
    acknowledged.push_back(r->first_seq);
  };
  auto acknowledged_count = [&] {
    std::lock_guard lock(mu);
    return acknowledged.size();
  };
  // Waits (at most a minute, however slow the machine) until `done`.
  auto wait_until = [](auto done) {
    for (int i = 0; i < 60'000 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };

  // Writers append until told to stop. Syncs fail from when some appends
  // were acknowledged until at least one sync failed, and writing goes on
  // until more appends were acknowledged after that.
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      while (!stop) append_one(w);
    });
  }
  wait_until([&] { return acknowledged_count() >= 20; });
  std::atomic<bool>& fail = fail_writes ? store.fail_writes : store.fail_syncs;
  std::atomic<int>& failed = fail_writes ? store.failed_writes : store.failed_syncs;
  fail = true;
  wait_until([&] { return failed > 0; });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  fail = false;
  const size_t before_recovery = acknowledged_count();
  wait_until([&] { return acknowledged_count() >= before_recovery + 20; });
  stop = true;
  for (auto& t : writers) t.join();

  REQUIRE(failed > 0);
  CHECK(failures > 0);
  CHECK(other_errors == 0);
  // Appends after the failure work again.
  const int failed_before = failures;
  for (int i = 0; i < 5; ++i) append_one(99);
  CHECK(failures == failed_before);
  const uint64_t size = (*log)->size();
  for (uint64_t seq : acknowledged) {
    INFO("acknowledged seq " << seq);
    CHECK(seq < size);
    CHECK((*log)->Read(seq));
  }
  REQUIRE((*log)->WriteCheckpoint().ok());
  auto report = VerifyLog(store, opened.keys->signing.public_key(), 2);
  REQUIRE(report);
  CHECK(report->ok);
  CHECK(report->events == size);

  // And after a restart the log continues where it stood.
  log->reset();
  auto reopened = EventLog::Open(store, *opened.keys, data_keys);
  if (!reopened) FAIL(reopened.error().ToString());
  CHECK((*reopened)->size() == size);
  auto next = (*reopened)->Append({NoteEvent("stu_after", "after restart")});
  REQUIRE(next);
  CHECK(next->first_seq == size);
}

TEST_CASE("no checkpoint is signed over events whose sync failed") {
  FailingSyncLog f;
  REQUIRE(f.log);
  auto& [dir, opened, store, data_keys, log] = f;
  REQUIRE((*log)->Append({NoteEvent("stu_a", "durable")}));

  store.fail_syncs = true;
  auto failed = (*log)->Append({NoteEvent("stu_a", "never synced")});
  REQUIRE_FALSE(failed);
  auto signed_now = (*log)->WriteCheckpoint();
  CHECK(signed_now.code() == StatusCode::kUnavailable);
  auto latest = layout::LatestStoredCheckpoint(store);
  REQUIRE(latest);
  REQUIRE(*latest);
  CHECK((*latest)->key_size <= 1);

  store.fail_syncs = false;
  REQUIRE((*log)->Append({NoteEvent("stu_a", "after recovery")}));
  CHECK((*log)->WriteCheckpoint().ok());
  auto report = VerifyLog(store, opened.keys->signing.public_key(), 2);
  REQUIRE(report);
  CHECK(report->ok);
}

TEST_CASE("after a failed sync the log says it is not writable until it has recovered by itself") {
  FailingSyncLog f;
  REQUIRE(f.log);
  auto& [dir, opened, store, data_keys, log] = f;
  REQUIRE((*log)->Append({NoteEvent("stu_a", "durable")}));
  CHECK((*log)->Writable().ok());

  store.fail_syncs = true;
  REQUIRE_FALSE((*log)->Append({NoteEvent("stu_a", "never synced")}));
  Status failing = (*log)->Writable();  // the store itself reports no trouble
  CHECK(failing.code() == StatusCode::kUnavailable);
  CHECK(failing.message().find("not recovered") != std::string::npos);

  store.fail_syncs = false;
  // No append asks for the recovery: the writer retries by itself.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!(*log)->Writable().ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK((*log)->Writable().ok());
  REQUIRE((*log)->Append({NoteEvent("stu_a", "after recovery")}));
}
