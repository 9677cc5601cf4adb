// A store an older binary wrote a late event into (SPEC §2.5, §2.6): before
// the log refused them, a note that found its student not yet shredded was
// sealed with the student's key, logged after the student's RecordShredded
// and projected, and the key was destroyed next. A rebuild can no longer
// read that note, so its projection rows must not outlive the upgrade: the
// store is rebuilt when this binary first opens it, and `rebuild --check`
// then finds the live projections equal to a replay. The older binary is
// played by a log opened without the family module's start-up (which would
// destroy the surviving key first), so nothing in it knows of the shred.
#include <catch2/catch.hpp>

#include "projections/family/family_test_util.h"
#include "projections/roster/roster_test_events.h"
#include "tests/cli_seed.h"

namespace backpack::family_testing {
namespace {

constexpr int64_t kLaterUs = 1'800'000'000'000'000;  // after the World's events

// Appends `late` to the store at `data` as a binary without the shred order
// did, destroys `student`'s key, and records the projections as built by
// version 12, the last such binaries' version.
void AppendAsOlderBinary(const std::filesystem::path& data, const std::string& student,
                         NewEvent late) {
  testing::TestStore opened = testing::OpenTestStore(data, "backpack.test/domain");
  DataKeyRing data_keys(*opened.store, opened.keys->kek);
  ManualClock clock(kLaterUs);
  Domain domain(*opened.store, data_keys, *opened.keys, clock);
  REQUIRE(opened.store->EnsureColumnFamilies(domain.ColumnFamilies()).ok());
  EventLogOptions options;
  options.clock = &clock;
  options.hook = &domain.projector();
  auto log = EventLog::Open(*opened.store, *opened.keys, data_keys, options);
  REQUIRE(log);
  REQUIRE((*log)->Append({std::move(late)}));
  log->reset();
  REQUIRE(data_keys.Shred(student).ok());
  WriteBatch batch;
  batch.Put(cf::kMeta, AsBytes(std::string_view("projections_version")), AsBytes("12"));
  REQUIRE(opened.store->Write(batch, /*sync=*/true).ok());
}

}  // namespace

TEST_CASE(
    "a note an older binary logged after its student's shred is dropped when the store opens") {
  testing::TempDir tmp;
  const std::filesystem::path data = tmp.path() / "data";
  std::string ana, educator;
  {
    World w(data);
    ana = w.ana;
    educator = w.educator;
    w.WriteNote(ana, "counseling", "Before the shred (synthetic)");
    w.Append({backpack::testing::ShredEvent(ana)});  // committed; the key is destroyed below
  }
  AppendAsOlderBinary(data, ana, Note(ana, educator, "other", "After the shred (synthetic)"));

  testing::CliResult check = testing::RunCli(tmp, "rebuild --check");
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
}

}  // namespace backpack::family_testing
