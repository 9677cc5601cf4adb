// An import that a shred of one of its students overtakes (SPEC §2.5): the
// import was planned, and its events sealed, before the student's
// RecordShredded was committed, and reaches the log's writer after it. The
// log refuses it (no personal event about a student follows the student's
// RecordShredded); the import must then end as one planned after the shred
// does: the shredded student's rows skipped, the rest imported. Hooks hold
// the shred's group and tell when the import's append is queued; no step
// relies on timing.
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "projections/ids.h"
#include "projections/intake/intake_test_util.h"
#include "projections/rebuild.h"
#include "projections/roster/roster_test_events.h"
#include "tests/forwarding_log.h"
#include "tests/forwarding_store.h"

using namespace backpack;
using namespace backpack::intake::testing;

namespace {

// Holds the next write (once armed) until released, for at most a minute.
class HeldWriteStore final : public backpack::testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> hold_next_write{false};
  std::atomic<bool> holding{false};
  std::atomic<bool> released{false};

  Status Write(WriteBatch& batch, bool sync) override {
    if (hold_next_write.exchange(false)) {
      holding = true;
      backpack::testing::WaitFor(released);
    }
    return ForwardingStore::Write(batch, sync);
  }
};

// A log whose Append queues the events (AppendAsync: prepared, sealed and
// queued before it returns), says so, and then waits for the answer.
class QueueingLog final : public backpack::testing::ForwardingEventLog {
 public:
  using ForwardingEventLog::ForwardingEventLog;
  std::atomic<bool> queued{false};

  Result<AppendResult> Append(std::vector<NewEvent> events) override {
    std::promise<Result<AppendResult>> answer;
    ForwardingEventLog::AppendAsync(std::move(events), [&answer](Result<AppendResult> result) {
      answer.set_value(std::move(result));
    });
    queued = true;
    return answer.get_future().get();
  }
};

// SmallDistrict with one row of s-101 (the student shredded) and one of
// s-102 corrected: an import with something to append about each.
imports::FileSet Corrected() {
  imports::FileSet files = Edit(SmallDistrict(), "attendance.csv", "Bus late", "Bus was late");
  return Edit(files, "teams.csv", "Coach K", "Coach L");
}

Actor System() { return Actor{"system", "req_import", ""}; }

// What importing Corrected() reports when s-101 was shredded before it was
// planned: the case the race must end as.
ImportReport ImportAfterShred() {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  const std::string student = StudentIdFor(f.domain().keys().index_key, "s-101");
  REQUIRE(f.log().Append({backpack::testing::ShredEvent(student)}));
  REQUIRE(f.domain().data_keys().Shred(student).ok());
  return f.ImportOk(Corrected());
}

}  // namespace

TEST_CASE("an import overtaken by a shred of its student skips the student as a later one would") {
  backpack::testing::TempDir dir;
  HeldWriteStore* held = nullptr;
  backpack::testing::DomainFixtureOptions options;
  options.wrap_store = [&held](Store& real) {
    auto store = std::make_unique<HeldWriteStore>(real);
    held = store.get();
    return store;
  };
  backpack::testing::DomainFixture fx(dir.path(), 1'790'000'000'000'000, std::move(options));
  REQUIRE(Import(fx.services(), ParseOk(SmallDistrict()), System()));
  const std::string student = StudentIdFor(fx.keys().index_key, "s-101");

  // The RecordShredded is sequenced and its group held before it is written.
  held->hold_next_write = true;
  std::promise<Result<AppendResult>> shred;
  fx.log().AppendAsync({backpack::testing::ShredEvent(student)},
                       [&shred](Result<AppendResult> r) { shred.set_value(std::move(r)); });
  REQUIRE(backpack::testing::WaitFor(held->holding));
  // The import is planned and sealed meanwhile, and queued behind the shred.
  QueueingLog queueing(fx.log());
  Services services = fx.services();
  services.log = &queueing;
  Result<ImportReport> report = Err(InternalError("not run"));
  std::thread importer([&] { report = Import(services, ParseOk(Corrected()), System()); });
  CHECK(backpack::testing::WaitFor(queueing.queued));
  held->released = true;
  importer.join();
  Result<AppendResult> shredded = shred.get_future().get();
  REQUIRE(shredded);
  REQUIRE(fx.data_keys().Shred(student).ok());  // as Family::Shred does next

  REQUIRE(report);
  const ImportReport expected = ImportAfterShred();
  CHECK(report->events_appended == expected.events_appended);
  CHECK(report->skipped_shredded == expected.skipped_shredded);
  CHECK(report->unchanged == expected.unchanged);
  CHECK(report->replaced == expected.replaced);
  CHECK(report->skipped_shredded > 0);
  CHECK(report->replaced == 1);  // s-102's team, not s-101's attendance
  for (uint64_t seq = shredded->last_seq + 1; seq < fx.log().size(); ++seq) {
    auto event = fx.log().Read(seq);
    REQUIRE(event);
    CHECK(event->header.subject_id != student);
  }

  backpack::testing::TempDir scratch_dir;
  std::unique_ptr<Store> scratch = fx.Rebuilt(scratch_dir.path() / "db");
  auto difference = FirstDifference(fx.store(), *scratch, fx.domain().ColumnFamilies());
  REQUIRE(difference);
  CHECK(difference->value_or("none") == "none");
}
