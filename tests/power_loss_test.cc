// Durability under power loss. A SIGKILL (log_crash_test) leaves the page
// cache, so it cannot show that an acknowledgement waited for fsync; a power
// failure takes every byte not fsynced. The store runs over PowerLossFs
// (tests/power_loss_fs.h), which knows what was fsynced, and an image of the
// database as a power failure at a random moment would leave it is opened on
// the real filesystem: every append acknowledged before that moment, and
// every event a durable read had seen, is there, and the log verifies.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "events/verifier.h"
#include "tests/power_loss_fs.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

using TestEnvPtr = std::shared_ptr<const rocks::TestEnv>;

// An event log with keys in `keys_dir` (created on first use) over the
// database in `db`, written through `env` (null: the real filesystem).
struct OpenedLog {
  std::unique_ptr<StoreKeys> keys;
  std::unique_ptr<Store> store;
  std::unique_ptr<DataKeyRing> data_keys;
  std::unique_ptr<EventLog> log;  // destroyed first
};

OpenedLog OpenLog(const std::filesystem::path& keys_dir, const std::filesystem::path& db,
                  TestEnvPtr env, bool bulk) {
  REQUIRE(CryptoInit().ok());
  if (!std::filesystem::exists(keys_dir)) REQUIRE(CreateKeyFiles(keys_dir).ok());
  auto keys = LoadKeyFiles(keys_dir);
  REQUIRE(keys);
  OpenedLog opened;
  opened.keys = std::make_unique<StoreKeys>(std::move(*keys));
  const bool fresh = !std::filesystem::exists(db);
  StoreOptions options;
  options.create_if_missing = fresh;
  options.column_families = EventLog::ColumnFamilies();
  options.sequenced_families = EventLog::SequencedFamilies();
  if (bulk) options.bulk_write_bytes = 1;  // every group as ingested table files
  options.test_env = std::move(env);
  auto store = Store::Open(db.string(), options);
  if (!store) FAIL(store.error().ToString());
  opened.store = std::move(*store);
  if (fresh) REQUIRE(EventLog::InitializeLog(*opened.store, "backpack.test/power").ok());
  opened.data_keys = std::make_unique<DataKeyRing>(*opened.store, opened.keys->kek);
  auto log = EventLog::Open(*opened.store, *opened.keys, *opened.data_keys);
  if (!log) FAIL(log.error().ToString());
  opened.log = std::move(*log);
  return opened;
}

// The number of events `view` reads in the log (its last sequence number + 1).
uint64_t EventsVisible(Store& store, ReadView view) {
  auto it = store.NewIterator(cf::kLog, view);
  if (!it) return 0;
  (*it)->SeekToLast();
  return (*it)->Valid() ? DecodeBigEndian64((*it)->key()) + 1 : 0;
}

// What was known when the power failed.
struct Cut {
  std::vector<std::pair<uint64_t, std::string>> acknowledged;  // seq, request id
  uint64_t durable_seen = 0;  // the most events a durable read had seen
  uint64_t written = 0;       // events written, synced or not, just after the cut
};

// Appends from many threads, and reads durably from two more, over a log in
// `dir` on PowerLossFs; after a number of acknowledgements drawn from `seed`,
// takes the power-loss image of the database as `dir`/image. Acknowledgements
// and reads are recorded under a lock that the image is taken under, so every
// one recorded happened before it.
Cut RunAndCut(const std::filesystem::path& dir, uint32_t seed, bool bulk) {
  std::mt19937 rng(seed);
  const size_t acks_before_cut = 1 + rng() % (bulk ? 100 : 400);  // a bulk group is slow
  auto fs = std::make_shared<PowerLossFs>();
  OpenedLog opened = OpenLog(dir / "keys", dir / "db", PowerLossFs::EnvOver(fs), bulk);
  EventLog& log = *opened.log;

  std::mutex mu;
  Cut cut;  // guarded by mu until the threads are joined
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < 16; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        NewEvent e = NoteEvent("stu_" + std::to_string((w * 7 + i) % 23), "power");
        e.request_id = std::to_string(w) + "-" + std::to_string(i);
        std::string request_id = e.request_id;
        auto r = log.Append({std::move(e)});
        std::lock_guard lock(mu);
        if (r) cut.acknowledged.emplace_back(r->first_seq, request_id);
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      while (!stop) {
        uint64_t seen = std::max(EventsVisible(*opened.store, ReadView::kDurable), log.size());
        std::lock_guard lock(mu);
        cut.durable_seen = std::max(cut.durable_seen, seen);
      }
    });
  }
  auto acknowledged = [&] {
    std::lock_guard lock(mu);
    return cut.acknowledged.size();
  };
  for (int i = 0; i < 60'000 && acknowledged() < acks_before_cut; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
  Cut at_cut;
  {
    std::lock_guard lock(mu);
    fs->DurableImage(dir / "db", dir / "image");
    at_cut = cut;
  }
  at_cut.written = EventsVisible(*opened.store, ReadView::kLatest);
  stop = true;
  for (auto& t : threads) t.join();
  INFO("syncs " << fs->syncs());
  REQUIRE(at_cut.acknowledged.size() >= acks_before_cut);
  return at_cut;
}

