// Fail-closed storage: when the disk fills up, appends fail with
// kUnavailable and append nothing; when space returns, the log recovers by
// itself, nothing acknowledged is lost and the log verifies. Uses a small
// tmpfs (needs root, as in CI); skipped with a warning otherwise.
#include <sys/mount.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <thread>

#include "events/log_layout.h"
#include "events/verifier.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

// A tmpfs of `megabytes` mounted on a fresh directory; unmounted on exit.
class SmallDisk {
 public:
  explicit SmallDisk(int megabytes) {
    std::string options = "size=" + std::to_string(megabytes) + "m";
    mounted_ = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::filesystem::path& path() const { return dir_.path(); }

 private:
  TempDir dir_;
  bool mounted_ = false;
};

// Fills the disk with a file until writing fails; returns its path.
std::filesystem::path FillDisk(const std::filesystem::path& dir) {
  auto filler = dir / "filler";
  std::ofstream out(filler, std::ios::binary);
  std::string chunk(64 * 1024, 'x');
  while (out.write(chunk.data(), chunk.size())) out.flush();
  return filler;
}

uint64_t FreeBytes(const std::filesystem::path& dir) {
  return std::filesystem::space(dir).available;
}

// Fills the disk with a file until about `leave` bytes are free (never
// fewer); returns its path.
std::filesystem::path FillLeaving(const std::filesystem::path& dir, uint64_t leave) {
  auto filler = dir / "filler";
  std::ofstream out(filler, std::ios::binary);
  std::string chunk(64 * 1024, 'x');
  while (FreeBytes(dir) >= leave + 2 * chunk.size() && out.write(chunk.data(), chunk.size())) {
    out.flush();
  }
  return filler;
}

constexpr uint64_t kMiB = 1ull << 20;

// Counts how the log told it about failed groups.
class RecoveryCountingHook : public CommitHook {
 public:
  std::atomic<int> recovered{0};  // OnStoreRecovered: a full reload
  std::atomic<int> refused{0};    // OnGroupRefused
  Result<std::function<void()>> OnGroup(std::span<const LoggedEvent>, WriteBatch&) override {
    return std::function<void()>();
  }
  Status OnStoreRecovered() override {
    ++recovered;
    return OkStatus();
  }
  Status OnGroupRefused() override {
    ++refused;
    return OkStatus();
  }
};

// `count` notes of 4000 bytes each, as one atomic append (about 4 kB of
// batch per event).
std::vector<NewEvent> LargeNotes(int count) {
  std::vector<NewEvent> events;
  for (int i = 0; i < count; ++i) events.push_back(NoteEvent("stu_a", std::string(4000, 'n')));
  return events;
}

// Waits up to `seconds` for `done`.
template <typename Done>
bool WaitFor(int seconds, Done done) {
  for (int i = 0; i < seconds * 20 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Every acknowledged event is readable after reopening the log, and the log verifies.
void CheckReopenedLog(std::unique_ptr<TestLog>& t, const std::filesystem::path& dir,
                      const std::vector<uint64_t>& acknowledged, uint64_t min_free_bytes) {
  t->Close();
  t = TestLog::Open(dir, {}, min_free_bytes);
  for (uint64_t seq : acknowledged) CHECK(t->log->Read(seq));
  auto report = VerifyLog(*t->store, t->keys->signing.public_key(), 2);
  REQUIRE(report);
  INFO(report->why);
  CHECK(report->ok);
}

}  // namespace

TEST_CASE("a full disk fails appends closed and the log recovers when space returns") {
  SmallDisk disk(24);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (not root?): disk-full test skipped");
    return;
  }
  // With the free-space guard, with RocksDB itself hitting ENOSPC, and with
  // every group written as ingested table files (the path of large imports)
  // that hit ENOSPC.
  auto [min_free_bytes, every_write_bulk] =
      GENERATE(std::pair{StoreOptions().min_free_bytes, false}, std::pair{uint64_t{0}, false},
               std::pair{uint64_t{0}, true});
  INFO("min_free_bytes " << min_free_bytes << ", every write bulk " << every_write_bulk);
  const auto bulk_bytes = every_write_bulk ? std::optional<uint64_t>(1) : std::nullopt;
  auto t = TestLog::Open(disk.path() / "store", {}, min_free_bytes, bulk_bytes);
  std::vector<uint64_t> acknowledged;
  for (int i = 0; i < 20; ++i) {
    auto r = t->log->Append({NoteEvent("stu_a", "before the disk fills")});
    REQUIRE(r);
    acknowledged.push_back(r->first_seq);
  }
  auto filler = FillDisk(disk.path());

  int failures = 0;
  uint64_t size_before = t->log->size();
  for (int i = 0; i < 200 && failures < 3; ++i) {
    auto r = t->log->Append({NoteEvent("stu_a", std::string(4000, 'n'))});
    if (r) {
      acknowledged.push_back(r->first_seq);
      size_before = t->log->size();
    } else {
      CHECK(r.error().code() == StatusCode::kUnavailable);
      CHECK(t->log->size() == size_before);  // a failed append appended nothing
      ++failures;
    }
  }
  REQUIRE(failures > 0);

  std::filesystem::remove(filler);
  Result<AppendResult> recovered = Err(UnavailableError("not yet"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!recovered && std::chrono::steady_clock::now() < deadline) {
    recovered = t->log->Append({NoteEvent("stu_a", "after space returned")});
    if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(recovered);
  acknowledged.push_back(recovered->first_seq);
  CHECK(recovered->first_seq == size_before);  // dense: no gap left by the failures

  t->Close();
  t = TestLog::Open(disk.path() / "store", {}, min_free_bytes, bulk_bytes);
  for (uint64_t seq : acknowledged) CHECK(t->log->Read(seq));
  auto report = VerifyLog(*t->store, t->keys->signing.public_key(), 2);
  REQUIRE(report);
  INFO(report->why);
  CHECK(report->ok);
}

TEST_CASE("appends refused below the free-space guard need no recovery, and health says why") {
  SmallDisk disk(48);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (not root?): disk-full test skipped");
    return;
  }
  RecoveryCountingHook hook;
  EventLogOptions options;
  options.hook = &hook;
  auto t = TestLog::Open(disk.path() / "store", options);
  std::vector<uint64_t> acknowledged;
  for (int i = 0; i < 20; ++i) {
    auto r = t->log->Append({NoteEvent("stu_a", "before the disk fills")});
    REQUIRE(r);
    acknowledged.push_back(r->first_seq);
  }
  REQUIRE(t->log->Writable().ok());

  auto filler = FillLeaving(disk.path(), 4 * kMiB);  // below the 16 MiB guard
  const uint64_t size_before = t->log->size();
  for (int i = 0; i < 3; ++i) {
    auto r = t->log->Append({NoteEvent("stu_a", "refused")});
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == StatusCode::kUnavailable);
    CHECK(r.error().message().find("the disk is full") != std::string::npos);
  }
  CHECK(t->log->size() == size_before);
  // Nothing reached the store: the log dropped each group, reloading nothing.
  CHECK(hook.refused == 3);
  CHECK(hook.recovered == 0);
  Status health = t->log->Writable();
  CHECK(health.code() == StatusCode::kUnavailable);
  CHECK(health.message().find("the disk is full") != std::string::npos);

  std::filesystem::remove(filler);
  CHECK(t->log->Writable().ok());  // at once, before any append
  auto r = t->log->Append({NoteEvent("stu_a", "after space returned")});
  REQUIRE(r);
  CHECK(r->first_seq == size_before);  // dense: no gap left by the refusals
  acknowledged.push_back(r->first_seq);
  CHECK(hook.recovered == 0);
  CheckReopenedLog(t, disk.path() / "store", acknowledged, StoreOptions().min_free_bytes);
}

TEST_CASE("a batch too large for the free space is refused whole, and smaller appends go on") {
  SmallDisk disk(96);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (not root?): disk-full test skipped");
    return;
  }
  RecoveryCountingHook hook;
  EventLogOptions options;
  options.hook = &hook;
  auto t = TestLog::Open(disk.path() / "store", options);
  auto first = t->log->Append({NoteEvent("stu_a", "before")});
  REQUIRE(first);
  // Opened again on the nearly full disk, so that RocksDB cannot reserve
  // room for its next write-ahead log file ahead of time (as a long-running
  // server may have had no chance to either).
  t->Close();
  auto filler = FillLeaving(disk.path(), 20 * kMiB);
  t = TestLog::Open(disk.path() / "store", options);
  // 20 MiB free passes the 16 MiB guard, but not a batch of about 25 MB:
  // RocksDB would hit ENOSPC halfway through its write-ahead log record.
  REQUIRE(t->log->Writable().ok());
  auto big = t->log->Append(LargeNotes(6000));
  REQUIRE_FALSE(big);
  CHECK(big.error().code() == StatusCode::kUnavailable);
  INFO(big.error().message());
  CHECK(big.error().message().find("the disk is too full for a write of") != std::string::npos);
  CHECK(t->log->size() == first->first_seq + 1);
  CHECK(t->store->Writable().ok());  // the store was not broken
  CHECK(t->log->Writable().ok());
  auto small = t->log->Append({NoteEvent("stu_a", "an access event")});
  REQUIRE(small);
  CHECK(small->first_seq == first->first_seq + 1);
  CHECK(hook.recovered == 0);
  CHECK(hook.refused == 1);
  std::filesystem::remove(filler);
  CheckReopenedLog(t, disk.path() / "store", {first->first_seq, small->first_seq},
                   StoreOptions().min_free_bytes);
}

