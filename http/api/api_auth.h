// Sign-in state of the HTTP API: sessions, failed-login limits and the pool
// that runs slow blocking work (argon2id, durable appends) off the server's
// I/O threads. Authenticate() and the routes are declared in api.h.
//
// Thread-safety: every public method of every class here is safe to call
// concurrently.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace backpack::api {

// The session cookie's name (SPEC §6).
inline constexpr std::string_view kSessionCookie = "backpack_session";

struct SessionOptions {
  int64_t idle_micros = 30 * 60 * kMicrosPerSecond;  // SPEC §6: 30 idle minutes
  bool secure_cookie = false;  // add `Secure` to the cookie (served behind TLS)
};

// Live sessions, in memory only: a server restart signs everyone out. A
// token is 32 random bytes as 64 lowercase hex characters; only its SHA-256
// is kept, so a memory dump does not reveal usable tokens. A session ends
// after `options.idle_micros` without use (measured on the injected clock).
class SessionStore {
 public:
  // `clock` must outlive the store.
  explicit SessionStore(Clock& clock, SessionOptions options = {});

  // Starts a session for `user_id` and returns its token.
  std::string Create(std::string_view user_id);
  // The user id of the live session `token` names, refreshing its idle
  // timer; nullopt for unknown or expired tokens (expired ones are dropped).
  std::optional<std::string> Touch(std::string_view token);
  // Ends the session `token` names; false if there was none.
  bool End(std::string_view token);
  // Ends every session of `user_id` (e.g. the account was disabled).
  void EndAllFor(std::string_view user_id);
  // Live sessions (expired ones are swept first).
  size_t size();

  const SessionOptions& options() const { return options_; }

 private:
  struct Entry {
    std::string user_id;
    int64_t last_used_us = 0;
  };
  // Drops expired sessions. Requires mu_ held.
  void SweepLocked(int64_t now_us);

  Clock& clock_;
  const SessionOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> sessions_;  // SHA-256(token) -> entry; guarded by mu_
  int64_t last_sweep_us_ = 0;                        // guarded by mu_
};

struct LoginLimits {
  size_t max_failures_per_username = 5;
  // Per client address, an IPv6 client's whole /64 counting as one; schools
  // share NAT addresses, so looser than per account.
  size_t max_failures_per_ip = 50;
  int64_t window_micros = 15 * 60 * kMicrosPerSecond;
  size_t max_tracked_keys = 100'000;  // memory bound under a flood of random usernames
};

// Failed-login rate limits per username (case-insensitive) and per client
// address over a sliding window. An attempt is admitted only while both
// keys have fewer failures, counting attempts still being verified, than
// their limit; so a burst of concurrent attempts cannot overshoot it. Keys
// are added only for admitted attempts, and ones without failures in the
// window are swept out once a minute.
class LoginLimiter {
 public:
  // `clock` must outlive the limiter.
  explicit LoginLimiter(Clock& clock, LoginLimits limits = {});

  struct Admission {
    bool admitted = false;
    int64_t retry_after_seconds = 0;  // when refused: until the oldest failure leaves the window
    // When refused: whether this refusal is to be recorded: yes unless one
    // was recorded (RefusalRecorded) for each refusing key (username,
    // address; or the full table) within the window, or is being recorded,
    // so that a flood of refused attempts cannot grow the log without bound.
    // A true here must be followed by RefusalRecorded or RefusalNotRecorded.
    bool record_refusal = false;
  };
  // Reserves a verification slot for (username, ip) if both are under their
  // limits. Every admitted attempt must be closed by exactly one Finish().
  Admission Admit(std::string_view username, std::string_view ip);
  enum class Outcome { kSucceeded, kFailed, kAbandoned };
  // Releases the slot. kFailed counts a failure against both keys;
  // kSucceeded clears the username's failures; kAbandoned (the attempt could
  // not be checked, e.g. the store failed) counts nothing.
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
  // Drops failures older than the window; false if `key` is then unused.
  bool Prune(Key& key, int64_t now_us) const;
  int64_t RetryAfterSeconds(const Key& key, int64_t now_us) const;
  // Whether a refusal recorded at `recorded_at` is within the window.
  bool RecordedWithin(const std::optional<int64_t>& recorded_at, int64_t now_us) const;
  // Whether `key` must be kept: failures in the window, attempts in flight,
  // or a refusal being recorded. Prunes it.
  bool Live(Key& key, int64_t now_us) const;
  // The key `name`, pruned; null if not tracked.
  Key* Find(std::unordered_map<std::string, Key>& map, const std::string& name, int64_t now_us);
  // Starts tracking `name` (not tracked yet); null if `map` is full of live keys.
  Key* Add(std::unordered_map<std::string, Key>& map, const std::string& name, int64_t now_us);
  static bool Refuses(const Key* key, size_t limit);
  Admission Refuse(Key* user, Key* address, int64_t now_us);
  void SweepMap(std::unordered_map<std::string, Key>& map, int64_t now_us);
  // Drops keys that are no longer live, once a minute at most (as
  // SessionStore does). Requires mu_ held.
  void SweepLocked(int64_t now_us);
  void EndRefusalRecording(std::string_view username, std::string_view ip, bool recorded);

  Clock& clock_;
  const LoginLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Key> by_username_;  // guarded by mu_
  std::unordered_map<std::string, Key> by_ip_;        // guarded by mu_
  // The last recorded refusal for want of room to track a key; guarded by mu_.
  std::optional<int64_t> full_refusal_recorded_at_;
  bool full_refusal_pending_ = false;
  int64_t last_sweep_us_ = 0;  // guarded by mu_
};

// A fixed set of threads for blocking work, with a bounded queue so that a
// flood is refused quickly instead of piling up.
class BlockingPool {
 public:
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
