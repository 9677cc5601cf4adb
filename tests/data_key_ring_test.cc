// DataKeyRing never holds its lock while it calls the store. A store call can
// wait for the store's own lock, which a reader holding an iterator keeps
// while it asks the ring for a key: holding the ring's lock across store
// calls could deadlock both (found by ThreadSanitizer as a lock-order
// inversion). Each test holds a store call open until another thread's key
// lookup has finished, which it only can if the ring's lock is free.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/data_keys.h"
#include "tests/forwarding_store.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

// Holds the next data-key read (after reading) or write (before writing)
// open until `Release` is called, for at most five seconds.
class GatedStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> gate_next_read{false};
  std::atomic<bool> gate_next_write{false};
  std::atomic<bool> entered{false};    // a gated call is waiting
  std::atomic<bool> timed_out{false};  // it waited five seconds in vain

  void Release() { released_ = true; }
  void WaitUntilEntered() {
    for (int i = 0; i < 5000 && !entered; ++i) Sleep();
  }

  Result<std::optional<Bytes>> Get(std::string_view family, ByteView key, ReadView view) override {
    auto read = ForwardingStore::Get(family, key, view);
    if (family == cf::kDataKeys && gate_next_read.exchange(false)) Hold();
    return read;
  }
  Status Write(WriteBatch& batch, bool sync) override {
    if (gate_next_write.exchange(false)) Hold();
    return ForwardingStore::Write(batch, sync);
  }

 private:
  static void Sleep() { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }
  void Hold() {
    entered = true;
    for (int i = 0; i < 5000 && !released_; ++i) Sleep();
    timed_out = !released_;
  }
  std::atomic<bool> released_{false};
};

struct Ring {
  TempDir dir;
  TestStore opened = OpenTestStore(dir.path(), "backpack.test/keys");
  GatedStore store{*opened.store};
  DataKeyRing ring{store, opened.keys->kek};

  // Gives `subject` a durable key, as a commit would.
  void PersistKey(const std::string& subject) {
    auto key = ring.GetOrCreate(subject);
    REQUIRE(key);
    REQUIRE(key->wrapped_to_persist);
    WriteBatch batch;
    batch.Put(cf::kDataKeys, AsBytes(subject), *key->wrapped_to_persist);
    REQUIRE(opened.store->Write(batch, true).ok());
    ring.MarkDurable(subject);
  }
};

}  // namespace

TEST_CASE("the key ring answers other lookups while a shred writes its tombstone") {
  Ring r;
  r.PersistKey("stu_shredded");
  r.PersistKey("stu_other");
  r.store.gate_next_write = true;
  std::thread shredder([&] { CHECK(r.ring.Shred("stu_shredded").ok()); });
  r.store.WaitUntilEntered();
  CHECK(r.ring.Get("stu_other"));  // must not wait for the shred's write
  r.store.Release();
  shredder.join();
  CHECK_FALSE(r.store.timed_out);
  CHECK(r.ring.IsShredded("stu_shredded"));
}

TEST_CASE("the key ring answers other lookups while it reads a key from the store") {
  Ring r;
  r.PersistKey("stu_loading");
  r.PersistKey("stu_other");
  DataKeyRing fresh(r.store, r.opened.keys->kek);  // nothing cached: it reads the store
  REQUIRE(fresh.Get("stu_other"));
  r.store.gate_next_read = true;
  std::thread loader([&] { CHECK(fresh.Get("stu_loading")); });
  r.store.WaitUntilEntered();
  CHECK(fresh.Get("stu_other"));  // cached: must not wait for the other read
  r.store.Release();
  loader.join();
  CHECK_FALSE(r.store.timed_out);
}

TEST_CASE("a data key under another key-encryption key fails closed and says which key") {
  Ring r;
  r.PersistKey("stu_wrapped");
  AeadKey other_kek{};
  other_kek.fill(7);
  DataKeyRing wrong(r.store, other_kek);
  auto key = wrong.Get("stu_wrapped");
  REQUIRE_FALSE(key);
  CHECK(key.error().code() == StatusCode::kDataLoss);
  CHECK_THAT(key.error().message(), Catch::Contains("key-encryption key"));
}

