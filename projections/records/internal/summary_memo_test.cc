// The live records projection remembers students' attendance summaries
// across commit groups (SummaryMemo): what it remembers must be what the
// store holds once the groups applied so far are written, never a group's
// work that was not written, and nothing of a shredded student.
#include <catch2/catch.hpp>

#include "projections/projection.h"
#include "projections/records/internal/record_store.h"
#include "projections/records/internal/records_projection.h"
#include "projections/records/records_test_util.h"
#include "tests/test_util.h"

namespace backpack::records {
namespace {

using records_testing::Note;
using records_testing::Shredded;

constexpr int64_t kHour = 3'600 * kMicrosPerSecond;
constexpr int64_t kDay0 = 20'000 * kMicrosPerDay;  // midnight UTC of a day in 2024

void Must(const Status& status) {
  INFO(status.ToString());
  REQUIRE(status.ok());
}

// The projection over a fresh store, applying events as the log's commit
// hook does: one transaction per group, written unless the group "fails".
struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<testing::TestLog> log = testing::TestLog::Open(dir.path());
  RecordsProjection projection;
  uint64_t next_seq = 1;

  Fixture() {
    for (const auto& family : projection.ColumnFamilies()) {
      Must(log->store->EnsureColumnFamily(family));
    }
  }

  LoggedEvent Logged(NewEvent e, int64_t at_us) {
    EventHeader header{next_seq++,
                       at_us,
                       e.type,
                       e.actor_id,
                       e.subject_id,
                       e.request_id,
                       /*payload_encrypted=*/true};
    return LoggedEvent{std::move(header), std::move(e.payload), false};
  }

  // Applies `events` in one transaction; writes it only if `written`.
  void ApplyGroup(std::vector<LoggedEvent> events, bool written) {
    WriteBatch batch;
    ProjectionTxn txn(*log->store, *log->data_keys, batch);
    for (const auto& event : events) Must(projection.Apply(event, txn));
    Must(txn.Finish());
    if (written) Must(log->store->Write(batch, /*sync=*/true));
  }

  // The summary the store holds for `student`, read without the memo.
  AttendanceSummary Stored(const std::string& student) {
    WriteBatch unused;
    ProjectionTxn read(*log->store, *log->data_keys, unused);
    auto summary = LoadSummary(read, nullptr, student);
    REQUIRE(summary);
    return *summary;
  }

  NewEvent NoteAbout(const std::string& student) {
    return Note(student, "usr_teacher", "note_" + std::to_string(next_seq), "Checked in", false);
  }
};

TEST_CASE("after a group that was not written, the projection reads the summary the store holds") {
  Fixture f;
  const std::string student = "stu_memo_a";
  // A note at 10:00 whose group is never written (a failed write or sync),
  // then the recovery that follows such a failure (EventLog reloads every
  // projection before the next group).
  f.ApplyGroup({f.Logged(f.NoteAbout(student), kDay0 + 10 * kHour)}, false);
  Must(f.projection.Load(*f.log->store, *f.log->data_keys));
  // A later note that day is then the day's first the store knows of.
  const int64_t eleven = kDay0 + 11 * kHour;
  f.ApplyGroup({f.Logged(f.NoteAbout(student), eleven)}, true);
  CHECK(f.Stored(student).note_times_us == std::vector<int64_t>{eleven});
}

TEST_CASE("after a group the store refused, the projector forgets what it remembered of it") {
  Fixture f;
  Projector projector(*f.log->store, *f.log->data_keys);
  projector.Add(&f.projection);
  const std::string student = "stu_memo_refused";
  // A note at 10:00 whose group the store refuses before writing anything
  // (too little free space): the log drops the group's staged action and
  // tells the hook, without reloading any projection.
  {
    WriteBatch refused;
    std::vector<LoggedEvent> events{f.Logged(f.NoteAbout(student), kDay0 + 10 * kHour)};
    REQUIRE(projector.OnGroup(events, refused));
    Must(projector.OnGroupRefused());
  }
  const int64_t eleven = kDay0 + 11 * kHour;
  WriteBatch written;
  std::vector<LoggedEvent> events{f.Logged(f.NoteAbout(student), eleven)};
  REQUIRE(projector.OnGroup(events, written));
  Must(f.log->store->Write(written, /*sync=*/true));
  CHECK(f.Stored(student).note_times_us == std::vector<int64_t>{eleven});
}

TEST_CASE("remembered summaries follow each write, across groups and within one") {
  Fixture f;
  const std::string student = "stu_memo_b";
  const int64_t nine = kDay0 + 9 * kHour;
  const int64_t next_day = kDay0 + kMicrosPerDay + 8 * kHour;
  f.ApplyGroup(
      {f.Logged(f.NoteAbout(student), kDay0 + 12 * kHour), f.Logged(f.NoteAbout(student), nine)},
      true);
  f.ApplyGroup({f.Logged(f.NoteAbout(student), kDay0 + 15 * kHour)}, true);
  f.ApplyGroup({f.Logged(f.NoteAbout(student), next_day)}, true);
  CHECK(f.Stored(student).note_times_us == std::vector<int64_t>{nine, next_day});
}

TEST_CASE("shredding a student forgets their remembered summary") {
  Fixture f;
  f.ApplyGroup(
      {f.Logged(f.NoteAbout("stu_memo_c"), kDay0), f.Logged(f.NoteAbout("stu_memo_d"), kDay0)},
      true);
  REQUIRE(f.projection.remembered_summaries().Find("stu_memo_c"));
  f.ApplyGroup({f.Logged(Shredded("stu_memo_c"), kDay0 + kHour)}, true);
  CHECK_FALSE(f.projection.remembered_summaries().Find("stu_memo_c"));
  CHECK(f.projection.remembered_summaries().Find("stu_memo_d"));
  CHECK(f.Stored("stu_memo_c").note_times_us.empty());
}

TEST_CASE("a summary memo holds at most its capacity") {
  SummaryMemo memo;
  AttendanceSummary summary;
  summary.note_times_us = {kDay0};
  for (size_t i = 0; i < SummaryMemo::kCapacity + 10; ++i) {
    memo.Remember("stu_" + std::to_string(i), summary);
  }
  CHECK(memo.size() == SummaryMemo::kCapacity);
  const std::string last = "stu_" + std::to_string(SummaryMemo::kCapacity + 9);
  REQUIRE(memo.Find(last));
  CHECK(memo.Find(last)->note_times_us == summary.note_times_us);
}

}  // namespace
}  // namespace backpack::records
