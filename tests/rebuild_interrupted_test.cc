// An interrupted `backpack rebuild` (killed, crashed, power lost) leaves a
// marker; the next open rebuilds the projections before anything reads them
// (invariant 6: projections are derived from the log and rebuilt identical).

#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <thread>

#include "projections/rebuild.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

constexpr std::string_view kMarker = "rebuild_incomplete";
constexpr std::string_view kStudentRecords = "rec_student";

std::string DbDir(const TempDir& tmp) { return (tmp.path() / "data" / "db").string(); }

CliResult RunCli(const TempDir& tmp, const std::string& args) {
  return RunBackpackWords("--data " + (tmp.path() / "data").string() + " " + args);
}

void MakeDemo(const TempDir& tmp, int students) {
  CliResult demo = RunCli(tmp, "demo --students " + std::to_string(students));
  INFO(demo.err);
  REQUIRE(demo.exit_code == 0);
}

// Whether the marker is set, read beside a running process.
bool MarkerSet(const TempDir& tmp) {
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open(DbDir(tmp), options);
  if (!store) return false;
  auto marker = (*store)->Get(cf::kMeta, AsBytes(kMarker));
  return marker && marker->has_value();
}

void RequireRebuildIdentical(const TempDir& tmp, bool expect_finish_message) {
  CliResult check = RunCli(tmp, "rebuild --check");
  INFO(check.out << check.err);
  REQUIRE(check.exit_code == 0);
  CHECK(check.out.find("projections identical") != std::string::npos);
  // The warning goes to the log (standard error), not among the output.
  CHECK((check.err.find("a rebuild was interrupted") != std::string::npos) ==
        expect_finish_message);
  CHECK_FALSE(MarkerSet(tmp));
}

}  // namespace

TEST_CASE("a store marked mid-rebuild is rebuilt on open, and its damage is gone") {
  TempDir tmp;
  MakeDemo(tmp, 20);
  {
    auto store = Store::Open(DbDir(tmp), StoreOptions{});
    REQUIRE(store);
    WriteBatch batch;
    batch.Put(cf::kMeta, AsBytes(kMarker), AsBytes("1"));
    batch.Put(kStudentRecords, AsBytes("half-written"), AsBytes("by a rebuild that was killed"));
    REQUIRE((*store)->Write(batch, /*sync=*/true).ok());
  }
  RequireRebuildIdentical(tmp, /*expect_finish_message=*/true);
  auto store = Store::Open(DbDir(tmp), StoreOptions{});
  REQUIRE(store);
  auto stray = (*store)->Get(kStudentRecords, AsBytes("half-written"));
  REQUIRE(stray);
  CHECK_FALSE(stray->has_value());
}

TEST_CASE("projections built by another version of backpack are rebuilt when the store opens") {
  TempDir tmp;
  MakeDemo(tmp, 20);
  {
    auto store = Store::Open(DbDir(tmp), StoreOptions{});
    REQUIRE(store);
    auto version = (*store)->Get(cf::kMeta, AsBytes("projections_version"));
    REQUIRE(version);
    REQUIRE(version->has_value());
    CHECK(AsChars(**version) == kProjectionsVersion);
    // As an earlier binary left it: another version, and its own view of a record.
    WriteBatch batch;
    batch.Put(cf::kMeta, AsBytes("projections_version"), AsBytes("1"));
    batch.Put(kStudentRecords, AsBytes("stale"), AsBytes("derived by the earlier rules"));
    REQUIRE((*store)->Write(batch, /*sync=*/true).ok());
  }
  CliResult opened = RunCli(tmp, "checkpoint");
  REQUIRE(opened.exit_code == 0);
  // The warning is on standard error: the output holds only the checkpoint.
  CHECK(opened.err.find("built by another version") != std::string::npos);
  CHECK(opened.out.find("built by another version") == std::string::npos);
  RequireRebuildIdentical(tmp, /*expect_finish_message=*/false);
  auto store = Store::Open(DbDir(tmp), StoreOptions{});
  REQUIRE(store);
  auto stale = (*store)->Get(kStudentRecords, AsBytes("stale"));
  REQUIRE(stale);
  CHECK_FALSE(stale->has_value());
}

TEST_CASE("a rebuild SIGKILLed midway is finished by the next command") {
  TempDir tmp;
  MakeDemo(tmp, 300);
  int interrupted = 0;
  for (int round = 0; round < 6 && interrupted < 2; ++round) {
    INFO("round " << round);
    pid_t pid =
        Spawn({BackpackBin(), "--data", (tmp.path() / "data").string(), "rebuild"}, -1, -1, -1);
    // Kill as soon as the rebuild has begun (the marker is durable), while
    // it is still replaying.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!MarkerSet(tmp) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(round * 7));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    bool was_interrupted = WIFSIGNALED(status) && MarkerSet(tmp);
    if (was_interrupted) ++interrupted;
    RequireRebuildIdentical(tmp, was_interrupted);
  }
  CHECK(interrupted >= 1);
}

}  // namespace backpack::testing