TEST_CASE(
    "a failed reopen leaves the store closed, unavailable to every call, until one succeeds") {
  SmallDisk disk(24);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (not root?): disk-full test skipped");
    return;
  }
  // Recovering in place (the next append, or the writer by itself), or
  // stopping while closed and opening again.
  const bool restart = GENERATE(false, true);
  INFO("restart " << restart);
  const auto dir = disk.path() / "store";
  auto t = TestLog::Open(dir, {}, /*min_free_bytes=*/0);  // RocksDB itself hits ENOSPC
  std::vector<uint64_t> acknowledged;
  for (int i = 0; i < 20; ++i) {
    auto r = t->log->Append({NoteEvent("stu_a", "before the disk fills")});
    REQUIRE(r);
    acknowledged.push_back(r->first_seq);
  }
  auto filler = FillDisk(disk.path());
  bool broken = false;
  for (int i = 0; i < 200 && !broken; ++i) {
    auto r = t->log->Append({NoteEvent("stu_a", std::string(4000, 'n'))});
    if (r) acknowledged.push_back(r->first_seq);
    broken = !t->store->Writable().ok();
  }
  REQUIRE(broken);  // a write failed inside RocksDB: the store must be reopened
  const uint64_t size_before = acknowledged.back() + 1;

  // Reopening fails (here: CURRENT is missing, so RocksDB cannot open).
  const auto current = dir / "db" / "CURRENT";
  std::filesystem::rename(current, dir / "CURRENT.hidden");
  std::filesystem::remove(filler);
  for (int i = 0; i < 3; ++i) {  // the second attempt closed an already closed store
    auto r = t->log->Append({NoteEvent("stu_a", "while closed")});
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == StatusCode::kUnavailable);
  }
  // Closed: every call says unavailable, none a false "not found" or "empty".
  Status closed = t->store->Writable();
  CHECK(closed.code() == StatusCode::kUnavailable);
  CHECK(closed.message().find("the store is closed") != std::string::npos);
  CHECK(t->log->Writable().code() == StatusCode::kUnavailable);
  auto got = t->store->Get(cf::kLog, layout::LogKey(0));
  REQUIRE_FALSE(got);
  CHECK(got.error().code() == StatusCode::kUnavailable);
  auto read = t->log->Read(acknowledged.front());
  REQUIRE_FALSE(read);
  CHECK(read.error().code() == StatusCode::kUnavailable);
  auto iterator = t->store->NewIterator(cf::kMeta);
  REQUIRE_FALSE(iterator);
  CHECK(iterator.error().code() == StatusCode::kUnavailable);
  CHECK(t->store->EnsureColumnFamily("test_new").code() == StatusCode::kUnavailable);
  CHECK(t->store->SyncWal().code() == StatusCode::kUnavailable);
  auto checkpoint = t->log->LatestCheckpoint();
  REQUIRE_FALSE(checkpoint);
  CHECK(checkpoint.error().code() == StatusCode::kUnavailable);

  if (restart) {
    t->Close();  // a clean stop while closed (SIGTERM)
    std::filesystem::rename(dir / "CURRENT.hidden", current);
    t = TestLog::Open(dir, {}, 0);
  } else {
    std::filesystem::rename(dir / "CURRENT.hidden", current);
    // The writer retries by itself: health turns ok without an append.
    CHECK(WaitFor(60, [&] { return t->log->Writable().ok(); }));
  }
  auto r = t->log->Append({NoteEvent("stu_a", "after the reopen")});
  REQUIRE(r);
  CHECK(r->first_seq == size_before);  // nothing acknowledged lost, no gap
  acknowledged.push_back(r->first_seq);
  CheckReopenedLog(t, dir, acknowledged, 0);
}