// Opens the image left by RunAndCut on the real filesystem and checks it.
void CheckImage(const std::filesystem::path& dir, const Cut& cut) {
  OpenedLog after = OpenLog(dir / "keys", dir / "image", nullptr, false);
  const uint64_t size = after.log->size();
  INFO("acknowledged " << cut.acknowledged.size() << ", durable reads saw " << cut.durable_seen
                       << ", written " << cut.written << ", survived " << size);
  for (const auto& [seq, request_id] : cut.acknowledged) {
    INFO("acknowledged seq " << seq);
    auto e = after.log->Read(seq);
    REQUIRE(e);
    REQUIRE(e->header.request_id == request_id);
  }
  CHECK(size >= cut.durable_seen);
  auto report = VerifyLog(*after.store, after.keys->signing.public_key(), 2);
  REQUIRE(report);
  INFO(report->why);
  REQUIRE(report->ok);
  REQUIRE(report->events == size);
}

}  // namespace

TEST_CASE("every acknowledged append and every durably read event survives a power loss") {
  // Through the write-ahead log (group commit: written unsynced, then one
  // fsync for all), and as ingested table files (large imports).
  const bool bulk = GENERATE(false, true);
  const uint32_t seed = RunSeed();
  INFO("bulk " << bulk << ", seed " << seed << " (BACKPACK_TEST_SEED repeats it)");
  std::mt19937 rounds(seed);
  for (int round = 0; round < 4; ++round) {
    INFO("round " << round);
    TempDir dir;
    Cut cut = RunAndCut(dir.path(), rounds(), bulk);
    CheckImage(dir.path(), cut);
  }
}

namespace {

// Batches of at least this many bytes are bulk writes in the tests below.
constexpr uint64_t kBulkBytes = 4096;

// A store with one family, "kv", in `dir`/db over `fs`.
std::unique_ptr<Store> OpenKvStore(const std::filesystem::path& dir,
                                   std::shared_ptr<PowerLossFs> fs) {
  StoreOptions options;
  options.create_if_missing = true;
  options.column_families = {"kv"};
  options.bulk_write_bytes = kBulkBytes;
  options.test_env = PowerLossFs::EnvOver(std::move(fs));
  auto store = Store::Open((dir / "db").string(), options);
  if (!store) FAIL(store.error().ToString());
  return std::move(*store);
}

// The store in `db`, on the real filesystem.
std::unique_ptr<Store> ReopenKvStore(const std::filesystem::path& db) {
  StoreOptions options;
  options.column_families = {"kv"};
  auto store = Store::Open(db.string(), options);
  if (!store) FAIL(store.error().ToString());
  return std::move(*store);
}

void Put(Store& store, std::string_view key, bool sync, size_t value_bytes = 5) {
  WriteBatch batch;
  batch.Put("kv", AsBytes(key), AsBytes(std::string(value_bytes, 'v')));
  REQUIRE(store.Write(batch, sync).ok());
}

bool Holds(Store& store, std::string_view key, ReadView view = ReadView::kDurable) {
  auto value = store.Get("kv", AsBytes(key), view);
  REQUIRE(value);
  return value->has_value();
}

}  // namespace

TEST_CASE("a power loss keeps synced writes and those a later SyncWal covered, and no others") {
  TempDir dir;
  auto fs = std::make_shared<PowerLossFs>();
  auto store = OpenKvStore(dir.path(), fs);
  auto put = [&](std::string_view key, bool sync) { Put(*store, key, sync); };
  auto holds = [](const std::unique_ptr<Store>& s, std::string_view key,
                  ReadView view = ReadView::kDurable) { return Holds(*s, key, view); };
  put("synced", true);
  put("covered", false);
  REQUIRE(store->SyncWal().ok());
  put("unsynced", false);
  CHECK(holds(store, "unsynced", ReadView::kLatest));
  CHECK_FALSE(holds(store, "unsynced"));
  fs->DurableImage(dir.path() / "db", dir.path() / "image");
  store.reset();

  auto after_power_loss = ReopenKvStore(dir.path() / "image");
  CHECK(holds(after_power_loss, "synced"));
  CHECK(holds(after_power_loss, "covered"));
  CHECK_FALSE(holds(after_power_loss, "unsynced"));
  // Closed normally, the store kept it: only the power failure lost it.
  auto after_close = ReopenKvStore(dir.path() / "db");
  CHECK(holds(after_close, "unsynced"));
}

TEST_CASE("a bulk write survives a power loss, and so does every write before it") {
  TempDir dir;
  auto fs = std::make_shared<PowerLossFs>();
  auto store = OpenKvStore(dir.path(), fs);
  Put(*store, "before", /*sync=*/false);
  Put(*store, "bulk", /*sync=*/false, kBulkBytes);  // ingested: durable on return
  CHECK(Holds(*store, "before"));
  CHECK(Holds(*store, "bulk"));
  fs->DurableImage(dir.path() / "db", dir.path() / "image");
  store.reset();

  auto after_power_loss = ReopenKvStore(dir.path() / "image");
  CHECK(Holds(*after_power_loss, "bulk"));
  CHECK(Holds(*after_power_loss, "before"));
}
