// Sign-in state of the HTTP API: sessions, failed-login limits and the pool
// that runs slow blocking work (argon2id, durable appends) off the server's
// I/O threads. Authenticate() and the routes are declared in api.h.
//
// Thread-safety: every public method of every class here is safe to call
// concurrently.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/store.h"

namespace backpack::api {

// The session cookie's name (SPEC §6).
inline constexpr std::string_view kSessionCookie = "backpack_session";

struct SessionOptions {
  int64_t idle_micros = 30 * 60 * kMicrosPerSecond;  // SPEC §6: 30 idle minutes
  bool secure_cookie = false;  // add `Secure` to the cookie (served behind TLS)
};

// The mutable column family that keeps sessions across restarts
// (docs/storage-format.md): SHA-256(token) -> last-used time, user id.
inline constexpr std::string_view kSessionsFamily = "sessions";

// Live sessions. A token is 32 random bytes as 64 lowercase hex characters;
// only its SHA-256 is kept, in memory and on disk, so neither a memory dump
// nor the database reveals usable tokens. A session ends after
// `options.idle_micros` without use (measured on the injected clock).
//
// Durability (a store-backed SessionStore, from Open): every session is also
// a row of kSessionsFamily, so sessions survive a restart of the server.
//  - Create writes the row durably (synced) before the token exists for
//    anyone; if it cannot, no session is made.
//  - End and EndAllFor delete rows durably: a session that was ended, and
//    told so, never comes back after a crash or restart. If the delete
//    fails the session still ends at once in memory, the failure is logged,
//    and the delete is retried with every later synced write of the store
//    (Create, End, EndAllFor, or PersistLastUse within a minute) until one
//    succeeds; only a restart before then can bring the session back.
//  - Touch (every authenticated request) never writes. A thread of the
//    store calls PersistLastUse once every kPersistEvery, which rewrites the
//    rows of sessions used since (one unsynced batch) and deletes expired
//    ones; the destructor calls it once more. A row's last-used time is thus
//    never later than the session's real last use, and at most about
//    kPersistEvery earlier (more only if such a write failed or a crash lost
//    it). Contract: after a restart a session may end up to that much
//    EARLIER than `options.idle_micros` after its last use, never later.
//  - Open drops (and deletes) the sessions that expired while the server
//    was down. A session whose account was disabled meanwhile is loaded,
//    and Authenticate (api.h) refuses it and Forgets it at its first use.
// Sessions are not capped in number, in memory or on disk (nor were they
// before they were kept): only a verified password makes one (argon2id, on
// a pool of two threads), and each ends after `options.idle_micros` idle.
class SessionStore {
 public:
  // How often a store-backed SessionStore writes last-used times.
  static constexpr int64_t kPersistEvery = 60 * kMicrosPerSecond;

  // In memory only (tests): a restart would sign everyone out.
  // `clock` must outlive the store.
  explicit SessionStore(Clock& clock, SessionOptions options = {});
  // Backed by kSessionsFamily of `store` (created if absent): loads the
  // sessions kept there, dropping and deleting those idle for
  // `options.idle_micros` or more and rows that do not decode, then starts
  // the thread that calls PersistLastUse. The store's error if the family
  // cannot be created or read, kUnavailable if the thread cannot be started.
  // `store` and `clock` must outlive the result.
  static Result<std::unique_ptr<SessionStore>> Open(Store& store, Clock& clock,
                                                    SessionOptions options = {});
  // Stops the thread, then PersistLastUse (a store-backed one).
  ~SessionStore();
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // Starts a session for `user_id` and returns its token; backed by a store,
  // only once its row is durable, and kUnavailable (no session) otherwise.
  Result<std::string> Create(std::string_view user_id);
  // The user id of the live session `token` names, refreshing its idle
  // timer; nullopt for unknown or expired tokens (expired ones are dropped).
  // Never waits for the store.
  std::optional<std::string> Touch(std::string_view token);
  // Ends the session `token` names; false if there was none. Backed by a
  // store, returns once the delete is durable, or the store's error: the
  // session has ended in memory all the same (see above).
  Result<bool> End(std::string_view token);
  // Ends every session of `user_id` (e.g. the account was disabled), with
  // the same durability as End.
  Status EndAllFor(std::string_view user_id);
  // Ends the session `token` names, leaving its row to the next
  // PersistLastUse: for a session whose account is durably disabled or
  // gone, which cannot come back to use anyway. Never waits for the store.
  void Forget(std::string_view token);
  // Live sessions (expired ones are swept first).
  size_t size();
  // Writes the last-used time of every session used since it was last
  // written, deletes the rows of sessions that ended without a durable
  // delete (expired, Forgotten), unsynced, and retries the deletes End and
  // EndAllFor could not save (then synced). Logs a failure. No-op in memory.
  void PersistLastUse();

