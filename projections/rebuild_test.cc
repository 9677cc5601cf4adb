// ReplayInto: projections replay side by side, each at its own pace; a
// projection that fails stops the whole replay with its error, and leaves
// the rebuild marked unfinished.
#include "projections/rebuild.h"

#include <catch2/catch.hpp>
#include <new>
#include <stdexcept>

#include "tests/test_util.h"

using namespace backpack;
using backpack::testing::NoteEvent;
using backpack::testing::TempDir;
using backpack::testing::TestLog;

namespace {

// Counts the events it is given into its own family, one key per event;
// fails on the event numbered `fail_at`, if any.
class CountingProjection final : public Projection {
 public:
  CountingProjection(std::string family, std::optional<uint64_t> fail_at)
      : family_(std::move(family)), fail_at_(fail_at) {}
  std::string_view name() const override { return family_; }
  std::vector<std::string> ColumnFamilies() const override { return {family_}; }
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override {
    if (fail_at_ && event.header.seq == *fail_at_) return DataLossError("cannot apply this one");
    if (throw_at && event.header.seq == *throw_at) throw std::out_of_range("quotes stu_secret");
    txn.Put(family_, EncodeBigEndian64(event.header.seq), AsBytes("seen"));
    return OkStatus();
  }
  std::optional<uint64_t> throw_at;  // throws instead on this event, if any

 private:
  std::string family_;
  std::optional<uint64_t> fail_at_;
};

// Counts events into a family it owns and into one a rebuild keeps.
class KeepingProjection final : public Projection {
 public:
  std::string_view name() const override { return "p_owned"; }
  std::vector<std::string> ColumnFamilies() const override { return {"p_owned"}; }
  std::vector<std::string> TouchedFamilies() const override { return {"p_owned", "p_kept"}; }
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override {
    for (std::string_view family : {"p_owned", "p_kept"}) {
      txn.Put(family, EncodeBigEndian64(event.header.seq), AsBytes("seen"));
    }
    return OkStatus();
  }
};

// CountingProjection replayed in lanes by subject, until the event numbered
// `merge_at` (if any), from which one lane applies everything. Its lanes
// fail on the event numbered `fail_at`, if any. Counts its Load calls.
class SplitCountingProjection final : public Projection {
 public:
  SplitCountingProjection(std::optional<uint64_t> merge_at, std::optional<uint64_t> fail_at)
      : merge_at_(merge_at), fail_at_(fail_at) {}
  std::string_view name() const override { return "p_split"; }
  std::vector<std::string> ColumnFamilies() const override { return {"p_split"}; }
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override {
    return ApplyOne(event, txn);
  }
  Status Load(Store&, DataKeyRing&) override {
    ++loads;
    return OkStatus();
  }
  std::unique_ptr<RebuildPartitioner> NewRebuildPartitioner() const override {
    return std::make_unique<Partitioner>(*this);
  }
  int loads = 0;
  std::optional<uint64_t> throw_in_partitioner_at;  // on the reader thread

 private:
  class Partitioner final : public RebuildPartitioner {
   public:
    explicit Partitioner(const SplitCountingProjection& p) : p_(p) {}
    std::optional<std::string_view> LaneKey(const LoggedEvent& event) override {
      if (p_.throw_in_partitioner_at && event.header.seq == *p_.throw_in_partitioner_at) {
        throw std::bad_alloc();
      }
      if (p_.merge_at_ && event.header.seq == *p_.merge_at_) return std::nullopt;
      return event.header.subject_id;
    }
    std::unique_ptr<LaneApplier> NewLaneApplier() const override {
      return std::make_unique<Applier>(p_);
    }

   private:
    class Applier final : public LaneApplier {
     public:
      explicit Applier(const SplitCountingProjection& p) : p_(p) {}
      Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override {
        return p_.ApplyOne(event, txn);
      }

     private:
      const SplitCountingProjection& p_;
    };
    const SplitCountingProjection& p_;
  };

  Status ApplyOne(const LoggedEvent& event, ProjectionTxn& txn) const {
    if (fail_at_ && event.header.seq == *fail_at_) return DataLossError("cannot apply this one");
    txn.Put("p_split", EncodeBigEndian64(event.header.seq), AsBytes("seen"));
    return OkStatus();
  }

  std::optional<uint64_t> merge_at_, fail_at_;
};

size_t CountKeys(Store& store, std::string_view family) {
  auto it = store.NewIterator(family);
  REQUIRE(it);
  size_t n = 0;
  for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) ++n;
  return n;
}

// A log of `events` notes, enough for several replay batches.
std::unique_ptr<TestLog> LogOfNotes(const TempDir& dir, size_t events) {
  auto log = TestLog::Open(dir.path());
  for (size_t done = 0; done < events;) {
    std::vector<NewEvent> group;
    for (size_t i = 0; i < 1000 && done < events; ++i, ++done) {
      group.push_back(NoteEvent("stu_" + std::to_string(done % 50), "note"));
    }
    REQUIRE(log->log->Append(std::move(group)));
  }
  return log;
}

