// Store semantics: batch order, and durable reads (core/store.h ReadView): an
// unsynced write is invisible to kDurable readers until SyncWal and visible to
// kLatest at once; a synced write makes it and every earlier write durable.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <thread>

#include "core/internal/rocks_open.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

void PutMeta(Store& store, std::string_view key, std::string_view value, bool sync) {
  WriteBatch batch;
  batch.Put(cf::kMeta, AsBytes(key), AsBytes(value));
  REQUIRE(store.Write(batch, sync).ok());
}

bool Sees(Store& store, std::string_view key, ReadView view) {
  auto value = store.Get(cf::kMeta, AsBytes(key), view);
  REQUIRE(value);
  return value->has_value();
}

// A store in `dir` that writes batches of kBulkBytes or more as table files.
constexpr uint64_t kBulkBytes = 4096;
TestStore OpenBulkStore(const TempDir& dir) {
  return OpenTestStore(dir.path(), "visibility.test", StoreOptions().min_free_bytes, kBulkBytes);
}

bool IteratorSees(Store& store, std::string_view key, ReadView view) {
  auto it = store.NewIterator(cf::kMeta, view);
  REQUIRE(it);
  (*it)->Seek(AsBytes(key));
  return (*it)->Valid() && AsChars((*it)->key()) == key;
}

}  // namespace

TEST_CASE("an unsynced write is seen by durable reads only after SyncWal") {
  TempDir dir;
  TestStore t = OpenTestStore(dir.path(), "visibility.test");
  Store& store = *t.store;

  PutMeta(store, "first", "1", /*sync=*/false);
  CHECK(Sees(store, "first", ReadView::kLatest));
  CHECK_FALSE(Sees(store, "first", ReadView::kDurable));
  CHECK_FALSE(IteratorSees(store, "first", ReadView::kDurable));
  CHECK(IteratorSees(store, "first", ReadView::kLatest));

  // An iterator opened before the sync keeps its view; new reads move on.
  auto before = store.NewIterator(cf::kMeta);
  REQUIRE(before);
  REQUIRE(store.SyncWal().ok());
  CHECK(Sees(store, "first", ReadView::kDurable));
  CHECK(IteratorSees(store, "first", ReadView::kDurable));
  (*before)->Seek(AsBytes(std::string_view("first")));
  CHECK_FALSE(((*before)->Valid() && AsChars((*before)->key()) == "first"));
}

TEST_CASE("a synced write makes it and every earlier unsynced write durable") {
  TempDir dir;
  TestStore t = OpenTestStore(dir.path(), "visibility.test");
  Store& store = *t.store;
  PutMeta(store, "unsynced", "1", /*sync=*/false);
  PutMeta(store, "synced", "2", /*sync=*/true);
  CHECK(Sees(store, "unsynced", ReadView::kDurable));
  CHECK(Sees(store, "synced", ReadView::kDurable));
  // And the next unsynced write is hidden again.
  PutMeta(store, "later", "3", /*sync=*/false);
  CHECK_FALSE(Sees(store, "later", ReadView::kDurable));
  CHECK(Sees(store, "synced", ReadView::kDurable));
}

TEST_CASE("a SyncWal covers only the writes made before it") {
  TempDir dir;
  TestStore t = OpenTestStore(dir.path(), "visibility.test");
  Store& store = *t.store;
  PutMeta(store, "a", "1", /*sync=*/false);
  REQUIRE(store.SyncWal().ok());
  PutMeta(store, "b", "2", /*sync=*/false);
  CHECK(Sees(store, "a", ReadView::kDurable));
  CHECK_FALSE(Sees(store, "b", ReadView::kDurable));
  REQUIRE(store.SyncWal().ok());
  CHECK(Sees(store, "b", ReadView::kDurable));
}