  const SessionOptions& options() const { return options_; }

 private:
  struct Entry {
    std::string user_id;
    int64_t last_used_us = 0;
    int64_t stored_us = 0;  // the last-used time its row holds
  };
  SessionStore(Clock& clock, SessionOptions options, Store* store);
  // Loads the family's rows (Open).
  Status Load();
  // Whether a session last used at `last_used_us` has been idle too long.
  bool IdleTooLong(int64_t last_used_us, int64_t now_us) const;
  // Drops `it`; its row is deleted by the next PersistLastUse. Requires mu_ held.
  void DropLocked(std::unordered_map<std::string, Entry>::iterator it);
  // Drops expired sessions; every minute at most unless `force`. Requires
  // mu_ held.
  void SweepLocked(int64_t now_us, bool force = false);
  // Writes `batch`, synced, with the deletes still unsaved; forgets those
  // on success. Requires write_mu_ held.
  Status WriteSyncedLocked(WriteBatch& batch);
  // Deletes the rows of `digests` durably (unsaved on failure, logged).
  Status DeleteDurably(const std::vector<std::string>& digests);
  // PersistLastUse's batch. Requires write_mu_ and mu_ held.
  WriteBatch LastUseBatchLocked();
  // The thread's loop: PersistLastUse every kPersistEvery until stopping.
  void PersistLoop();

  Clock& clock_;
  const SessionOptions options_;
  Store* const store_;  // null: memory only
  // Lock order: write_mu_, then mu_. Rows are written only under write_mu_,
  // and a row of a session is written only while mu_ shows the session
  // live, so that no rewrite of its last-used time can land after the
  // delete that ended it.
  std::mutex write_mu_;
  std::vector<std::string> unsaved_deletes_;  // digests; guarded by write_mu_
  std::mutex mu_;
  std::unordered_map<std::string, Entry> sessions_;  // SHA-256(token) -> entry; guarded by mu_
  std::vector<std::string> dropped_;  // digests of rows to delete lazily; guarded by mu_
  int64_t last_sweep_us_ = 0;         // guarded by mu_
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread persister_;  // store-backed only
};

struct LoginLimits {
  // Per username (case-insensitive) at one client address: the limit that
  // stops guessing, and the one a user's own typos meet. Counted per address
  // so that nobody elsewhere can lock an account out by failing on purpose.
  size_t max_failures_per_username_and_ip = 5;
  // Per username over every address: bounds a guessing attack spread over
  // many addresses (NIST SP 800-63B allows at most 100 consecutive failures
  // per account). Locking an account out this way takes failures from at
  // least 100 / max_failures_per_username_and_ip = 20 distinct addresses
  // (IPv6: /64s) in the window, not a student behind the school's one NAT
  // address; and a user's own sign-in does not clear it, so the real user
  // signing in does not hand a slow guesser a fresh allowance.
  size_t max_failures_per_username = 100;
  // Per client address, an IPv6 client's whole /64 counting as one; schools
  // share NAT addresses, so looser than per account.
  size_t max_failures_per_ip = 50;
  int64_t window_micros = 15 * 60 * kMicrosPerSecond;
  size_t max_tracked_keys = 100'000;  // per table: memory bound under a flood of usernames
};

// Failed-login rate limits over a sliding window, on three keys: the
// username (case-insensitive) at the client address, the username over all
// addresses, and the address (an IPv6 client's /64 counting as one); see
// LoginLimits. An attempt is admitted only while every key has fewer
// failures, counting attempts still being verified, than its limit; so a
// burst of concurrent attempts cannot overshoot it. Keys are added only for
// admitted attempts, and ones without failures in the window are swept out
// once a minute.
class LoginLimiter {
 public:
  // `clock` must outlive the limiter.
  explicit LoginLimiter(Clock& clock, LoginLimits limits = {});

  struct Admission {
    bool admitted = false;
    int64_t retry_after_seconds = 0;  // when refused: until the oldest failure leaves the window
    // When refused: whether this refusal is to be recorded: yes unless one
    // was recorded (RefusalRecorded) for each refusing key (username at the
    // address, username, address; or the full table) within the window, or
    // is being recorded, so that a flood of refused attempts cannot grow the
    // log without bound.
    // A true here must be followed by RefusalRecorded or RefusalNotRecorded.
    bool record_refusal = false;
  };
  // Reserves a verification slot for (username, ip) if every key is under
  // its limit. Every admitted attempt must be closed by exactly one Finish().
  Admission Admit(std::string_view username, std::string_view ip);
  enum class Outcome { kSucceeded, kFailed, kAbandoned };
  // Releases the slot. kFailed counts a failure against every key;
  // kSucceeded clears the failures of the username at that address (not
  // those of the username elsewhere, nor the address's); kAbandoned (the
  // attempt could not be checked, e.g. the store failed) counts nothing.
  void Finish(std::string_view username, std::string_view ip, Outcome outcome);
  // Notes that a refusal of (username, ip) is on the record, which stops
  // Admit asking for another one within the window.
  void RefusalRecorded(std::string_view username, std::string_view ip);
  // Notes that recording it failed: the next refusal is to be recorded.
  void RefusalNotRecorded(std::string_view username, std::string_view ip);
  // Usernames tracked now (for tests): only those with failures in the
  // window, attempts in flight or a refusal being recorded, once swept.
  size_t tracked_usernames();