TEST_CASE("opening needs room to replay the write-ahead log, and a refused open writes nothing") {
  SmallDisk disk(128);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (not root?): disk-full test skipped");
    return;
  }
  const auto dir = disk.path() / "store";
  auto t = TestLog::Open(dir);
  std::vector<uint64_t> acknowledged;
  for (int i = 0; i < 4; ++i) {  // about 20 MB, all still in the write-ahead log
    auto r = t->log->Append(LargeNotes(1200));
    REQUIRE(r);
    acknowledged.push_back(r->last_seq);
  }
  t->Close();
  uint64_t wal_bytes = 0;
  std::map<std::string, uint64_t> files;  // the database directory: name -> size
  for (const auto& entry : std::filesystem::directory_iterator(dir / "db")) {
    if (!entry.is_regular_file()) continue;
    files[entry.path().filename().string()] = entry.file_size();
    if (entry.path().extension() == ".log") wal_bytes += entry.file_size();
  }
  REQUIRE(wal_bytes > 15 * kMiB);

  // Above the 16 MiB guard, but short of room for the replay.
  auto filler = FillLeaving(disk.path(), 16 * kMiB + wal_bytes / 2);
  StoreOptions options;
  options.column_families = EventLog::ColumnFamilies();
  auto refused = Store::Open((dir / "db").string(), options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == StatusCode::kUnavailable);
  INFO(refused.error().message());
  CHECK(refused.error().message().starts_with("opening needs "));
  CHECK(refused.error().message().find("to replay the") != std::string::npos);
  std::map<std::string, uint64_t> after;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "db")) {
    if (entry.is_regular_file()) after[entry.path().filename().string()] = entry.file_size();
  }
  CHECK(after == files);  // no table file left behind, nothing written

  std::filesystem::remove(filler);
  t = TestLog::Open(dir);
  for (uint64_t seq : acknowledged) CHECK(t->log->Read(seq));
  auto report = VerifyLog(*t->store, t->keys->signing.public_key(), 2);
  REQUIRE(report);
  CHECK(report->ok);
}
