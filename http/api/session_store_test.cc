// A store-backed SessionStore across restarts: each "restart" destroys the
// SessionStore, closes and reopens the store, and opens a new SessionStore
// on it with the same injected clock.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "http/api/api_auth.h"
#include "tests/forwarding_store.h"
#include "tests/test_util.h"

namespace backpack::api {
namespace {

constexpr int64_t kMinute = 60 * kMicrosPerSecond;
constexpr int64_t kStart = 1'790'000'000'000'000;

// A store whose writes can be made to fail, and that counts them.
class CountingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Status Write(WriteBatch& batch, bool sync) override {
    (sync ? synced : unsynced)++;
    if (fail_writes) return UnavailableError("injected write failure");
    return ForwardingStore::Write(batch, sync);
  }
  std::atomic<bool> fail_writes{false};
  std::atomic<int> synced{0};
  std::atomic<int> unsynced{0};
};

// A data directory whose store is opened and closed like a server's.
struct Disk {
  Disk() { REQUIRE(CryptoInit().ok()); }

  std::unique_ptr<Store> OpenStore() {
    StoreOptions options;
    options.create_if_missing = true;
    auto store = Store::Open((dir.path() / "db").string(), options);
    REQUIRE(store);
    return std::move(*store);
  }
  // A new server's session store (the previous one and its store closed).
  SessionStore& Start() {
    Stop();
    store = OpenStore();
    counting = std::make_unique<CountingStore>(*store);
    auto opened = SessionStore::Open(*counting, clock);
    REQUIRE(opened);
    sessions = std::move(*opened);
    return *sessions;
  }
  void Stop() {
    sessions.reset();
    counting.reset();
    store.reset();
  }
  // The rows of the sessions family, key -> value.
  std::vector<std::pair<Bytes, Bytes>> Rows() {
    std::vector<std::pair<Bytes, Bytes>> rows;
    auto it = store->NewIterator(kSessionsFamily, ReadView::kLatest);
    REQUIRE(it);
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      rows.emplace_back(Bytes((*it)->key().begin(), (*it)->key().end()),
                        Bytes((*it)->value().begin(), (*it)->value().end()));
    }
    return rows;
  }

  testing::TempDir dir;
  ManualClock clock{kStart};
  std::unique_ptr<Store> store;
  std::unique_ptr<CountingStore> counting;
  std::unique_ptr<SessionStore> sessions;
};

std::optional<std::string> User(const char* id) { return std::string(id); }

// The last-used time a row's value holds.
int64_t StoredTime(const Bytes& value) {
  REQUIRE(value.size() > 8);
  return static_cast<int64_t>(DecodeBigEndian64(ByteView(value).first(8)));
}

TEST_CASE("a session survives a restart and its row holds no token") {
  Disk disk;
  std::string token = disk.Start().Create("usr_a").value();
  disk.clock.Advance(10 * kMinute);
  SessionStore& restarted = disk.Start();
  CHECK(restarted.size() == 1);
  CHECK(restarted.Touch(token) == User("usr_a"));

  auto rows = disk.Rows();
  REQUIRE(rows.size() == 1);
  const Hash256 digest = Sha256(AsBytes(token));
  CHECK(rows[0].first == Bytes(digest.begin(), digest.end()));
  const Bytes& value = rows[0].second;
  REQUIRE(value.size() == 8 + 5);  // last-used time, then the user id
  CHECK(std::string(value.begin() + 8, value.end()) == "usr_a");
  const std::string bytes(value.begin(), value.end());
  CHECK(bytes.find(token) == std::string::npos);
}

TEST_CASE("idle time before a restart counts towards a session's expiry") {
  Disk disk;
  std::string token = disk.Start().Create("usr_a").value();
  disk.clock.Advance(25 * kMinute);
  SessionStore& restarted = disk.Start();
  disk.clock.Advance(5 * kMinute);  // 30 idle minutes in all
  CHECK_FALSE(restarted.Touch(token).has_value());

  std::string late = restarted.Create("usr_b").value();
  disk.Stop();
  disk.clock.Advance(31 * kMinute);
  SessionStore& again = disk.Start();  // expired while stopped: dropped and deleted
  CHECK(again.size() == 0);
  CHECK_FALSE(again.Touch(late).has_value());
  CHECK(disk.Rows().empty());
}

TEST_CASE("use before a restart is kept lazily and never makes a session outlive its limit") {
  Disk disk;
  SessionStore& sessions = disk.Start();
  std::string token = sessions.Create("usr_a").value();
  const int synced = disk.counting->synced;
  disk.clock.Advance(20 * kMinute);
  for (int i = 0; i < 1000; ++i) REQUIRE(sessions.Touch(token) == User("usr_a"));
  CHECK(disk.counting->synced == synced);  // no write per request
  CHECK(disk.counting->unsynced == 0);
  // Not written yet: the row still says the session was last used at its
  // creation, so a crash now could only end it earlier, never later.
  REQUIRE(disk.Rows().size() == 1);
  CHECK(StoredTime(disk.Rows()[0].second) == kStart);

  sessions.PersistLastUse();  // what the store's thread does once a minute
  CHECK(disk.counting->unsynced == 1);
  CHECK(StoredTime(disk.Rows()[0].second) == kStart + 20 * kMinute);
  sessions.PersistLastUse();  // nothing used since: nothing written
  CHECK(disk.counting->unsynced == 1);

  disk.clock.Advance(kMinute);
  REQUIRE(sessions.Touch(token) == User("usr_a"));
  SessionStore& restarted = disk.Start();  // a clean stop writes the last use
  disk.clock.Advance(29 * kMinute);
  CHECK(restarted.Touch(token) == User("usr_a"));
}