// A kDurable read that finds nothing waiting for a sync reads the latest
// state, which RocksDB picks only as the read runs: an unsynced write that
// began in between must not show through. Writes alternate with syncs, so
// every write is the first unsynced one, and each state lasts a while, so
// that a reader preempted between the two steps of its read wakes up in the
// other. `covered` is what the sync under way (or the last) covers, set
// before it starts: a durable read may never see past it.
TEST_CASE("durable reads racing the first unsynced write after a sync never see it") {
  TempDir dir;
  TestStore t = OpenTestStore(dir.path(), "visibility.test");
  Store& store = *t.store;
  constexpr uint64_t kWrites = 2000;
  constexpr auto kStatesLast = std::chrono::microseconds(100);
  std::atomic<uint64_t> covered{0};
  std::atomic<bool> done{false};
  std::atomic<uint64_t> failures{0};  // of writes, syncs and reads (Catch asserts on one thread)
  std::thread writer([&] {
    for (uint64_t i = 1; i <= kWrites; ++i) {
      WriteBatch batch;
      batch.Put(cf::kMeta, AsBytes(std::string_view("counter")), AsBytes(std::to_string(i)));
      if (!store.Write(batch, /*sync=*/false).ok()) failures++;
      std::this_thread::sleep_for(kStatesLast);
      covered = i;
      if (!store.SyncWal().ok()) failures++;
      std::this_thread::sleep_for(kStatesLast);
    }
    done = true;
  });
  auto read_value = [&](bool by_iterator) -> uint64_t {
    if (by_iterator) {
      auto it = store.NewIterator(cf::kMeta, ReadView::kDurable);
      if (!it) {
        failures++;
        return 0;
      }
      (*it)->Seek(AsBytes(std::string_view("counter")));
      if (!(*it)->Valid() || AsChars((*it)->key()) != "counter") return 0;
      return std::stoull(std::string(AsChars((*it)->value())));
    }
    auto value = store.Get(cf::kMeta, AsBytes(std::string_view("counter")));
    if (!value) {
      failures++;
      return 0;
    }
    if (!value->has_value()) return 0;
    return std::stoull(std::string(AsChars(**value)));
  };
  std::atomic<uint64_t> reads{0}, unsynced_seen{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 8; ++r) {  // more readers than cores: some are preempted mid-read
    readers.emplace_back([&, by_iterator = r % 2 == 1] {
      while (!done) {
        uint64_t seen = read_value(by_iterator);
        if (seen > covered.load()) unsynced_seen++;
        reads++;
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  INFO(reads.load() << " reads");
  CHECK(failures.load() == 0);
  CHECK(unsynced_seen.load() == 0);
}

TEST_CASE("a batch applies in key order but writes to one key keep their order") {
  // Through the write-ahead log, and as ingested table files.
  const bool bulk = GENERATE(false, true);
  INFO("bulk " << bulk);
  TempDir dir;
  TestStore t = OpenTestStore(dir.path(), "visibility.test", StoreOptions().min_free_bytes,
                              bulk ? std::optional<uint64_t>(1) : std::nullopt);
  Store& store = *t.store;
  WriteBatch batch;
  batch.Put(cf::kMeta, AsBytes(std::string_view("k")), AsBytes(std::string_view("1")));
  batch.Put(cf::kMeta, AsBytes(std::string_view("gone")), AsBytes(std::string_view("x")));
  batch.Delete(cf::kMeta, AsBytes(std::string_view("k")));
  batch.Put(cf::kMeta, AsBytes(std::string_view("a")), AsBytes(std::string_view("first")));
  batch.Put(cf::kMeta, AsBytes(std::string_view("k")), AsBytes(std::string_view("2")));
  batch.Delete(cf::kMeta, AsBytes(std::string_view("gone")));
  REQUIRE(store.Write(batch, /*sync=*/true).ok());
  auto k = store.Get(cf::kMeta, AsBytes(std::string_view("k")));
  REQUIRE(k);
  REQUIRE(k->has_value());
  CHECK(AsChars(**k) == "2");
  auto gone = store.Get(cf::kMeta, AsBytes(std::string_view("gone")));
  REQUIRE(gone);
  CHECK_FALSE(gone->has_value());
  CHECK(Sees(store, "a", ReadView::kDurable));
}

// A batch of at least StoreOptions::bulk_write_bytes is ingested as table
// files: it must be as atomic as a logged write, and durable on return
// together with every write made before it.
TEST_CASE("a bulk write is durable on return with every earlier write, or writes nothing") {
  TempDir dir;
  TestStore t = OpenBulkStore(dir);
  PutMeta(*t.store, "old", "to be deleted", /*sync=*/true);
  PutMeta(*t.store, "earlier", "unsynced", /*sync=*/false);
  const std::string big(kBulkBytes, 'b');

  WriteBatch failing;  // a family that does not exist fails the whole batch
  failing.Put(cf::kMeta, AsBytes(std::string_view("never")), AsBytes(big));
  failing.Put("no_such_family", AsBytes(std::string_view("k")), AsBytes(std::string_view("v")));
  CHECK_FALSE(t.store->Write(failing, /*sync=*/false).ok());
  CHECK_FALSE(Sees(*t.store, "never", ReadView::kLatest));
  CHECK_FALSE(Sees(*t.store, "earlier", ReadView::kDurable));

  WriteBatch bulk;
  bulk.Put(cf::kMeta, AsBytes(std::string_view("big")), AsBytes(std::string_view("first")));
  bulk.Put(cf::kMeta, AsBytes(std::string_view("big")), AsBytes(big));  // the last write wins
  bulk.Delete(cf::kMeta, AsBytes(std::string_view("old")));
  bulk.Put(cf::kCheckpoints, AsBytes(std::string_view("other family")), AsBytes(big));
  REQUIRE(t.store->Write(bulk, /*sync=*/false).ok());
  for (int opened = 0; opened < 2; ++opened) {
    INFO((opened ? "after reopening" : "on return"));
    Store& store = *t.store;
    CHECK(Sees(store, "earlier", ReadView::kDurable));
    CHECK_FALSE(Sees(store, "old", ReadView::kDurable));
    auto value = store.Get(cf::kMeta, AsBytes(std::string_view("big")));
    REQUIRE(value);
    REQUIRE(value->has_value());
    CHECK(AsChars(**value) == big);
    auto other = store.Get(cf::kCheckpoints, AsBytes(std::string_view("other family")));
    REQUIRE(other);
    CHECK(other->has_value());
    t.store.reset();
    t = OpenBulkStore(dir);
  }
  // The table files were moved into the database; nothing is left beside it.
  CHECK_FALSE(std::filesystem::exists(dir.path() / "db" / "bulk-ingest"));
}

// A bulk write ingested while no unsynced write needs hiding enters with
// sequence number 0 where it overlaps nothing, so RocksDB has no reason to
// rewrite its files later (a compaction that, after a large import, took
// about a core-second from whatever ran next). Ingested while a snapshot is
// open, the files would carry the ingestion's own sequence number.
TEST_CASE("a bulk write into keys nothing else holds leaves no file for RocksDB to rewrite") {
  TempDir dir;
  TestStore t = OpenBulkStore(dir);
  PutMeta(*t.store, "a earlier", "unsynced", /*sync=*/false);  // before the bulk keys
  WriteBatch bulk;
  const std::string big(kBulkBytes, 'b');
  bulk.Put(cf::kMeta, AsBytes(std::string_view("z bulk")), AsBytes(big));
  bulk.Put(cf::kCheckpoints, AsBytes(std::string_view("z bulk")), AsBytes(big));
  REQUIRE(t.store->Write(bulk, /*sync=*/false).ok());
  CHECK(Sees(*t.store, "a earlier", ReadView::kDurable));
  t.store.reset();

  StoreOptions read_only;
  read_only.read_only = true;
  auto opened = rocks::OpenRocks((dir.path() / "db").string(), read_only, {});
  REQUIRE(opened);
  std::unique_ptr<rocksdb::DB> db(opened->db);
  std::vector<rocksdb::LiveFileMetaData> files;
  db->GetLiveFilesMetaData(&files);
  int ingested = 0;
  for (const auto& file : files) {
    if (file.smallestkey != "z bulk") continue;
    ++ingested;
    INFO(file.column_family_name << " at level " << file.level);
    CHECK(file.largest_seqno == 0);
  }
  CHECK(ingested == 2);
  for (auto* handle : opened->handles) db->DestroyColumnFamilyHandle(handle);
}

// An import-sized bulk write: the last write to each key wins, and deletes
// delete, across tens of megabytes in one family.
TEST_CASE("a large bulk write keeps the last write to every key and every delete") {
  TempDir dir;
  TestStore t = OpenTestStore(dir.path(), "visibility.test", StoreOptions().min_free_bytes, 1);
  constexpr int kKeys = 12'000;
  const std::string old_value(3000, 'o'), new_value(3000, 'n');
  WriteBatch batch;  // about 72 MB: every key written twice, every tenth then deleted
  auto key_of = [](int k) {
    char key[16];
    std::snprintf(key, sizeof key, "k%08d", k);
    return std::string(key);
  };
  for (int k = 0; k < kKeys; ++k) {
    batch.Put(cf::kMeta, AsBytes(key_of(k)), AsBytes(old_value));
    batch.Put(cf::kMeta, AsBytes(key_of(k)), AsBytes(new_value));
    if (k % 10 == 0) batch.Delete(cf::kMeta, AsBytes(key_of(k)));
  }
  REQUIRE(t.store->Write(batch, /*sync=*/false).ok());
  int wrong = 0;
  for (int k = 0; k < kKeys; ++k) {
    auto value = t.store->Get(cf::kMeta, AsBytes(key_of(k)));
    REQUIRE(value);
    const bool right =
        k % 10 == 0 ? !value->has_value() : value->has_value() && AsChars(**value) == new_value;
    wrong += !right;
  }
  CHECK(wrong == 0);
}

TEST_CASE("values handed over with PutOwned land like copied ones, in memtables and table files") {
  for (uint64_t bulk_bytes : {StoreOptions().bulk_write_bytes, uint64_t{1}}) {
    INFO("bulk write bytes: " << bulk_bytes);
    TempDir dir;
    TestStore t =
        OpenTestStore(dir.path(), "visibility.test", StoreOptions().min_free_bytes, bulk_bytes);
    WriteBatch batch;
    for (int k = 0; k < 200; ++k) {
      const std::string key = "owned" + std::to_string(k);
      std::string text = "value " + std::to_string(k) + std::string(k, '.');
      // The later write to a key wins, whichever way each was made.
      if (k % 3 == 0) batch.Put(cf::kMeta, AsBytes(key), AsBytes("superseded"));
      batch.PutOwned(cf::kMeta, AsBytes(key), Bytes(text.begin(), text.end()));
      if (k % 3 == 1) batch.Put(cf::kMeta, AsBytes(key), AsBytes("copied " + text));
    }
    REQUIRE(t.store->Write(batch, /*sync=*/true).ok());
    for (int k = 0; k < 200; ++k) {
      INFO("key " << k);
      auto value = t.store->Get(cf::kMeta, AsBytes("owned" + std::to_string(k)));
      REQUIRE(value);
      REQUIRE(value->has_value());
      std::string text = "value " + std::to_string(k) + std::string(k, '.');
      CHECK(AsChars(**value) == (k % 3 == 1 ? "copied " + text : text));
    }
  }
}

// A rebuild's lanes write out their bulk batches side by side.
TEST_CASE("bulk writes from several threads at once all land") {
  TempDir dir;
  TestStore t = OpenTestStore(dir.path(), "visibility.test", StoreOptions().min_free_bytes, 1);
  constexpr int kThreads = 4, kBatches = 15, kKeys = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([&, thread] {
      for (int b = 0; b < kBatches; ++b) {
        WriteBatch batch;
        for (int k = 0; k < kKeys; ++k) {
          std::string key =
              std::to_string(thread) + "/" + std::to_string(b) + "/" + std::to_string(k);
          batch.Put(cf::kMeta, AsBytes(key), AsBytes(key));
        }
        if (!t.store->WriteUnlogged(batch).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  auto it = t.store->NewIterator(cf::kMeta);
  REQUIRE(it);
  int found = 0;
  for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
    if (AsChars((*it)->key()) == AsChars((*it)->value())) ++found;
  }
  CHECK(found == kThreads * kBatches * kKeys);
}

// Insert hints (StoreOptions::sequenced_families) only change where RocksDB
// starts looking: whatever order keys come in, and whatever their shape, a
// sequenced family must read back exactly like any other. So must the same
// writes ingested as table files, which RocksDB accepts only in its own key
// order (bytes compared unsigned, as WriteBatch sorts them).
TEST_CASE("a sequenced family holds exactly what was written, in key order") {
  const uint64_t bulk_write_bytes = GENERATE(StoreOptions().bulk_write_bytes, uint64_t{1});
  INFO("bulk_write_bytes " << bulk_write_bytes);
  TempDir dir;
  constexpr std::string_view kFamily = "seq_test";
  StoreOptions options;
  options.create_if_missing = true;
  options.bulk_write_bytes = bulk_write_bytes;
  options.sequenced_families = {std::string(kFamily)};
  auto opened = Store::Open((dir.path() / "db").string(), options);
  REQUIRE(opened);
  Store& store = **opened;
  REQUIRE(store.EnsureColumnFamily(kFamily).ok());

  std::map<std::string, std::string> expected;
  auto put = [&](WriteBatch& batch, const std::string& key, const std::string& value) {
    batch.Put(kFamily, AsBytes(key), AsBytes(value));
    expected[key] = value;
  };
  auto grouped = [](const std::string& group, uint64_t n) {
    auto be = EncodeBigEndian64(n);
    return group + std::string(be.begin(), be.end());
  };
  for (uint64_t round = 0; round < 50; ++round) {
    WriteBatch batch;
    put(batch, grouped(std::string("up\0", 3), round), "a");               // growing in its group
    put(batch, grouped(std::string("down\0", 5), ~round), "b");            // shrinking in its group
    put(batch, grouped(std::to_string(round % 7), round * 13 % 50), "c");  // scattered
    put(batch, grouped("", round), "d");                                   // no group prefix
    put(batch, std::to_string(round % 3), std::to_string(round));          // short, rewritten
    REQUIRE(store.Write(batch, /*sync=*/round % 2 == 0).ok());
  }
  REQUIRE(store.SyncWal().ok());

  auto it = store.NewIterator(kFamily);
  REQUIRE(it);
  (*it)->SeekToFirst();
  std::map<std::string, std::string> actual;
  std::string previous;
  for (; (*it)->Valid(); (*it)->Next()) {
    std::string key(AsChars((*it)->key()));
    CHECK((actual.empty() || previous < key));
    previous = key;
    actual[key] = std::string(AsChars((*it)->value()));
  }
  CHECK(actual == expected);
}

// A family found empty answers point reads without looking them up until it
// is written (Store::Get's shortcut for first imports and rebuilds): every
// way of writing must end the shortcut before the write can be read.
TEST_CASE("a family that was empty sees every write made to it since") {
  TempDir dir;
  TestStore t = OpenBulkStore(dir);
  auto read = [&](std::string_view family, std::string_view key, ReadView view) {
    auto value = t.store->Get(family, AsBytes(key), view);
    REQUIRE(value);
    return value->has_value() ? std::string(AsChars(**value)) : std::string("(none)");
  };
  CHECK(read(cf::kMeta, "a", ReadView::kLatest) == "(none)");

  PutMeta(*t.store, "a", "logged", /*sync=*/false);
  CHECK(read(cf::kMeta, "a", ReadView::kLatest) == "logged");
  CHECK(read(cf::kMeta, "a", ReadView::kDurable) == "(none)");  // not synced yet
  REQUIRE(t.store->SyncWal().ok());
  CHECK(read(cf::kMeta, "a", ReadView::kDurable) == "logged");

  WriteBatch unlogged;
  unlogged.Put(cf::kCheckpoints, AsBytes(std::string_view("b")), AsBytes(std::string_view("u")));
  REQUIRE(t.store->WriteUnlogged(unlogged).ok());
  CHECK(read(cf::kCheckpoints, "b", ReadView::kLatest) == "u");

  REQUIRE(t.store->EnsureColumnFamily("created_later").ok());
  CHECK(read("created_later", "c", ReadView::kLatest) == "(none)");
  WriteBatch bulk;  // ingested as a table file
  bulk.Put("created_later", AsBytes(std::string_view("c")), AsBytes(std::string(kBulkBytes, 'c')));
  REQUIRE(t.store->Write(bulk, /*sync=*/false).ok());
  CHECK(read("created_later", "c", ReadView::kDurable).size() == kBulkBytes);

  REQUIRE(t.store->ResetColumnFamilies({"created_later"}).ok());
  CHECK(read("created_later", "c", ReadView::kLatest) == "(none)");
  WriteBatch again;
  again.Put("created_later", AsBytes(std::string_view("d")), AsBytes(std::string_view("again")));
  REQUIRE(t.store->Write(again, /*sync=*/true).ok());
  CHECK(read("created_later", "d", ReadView::kDurable) == "again");

  // Reopened, families that hold something are not taken for empty.
  t.store.reset();
  t = OpenBulkStore(dir);
  CHECK(read(cf::kMeta, "a", ReadView::kDurable) == "logged");
  CHECK(read("created_later", "d", ReadView::kDurable) == "again");
}

// A whole-family scan (a replay, `verify`) reads past the block cache, which
// keeps the blocks that point reads come back to; a short scan fills it.
TEST_CASE("a whole-family scan leaves the block cache as it found it") {
  TempDir dir;
  TestStore t = OpenBulkStore(dir);
  WriteBatch batch;  // about 4 MB, written as a table file
  const std::string value(2000, 'v');
  for (int k = 0; k < 2000; ++k) {
    char key[16];
    std::snprintf(key, sizeof key, "k%08d", k);
    batch.Put(cf::kMeta, AsBytes(std::string_view(key)), AsBytes(value));
  }
  REQUIRE(t.store->Write(batch, /*sync=*/false).ok());
  auto read_all = [&](ScanExtent extent) {
    const size_t before = rocks::BlockCacheUsage();
    auto it = t.store->NewIterator(cf::kMeta, ReadView::kDurable, extent);
    REQUIRE(it);
    size_t bytes = 0;
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) bytes += (*it)->value().size();
    REQUIRE((*it)->status().ok());
    CHECK(bytes >= 2000 * value.size());  // and the little else the store keeps there
    return rocks::BlockCacheUsage() - before;
  };
  CHECK(read_all(ScanExtent::kWhole) < 256 * 1024);
  CHECK(read_all(ScanExtent::kPart) > 3'000'000);
}
