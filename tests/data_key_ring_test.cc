// DataKeyRing never holds its lock while it calls the store. A store call can
// wait for the store's own lock, which a reader holding an iterator keeps
// while it asks the ring for a key: holding the ring's lock across store
// calls could deadlock both (found by ThreadSanitizer as a lock-order
// inversion). Each test holds a store call open until another thread's key
// lookup has finished, which it only can if the ring's lock is free.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "core/data_keys.h"
#include "tests/forwarding_store.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

// A thread running `work`. Catch's assertions are not thread-safe, so
// `work` records its results for the test's thread to check after Join().
// Joined on destruction too (a REQUIRE failed first), after `release`
// has let go of whatever the thread may be waiting for.
class Worker {
 public:
  Worker(std::function<void()> release, std::function<void()> work)
      : release_(std::move(release)), thread_(std::move(work)) {}
  ~Worker() { Join(); }
  void Join() {
    if (!thread_.joinable()) return;
    release_();
    thread_.join();
  }

 private:
  std::function<void()> release_;
  std::thread thread_;
};

// Holds the next data-key read (after reading) or write (before writing)
// open until `Release` is called, for at most a minute.
class GatedStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> gate_next_read{false};
  std::atomic<bool> gate_next_write{false};
  std::atomic<bool> entered{false};    // a gated call is waiting
  std::atomic<bool> timed_out{false};  // it waited a minute in vain

  void Release() { released_ = true; }
  // Whether a gated call is waiting (within a minute).
  bool WaitUntilEntered() { return WaitFor(entered); }

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
  void Hold() {
    entered = true;
    timed_out = !WaitFor(released_);
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
  std::atomic<bool> shredded{false};
  Worker shredder([&] { r.store.Release(); },
                  [&] { shredded = r.ring.Shred("stu_shredded").ok(); });
  REQUIRE(r.store.WaitUntilEntered());
  CHECK(r.ring.Get("stu_other"));  // must not wait for the shred's write
  r.store.Release();
  shredder.Join();
  CHECK_FALSE(r.store.timed_out);
  CHECK(shredded);
  CHECK(r.ring.IsShredded("stu_shredded"));
}

TEST_CASE("the key ring answers other lookups while it reads a key from the store") {
  Ring r;
  r.PersistKey("stu_loading");
  r.PersistKey("stu_other");
  DataKeyRing fresh(r.store, r.opened.keys->kek);  // nothing cached: it reads the store
  REQUIRE(fresh.Get("stu_other"));
  r.store.gate_next_read = true;
  std::atomic<bool> loaded{false};
  Worker loader([&] { r.store.Release(); }, [&] { loaded = fresh.Get("stu_loading").has_value(); });
  REQUIRE(r.store.WaitUntilEntered());
  CHECK(fresh.Get("stu_other"));  // cached: must not wait for the other read
  r.store.Release();
  loader.Join();
  CHECK_FALSE(r.store.timed_out);
  CHECK(loaded);
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
  Worker loader([&] { r.store.Release(); }, [&] { loaded = fresh.Get("stu_shredded"); });
  REQUIRE(r.store.WaitUntilEntered());  // it has read the wrapped key, not yet cached it
  REQUIRE(fresh.Shred("stu_shredded").ok());
  r.store.Release();
  loader.Join();
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
  Worker reader([&] { r.store.Release(); }, [&] { late = small.GetOrCreate("stu_new"); });
  REQUIRE(r.store.WaitUntilEntered());  // it read "no key yet", and has not decided
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
  reader.Join();
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
  // Whether `n` writes have begun (within a minute).
  bool WaitForWrites(int n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (writes < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return writes >= n;
  }

 private:
  static void Wait(const std::atomic<bool>& released) { WaitFor(released); }
};

}  // namespace

TEST_CASE("a failed shred does not let a key be cached while another shred of it is writing") {
  Ring r;
  r.PersistKey("stu_shredded");
  TwoShredsStore store(*r.opened.store);
  DataKeyRing ring(store, r.opened.keys->kek);
  std::atomic<bool> first_ok{true}, second_ok{false};
  Worker failing([&] { store.release_first = true; },
                 [&] { first_ok = ring.Shred("stu_shredded").ok(); });
  REQUIRE(store.WaitForWrites(1));
  Worker succeeding([&] { store.release_second = true; },
                    [&] { second_ok = ring.Shred("stu_shredded").ok(); });
  REQUIRE(store.WaitForWrites(2));
  store.release_first = true;
  failing.Join();
  CHECK_FALSE(first_ok);
  // The second shred is still writing its tombstone: the key is gone already.
  CHECK(ring.Get("stu_shredded").error().code() == StatusCode::kGone);
  store.release_second = true;
  succeeding.Join();
  CHECK(second_ok);
  CHECK(ring.IsShredded("stu_shredded"));
  CHECK(ring.Get("stu_shredded").error().code() == StatusCode::kGone);
}