TEST_CASE("a key read from the store just before its shred is not cached after it") {
  Ring r;
  r.PersistKey("stu_shredded");
  DataKeyRing fresh(r.store, r.opened.keys->kek);
  r.store.gate_next_read = true;
  Result<AeadKey> loaded = Err(UnavailableError("not yet"));
  std::thread loader([&] { loaded = fresh.Get("stu_shredded"); });
  r.store.WaitUntilEntered();  // it has read the wrapped key, not yet cached it
  REQUIRE(fresh.Shred("stu_shredded").ok());
  r.store.Release();
  loader.join();
  CHECK_FALSE(r.store.timed_out);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code() == StatusCode::kGone);
  CHECK(fresh.IsShredded("stu_shredded"));
  CHECK(fresh.Get("stu_shredded").error().code() == StatusCode::kGone);
}

TEST_CASE("a key created while another lookup reads the store is the key that lookup gets") {
  // Even when the new key leaves the cache before the lookup resumes.
  Ring r;
  DataKeyRing small(r.store, r.opened.keys->kek, /*cache_capacity=*/2);
  r.store.gate_next_read = true;
  Result<DataKey> late = Err(UnavailableError("not yet"));
  std::thread reader([&] { late = small.GetOrCreate("stu_new"); });
  r.store.WaitUntilEntered();  // it read "no key yet", and has not decided
  auto created = small.GetOrCreate("stu_new");
  REQUIRE(created);
  REQUIRE(created->wrapped_to_persist);
  WriteBatch batch;
  batch.Put(cf::kDataKeys, AsBytes(std::string("stu_new")), *created->wrapped_to_persist);
  REQUIRE(r.opened.store->Write(batch, true).ok());
  small.MarkDurable("stu_new");
  for (std::string other : {"stu_filler_1", "stu_filler_2"}) {  // evicts every durable key
    REQUIRE(small.GetOrCreate(other));
    small.MarkDurable(other);
  }
  r.store.Release();
  reader.join();
  CHECK_FALSE(r.store.timed_out);
  REQUIRE(late);
  CHECK(late->key == created->key);  // not a second key that would replace the first
  CHECK_FALSE(late->wrapped_to_persist);
}

namespace {

// The first write fails and the second succeeds, each held open until
// released: two shreds of one subject overlapping.
class TwoShredsStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<int> writes{0};
  std::atomic<bool> release_first{false}, release_second{false};

  Status Write(WriteBatch& batch, bool sync) override {
    int n = ++writes;
    if (n == 1) Wait(release_first);
    if (n == 2) Wait(release_second);
    if (n == 1) return UnavailableError("injected write failure");
    return ForwardingStore::Write(batch, sync);
  }
  void WaitForWrites(int n) {
    for (int i = 0; i < 5000 && writes < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

 private:
  static void Wait(const std::atomic<bool>& released) {
    for (int i = 0; i < 5000 && !released; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
};

}  // namespace

TEST_CASE("a failed shred does not let a key be cached while another shred of it is writing") {
  Ring r;
  r.PersistKey("stu_shredded");
  TwoShredsStore store(*r.opened.store);
  DataKeyRing ring(store, r.opened.keys->kek);
  std::thread failing([&] { CHECK_FALSE(ring.Shred("stu_shredded").ok()); });
  store.WaitForWrites(1);
  std::thread succeeding([&] { CHECK(ring.Shred("stu_shredded").ok()); });
  store.WaitForWrites(2);
  store.release_first = true;
  failing.join();
  // The second shred is still writing its tombstone: the key is gone already.
  CHECK(ring.Get("stu_shredded").error().code() == StatusCode::kGone);
  store.release_second = true;
  succeeding.join();
  CHECK(ring.IsShredded("stu_shredded"));
  CHECK(ring.Get("stu_shredded").error().code() == StatusCode::kGone);
}