 private:
  struct Key {
    std::deque<int64_t> failures;  // times, oldest first, within the window
    size_t in_flight = 0;
    std::optional<int64_t> refusal_recorded_at;  // the last refusal recorded
    bool refusal_pending = false;                // one is being recorded
  };
  using KeyMap = std::unordered_map<std::string, Key>;
  // One of the tables an attempt counts in: the attempt's key there, and
  // the table's limit.
  struct Counter {
    KeyMap* map;
    std::string name;
    size_t limit;
    bool cleared_by_success;
  };
  static constexpr size_t kCounters = 3;
  using Counters = std::array<Counter, kCounters>;
  using Keys = std::array<Key*, kCounters>;
  // The keys of (username, ip). Reads no guarded state: needs no lock.
  Counters CountersFor(std::string_view username, std::string_view ip);

  // Drops failures older than the window; false if `key` is then unused.
  bool Prune(Key& key, int64_t now_us) const;
  int64_t RetryAfterSeconds(const Key& key, int64_t now_us) const;
  // Whether a refusal recorded at `recorded_at` is within the window.
  bool RecordedWithin(const std::optional<int64_t>& recorded_at, int64_t now_us) const;
  // Whether `key` must be kept: failures in the window, attempts in flight,
  // or a refusal being recorded. Prunes it.
  bool Live(Key& key, int64_t now_us) const;
  // The key `name`, pruned; null if not tracked.
  Key* Find(KeyMap& map, const std::string& name, int64_t now_us);
  // Starts tracking `name` (not tracked yet); null if `map` is full of live keys.
  Key* Add(KeyMap& map, const std::string& name, int64_t now_us);
  // Adds the counters' keys not in `keys` yet; false (and none added) if
  // some table is full of live keys. Requires mu_ held.
  bool AddMissing(const Counters& counters, Keys& keys, int64_t now_us);
  static bool Refuses(const Key* key, size_t limit);
  // `refusing`: the keys that refuse, null for the others.
  Admission Refuse(const Keys& refusing, int64_t now_us);
  Admission RefuseUntrackable(int64_t now_us);
  void SweepMap(KeyMap& map, int64_t now_us);
  // Drops keys that are no longer live, once a minute at most (as
  // SessionStore does). Requires mu_ held.
  void SweepLocked(int64_t now_us);
  void EndRefusalRecording(std::string_view username, std::string_view ip, bool recorded);

  Clock& clock_;
  const LoginLimits limits_;
  std::mutex mu_;
  // Keyed by the address key's length, ':', the address key and the
  // lowercased username (unambiguous whatever the two hold).
  KeyMap by_username_and_ip_;  // guarded by mu_
  KeyMap by_username_;         // guarded by mu_
  KeyMap by_ip_;               // guarded by mu_
  // The last recorded refusal for want of room to track a key; guarded by mu_.
  std::optional<int64_t> full_refusal_recorded_at_;
  bool full_refusal_pending_ = false;
  int64_t last_sweep_us_ = 0;  // guarded by mu_
};

// A fixed set of threads for blocking work, with a bounded queue so that a
// flood is refused quickly instead of piling up.
class BlockingPool {
 public:
  // Throws (std::system_error) if a thread cannot be started, leaving none
  // running (StartThreads, core/threads.h).
  explicit BlockingPool(size_t threads, size_t max_queued = 4096);
  // Shutdown().
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Queues `work` (which must not throw); false if the queue is full or the
  // pool is shutting down, in which case `work` is dropped uncalled (a
  // handler then answers 503 itself).
  bool Submit(std::function<void()> work);
  // Runs what is queued, then joins the threads. Idempotent; called by the
  // owner only (not concurrently with itself).
  void Shutdown();
  size_t queued();

 private:
  void Loop();
  // Makes each thread return once the queue is empty.
  void RequestStop();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

// The Set-Cookie value for `token`, and the one that deletes the cookie.
std::string SessionCookie(std::string_view token, const SessionOptions& options);
std::string ExpiredSessionCookie(const SessionOptions& options);

// The session token of a request: `Authorization: Bearer TOKEN`, else the
// cookie; `*from_cookie` tells which. Nullopt when neither is present.
std::optional<std::string> SessionToken(std::string_view authorization,
                                        std::string_view cookie_header, bool* from_cookie);

}  // namespace backpack::api