TEST_CASE("a signed-out session stays dead after a restart") {
  Disk disk;
  SessionStore& sessions = disk.Start();
  std::string token = sessions.Create("usr_a").value();
  std::string other = sessions.Create("usr_a").value();
  const int synced = disk.counting->synced;
  REQUIRE(sessions.End(token) == true);
  CHECK(disk.counting->synced == synced + 1);  // a durable delete
  REQUIRE(sessions.End(token) == false);
  CHECK(disk.counting->synced == synced + 1);  // nothing left to delete

  SessionStore& restarted = disk.Start();
  CHECK_FALSE(restarted.Touch(token).has_value());
  CHECK(restarted.Touch(other) == User("usr_a"));
  CHECK(disk.Rows().size() == 1);
}

TEST_CASE("ending all of an account's sessions survives a restart") {
  Disk disk;
  SessionStore& sessions = disk.Start();
  std::string a1 = sessions.Create("usr_a").value();
  std::string a2 = sessions.Create("usr_a").value();
  std::string b = sessions.Create("usr_b").value();
  REQUIRE(sessions.EndAllFor("usr_a").ok());

  SessionStore& restarted = disk.Start();
  CHECK_FALSE(restarted.Touch(a1).has_value());
  CHECK_FALSE(restarted.Touch(a2).has_value());
  CHECK(restarted.Touch(b) == User("usr_b"));
}

TEST_CASE("a session whose row cannot be written is not created") {
  Disk disk;
  SessionStore& sessions = disk.Start();
  disk.counting->fail_writes = true;
  auto failed = sessions.Create("usr_a");
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code() == StatusCode::kUnavailable);
  CHECK(sessions.size() == 0);
  disk.counting->fail_writes = false;
  std::string token = sessions.Create("usr_a").value();
  CHECK(sessions.Touch(token) == User("usr_a"));
}

TEST_CASE("a sign-out whose delete fails ends the session and is saved by a later write") {
  Disk disk;
  SessionStore& sessions = disk.Start();
  std::string token = sessions.Create("usr_a").value();
  std::string other = sessions.Create("usr_b").value();
  disk.counting->fail_writes = true;
  auto ended = sessions.End(token);
  REQUIRE_FALSE(ended.has_value());
  CHECK_FALSE(sessions.Touch(token).has_value());  // ended here all the same
  REQUIRE_FALSE(sessions.EndAllFor("usr_b").ok());
  CHECK_FALSE(sessions.Touch(other).has_value());
  disk.counting->fail_writes = false;
  CHECK(disk.Rows().size() == 2);

  sessions.PersistLastUse();  // retries the unsaved deletes, synced
  CHECK(disk.Rows().empty());
  SessionStore& restarted = disk.Start();
  CHECK_FALSE(restarted.Touch(token).has_value());
  CHECK_FALSE(restarted.Touch(other).has_value());
}

TEST_CASE("expired and forgotten sessions are deleted from the store") {
  Disk disk;
  SessionStore& sessions = disk.Start();
  std::string old = sessions.Create("usr_a").value();
  disk.clock.Advance(20 * kMinute);
  std::string forgotten = sessions.Create("usr_b").value();
  std::string kept = sessions.Create("usr_c").value();
  disk.clock.Advance(11 * kMinute);
  CHECK(sessions.size() == 2);  // `old` swept
  sessions.Forget(forgotten);
  CHECK_FALSE(sessions.Touch(forgotten).has_value());
  REQUIRE(disk.Rows().size() == 3);
  sessions.PersistLastUse();
  REQUIRE(disk.Rows().size() == 1);
  const Hash256 digest = Sha256(AsBytes(kept));
  CHECK(disk.Rows()[0].first == Bytes(digest.begin(), digest.end()));
}

TEST_CASE("rows that do not decode are dropped when sessions are loaded") {
  Disk disk;
  std::string token = disk.Start().Create("usr_a").value();
  disk.Stop();
  {
    auto store = disk.OpenStore();
    WriteBatch batch;
    batch.Put(kSessionsFamily, AsBytes("short key"), AsBytes("0123456789usr_x"));
    batch.Put(kSessionsFamily, AsBytes(std::string(32, 'k')), AsBytes("0123"));
    REQUIRE(store->Write(batch, true).ok());
  }
  SessionStore& restarted = disk.Start();
  CHECK(restarted.size() == 1);
  CHECK(restarted.Touch(token) == User("usr_a"));
  CHECK(disk.Rows().size() == 1);
}

}  // namespace
}  // namespace backpack::api