// Replays `log` into `projections`, in their own families of its store.
Result<RebuildStats> Replay(TestLog& log, std::initializer_list<Projection*> projections) {
  Projector projector(*log.store, *log.data_keys);
  for (Projection* p : projections) projector.Add(p);
  for (const auto& family : projector.ColumnFamilies()) {
    REQUIRE(log.store->EnsureColumnFamily(family).ok());
  }
  return ReplayInto(*log.store, *log.data_keys, *log.log, projector);
}

}  // namespace

TEST_CASE("every projection sees every event once, however far apart their paces") {
  TempDir dir;
  auto log = LogOfNotes(dir, 70'000);
  CountingProjection first("p_first", std::nullopt), second("p_second", std::nullopt);
  auto stats = Replay(*log, {&first, &second});
  REQUIRE(stats);
  CHECK(stats->events == 70'000);
  CHECK(CountKeys(*log->store, "p_first") == 70'000);
  CHECK(CountKeys(*log->store, "p_second") == 70'000);
  auto unfinished = RebuildInterrupted(*log->store);
  REQUIRE(unfinished);
  CHECK_FALSE(*unfinished);
}

TEST_CASE("a projection replayed in lanes applies every event once, lanes merging or not") {
  TempDir dir;
  auto log = LogOfNotes(dir, 70'000);
  // Never merged, merged in the third batch, merged on the very first event.
  const std::optional<uint64_t> merge_at = GENERATE(
      std::optional<uint64_t>(), std::optional<uint64_t>(45'000), std::optional<uint64_t>(0));
  INFO("merge at " << merge_at.value_or(UINT64_MAX));
  SplitCountingProjection split(merge_at, std::nullopt);
  CountingProjection whole("p_whole", std::nullopt);
  auto stats = Replay(*log, {&split, &whole});
  REQUIRE(stats);
  CHECK(CountKeys(*log->store, "p_split") == 70'000);
  CHECK(CountKeys(*log->store, "p_whole") == 70'000);
  CHECK(split.loads == 1);  // its lanes kept no in-memory state: reloaded once
}

TEST_CASE("a failing lane of a split projection stops the replay with its error") {
  TempDir dir;
  auto log = LogOfNotes(dir, 70'000);
  const uint64_t fail_at = GENERATE(uint64_t{21'000}, uint64_t{50'000});
  SplitCountingProjection split(uint64_t{45'000}, fail_at);
  auto stats = Replay(*log, {&split});
  REQUIRE_FALSE(stats);
  CHECK(stats.error().message().find("p_split projection, event " + std::to_string(fail_at)) !=
        std::string::npos);
}

TEST_CASE("a projection that fails stops the replay with its error and leaves it unfinished") {
  TempDir dir;
  auto log = LogOfNotes(dir, 70'000);
  CountingProjection healthy("p_healthy", std::nullopt), failing("p_failing", 45'000);
  auto stats = Replay(*log, {&healthy, &failing});
  REQUIRE_FALSE(stats);
  CHECK(stats.error().code() == StatusCode::kDataLoss);
  CHECK(stats.error().message().find("p_failing projection, event 45000") != std::string::npos);
  auto unfinished = RebuildInterrupted(*log->store);
  REQUIRE(unfinished);
  CHECK(*unfinished);
}

TEST_CASE(
    "a projection or partitioner that throws fails the replay with a status, not the process") {
  TempDir dir;
  auto log = LogOfNotes(dir, 70'000);
  SECTION("a lane's projection throws") {
    CountingProjection healthy("p_healthy", std::nullopt), throwing("p_throwing", std::nullopt);
    throwing.throw_at = 45'000;
    auto stats = Replay(*log, {&healthy, &throwing});
    REQUIRE_FALSE(stats);
    CHECK(stats.error().code() == StatusCode::kInternal);
    CHECK(stats.error().message().find("replaying into the p_throwing projection threw") !=
          std::string::npos);
    CHECK(stats.error().message().find("stu_secret") == std::string::npos);
  }
  SECTION("the reader's partitioner throws") {
    SplitCountingProjection split(std::nullopt, std::nullopt);
    split.throw_in_partitioner_at = 45'000;
    auto stats = Replay(*log, {&split});
    REQUIRE_FALSE(stats);
    CHECK(stats.error().code() == StatusCode::kInternal);
    CHECK(stats.error().message().find("reading the log for the rebuild threw") !=
          std::string::npos);
  }
  auto unfinished = RebuildInterrupted(*log->store);
  REQUIRE(unfinished);
  CHECK(*unfinished);
  // The process goes on: the next replay finishes.
  CountingProjection again("p_again", std::nullopt);
  REQUIRE(Replay(*log, {&again}));
}

TEST_CASE(
    "a rebuild thread that cannot be started fails the replay with a status, not the process") {
  TempDir dir;
  auto log = LogOfNotes(dir, 5'000);
  // The reader's start, then each lane's: p_first, p_split's (its first
  // lane waits at the merge for the others), p_last.
  const int starts = 1 + 1 + static_cast<int>(RebuildLaneCount()) + 1;
  for (int fail_at = 1; fail_at <= starts; ++fail_at) {
    INFO("start " << fail_at << " of " << starts << " fails");
    CountingProjection first("p_first", std::nullopt), last("p_last", std::nullopt);
    SplitCountingProjection split(uint64_t{2'500}, std::nullopt);
    Result<RebuildStats> stats;
    {
      testing::ThreadStartFailure failure(fail_at);
      stats = Replay(*log, {&first, &split, &last});
      CHECK(failure.tried() == fail_at);  // none started after the failed one
    }
    REQUIRE_FALSE(stats);
    CHECK(stats.error().code() == StatusCode::kUnavailable);
    CHECK(stats.error().message().find(fail_at == 1 ? "starting the rebuild's reader threw"
                                                    : "starting the rebuild's lanes threw") !=
          std::string::npos);
    auto unfinished = RebuildInterrupted(*log->store);
    REQUIRE(unfinished);
    CHECK(*unfinished);
  }
  CountingProjection again("p_again", std::nullopt);
  REQUIRE(Replay(*log, {&again}));
}

// A family a projection writes but a rebuild keeps already holds, in place,
// whatever the replay would write there; into an empty one the replay writes.
TEST_CASE("a rebuild writes a kept family only where it is empty") {
  TempDir dir;
  auto log = LogOfNotes(dir, 5'000);
  REQUIRE(log->store->EnsureColumnFamily("p_kept").ok());
  KeepingProjection keeping;
  REQUIRE(Replay(*log, {&keeping}));
  CHECK(CountKeys(*log->store, "p_owned") == 5'000);
  CHECK(CountKeys(*log->store, "p_kept") == 5'000);

  // Replayed in place: the kept family is left as it is (an entry the replay
  // would have overwritten keeps its value), the owned one rebuilt.
  WriteBatch mark;
  mark.Put("p_kept", EncodeBigEndian64(7), AsBytes("as kept"));
  REQUIRE(log->store->Write(mark, /*sync=*/true).ok());
  REQUIRE(Replay(*log, {&keeping}));
  CHECK(CountKeys(*log->store, "p_owned") == 5'000);
  auto kept = log->store->Get("p_kept", EncodeBigEndian64(7));
  REQUIRE(kept);
  REQUIRE(kept->has_value());
  CHECK(std::string(AsChars(**kept)) == "as kept");
}

// The replay's large unlogged batches are ingested as table files, which a
// crash leaves behind: a kept family that was empty when the rebuild began
// then holds some entries. The rebuild that resumes it must fill it all.
TEST_CASE("a rebuild resumed after a crash fills a kept family the first attempt began") {
  TempDir dir;
  auto log = LogOfNotes(dir, 5'000);
  REQUIRE(log->store->EnsureColumnFamily("p_kept").ok());
  KeepingProjection keeping;
  CountingProjection failing("p_failing", 4'000);
  REQUIRE_FALSE(Replay(*log, {&keeping, &failing}));
  auto unfinished = RebuildInterrupted(*log->store);
  REQUIRE(unfinished);
  REQUIRE(*unfinished);
  WriteBatch ingested;  // what the first attempt's ingested batches held
  for (uint64_t seq = 0; seq < 100; ++seq) {
    ingested.Put("p_kept", EncodeBigEndian64(seq), AsBytes("seen"));
  }
  REQUIRE(log->store->Write(ingested, /*sync=*/true).ok());

  REQUIRE(Replay(*log, {&keeping}));
  CHECK(CountKeys(*log->store, "p_owned") == 5'000);
  CHECK(CountKeys(*log->store, "p_kept") == 5'000);
}

TEST_CASE("a rebuild resuming an older binary's marker keeps no family as it is") {
  TempDir dir;
  auto log = LogOfNotes(dir, 2'000);
  REQUIRE(log->store->EnsureColumnFamily("p_kept").ok());
  WriteBatch interrupted;  // an older binary's marker records no decision
  interrupted.Put(cf::kMeta, AsBytes("rebuild_incomplete"), AsBytes("1"));
  interrupted.Put("p_kept", EncodeBigEndian64(7), AsBytes("half-written"));
  REQUIRE(log->store->Write(interrupted, /*sync=*/true).ok());
  KeepingProjection keeping;
  REQUIRE(Replay(*log, {&keeping}));
  CHECK(CountKeys(*log->store, "p_kept") == 2'000);
  auto unfinished = RebuildInterrupted(*log->store);
  REQUIRE(unfinished);
  CHECK_FALSE(*unfinished);
}
