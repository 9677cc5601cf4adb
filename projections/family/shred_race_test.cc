// A write about a student that races the student's shred (SPEC §2.5): a
// request that found the student not shredded just before the shred, and
// appends just after its RecordShredded, must not resurrect the student's
// projections (which a rebuild would not reproduce, SPEC §2.6). The shred's
// group is held between being written and being made durable, the window in
// which its key is still alive; no test step relies on timing.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "projections/family/family_test_util.h"
#include "projections/rebuild.h"
#include "projections/records/records.h"
#include "tests/forwarding_store.h"

namespace backpack::family_testing {
namespace {

// Waits until `done()`, for at most a minute; whether it is.
bool WaitUntil(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

// Holds the next sync of the log (once armed) until released, for at most a
// minute, and counts the writes made meanwhile.
class HeldSyncStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> hold_next_sync{false};
  std::atomic<bool> holding{false};
  std::atomic<bool> released{false};
  std::atomic<int> writes_while_held{0};

  Status SyncWal() override {
    if (hold_next_sync.exchange(false)) {
      holding = true;
      WaitUntil([this] { return released.load(); });
    }
    return ForwardingStore::SyncWal();
  }
  Status Write(WriteBatch& batch, bool sync) override {
    if (holding && !released) ++writes_while_held;
    return ForwardingStore::Write(batch, sync);
  }
};

}  // namespace

TEST_CASE("a note that loses the race to its student's shred is refused and resurrects nothing") {
  HeldSyncStore* held = nullptr;
  testing::DomainFixtureOptions options;
  options.wrap_store = [&held](Store& real) {
    auto store = std::make_unique<HeldSyncStore>(real);
    held = store.get();
    return store;
  };
  World w(std::move(options));
  REQUIRE(held);
  w.WriteNote(w.ana, "counseling", "Before the shred (synthetic)");
  Records& records = *w.fx().services().records;

  held->hold_next_sync = true;  // the RecordShredded's group
  Status shredded;
  std::thread shredder(
      [&] { shredded = w.family().Shred(w.As(w.admin), w.ana, "retention schedule"); });
  REQUIRE(WaitUntil([&] { return held->holding.load(); }));
  // The RecordShredded is written, its key not destroyed yet: an educator's
  // note now (checked, and sealed with the key if it is still handed out).
  std::atomic<bool> note_done{false};
  Result<NoteInfo> note = Err(InternalError("not written"));
  std::thread writer([&] {
    note =
        records.WriteNote(w.As(w.educator), w.ana, "other", "After the shred (synthetic)", false);
    note_done = true;
  });
  // Until it was refused, or its group was written behind the shred's.
  CHECK(WaitUntil([&] { return note_done || held->writes_while_held > 0; }));
  held->released = true;
  writer.join();
  shredder.join();
  REQUIRE(shredded.ok());

  CHECK_FALSE(note);
  if (!note) CHECK(note.error().code() == StatusCode::kGone);
  auto ids = records.NoteIds(w.ana);
  REQUIRE(ids);
  CHECK(ids->empty());
  testing::TempDir scratch_dir;
  auto scratch = w.fx().Rebuilt(scratch_dir.path());
  auto difference =
      FirstDifference(w.fx().store(), *scratch, records.projection()->ColumnFamilies());
  REQUIRE(difference);
  CHECK(difference->value_or("none") == "none");
}

}  // namespace backpack::family_testing
