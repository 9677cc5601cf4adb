// LoginLimiter, BlockingPool and the cookie helpers (SessionStore is in
// session_store.cc).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/threads.h"
#include "http/api/api_auth.h"
#include "http/request.h"

namespace backpack::api {
namespace {

// The key an address's failures count under: an IPv6 address's /64 (one
// host is usually given a whole /64, so counting single addresses would let
// it rotate through them), the IPv4 address of an IPv4-mapped one, any
// other address as written.
std::string AddressKey(std::string_view ip) {
  in6_addr v6{};
  const std::string text(ip);
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    char v4[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &v6.s6_addr[12], v4, sizeof v4);
    return v4;
  }
  std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), 0);
  char prefix[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &v6, prefix, sizeof prefix);
  return std::string(prefix) + "/64";
}

// How often LoginLimiter forgets keys without failures at most.
constexpr int64_t kSweepEveryMicros = 60 * kMicrosPerSecond;

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string SessionCookie(std::string_view token, const SessionOptions& options) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(token) +
                       "; HttpOnly; SameSite=Strict; Path=/";
  if (options.secure_cookie) cookie += "; Secure";
  return cookie;
}

std::string ExpiredSessionCookie(const SessionOptions& options) {
  std::string cookie =
      std::string(kSessionCookie) + "=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/";
  if (options.secure_cookie) cookie += "; Secure";
  return cookie;
}

std::optional<std::string> SessionToken(std::string_view authorization,
                                        std::string_view cookie_header, bool* from_cookie) {
  *from_cookie = false;
  authorization = http::TrimBlanks(authorization);
  if (authorization.size() > 7 && Lowercase(authorization.substr(0, 7)) == "bearer ") {
    return std::string(http::TrimBlanks(authorization.substr(7)));
  }
  while (!cookie_header.empty()) {
    size_t end = cookie_header.find(';');
    std::string_view pair = http::TrimBlanks(cookie_header.substr(0, end));
    cookie_header = end == std::string_view::npos ? "" : cookie_header.substr(end + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || http::TrimBlanks(pair.substr(0, eq)) != kSessionCookie)
      continue;
    *from_cookie = true;
    return std::string(http::TrimBlanks(pair.substr(eq + 1)));
  }
  return std::nullopt;
}

// ---- LoginLimiter -----------------------------------------------------------

LoginLimiter::LoginLimiter(Clock& clock, LoginLimits limits) : clock_(clock), limits_(limits) {}

LoginLimiter::Counters LoginLimiter::CountersFor(std::string_view username, std::string_view ip) {
  std::string user_key = Lowercase(username);
  std::string ip_key = AddressKey(ip);
  std::string pair_key = std::to_string(ip_key.size()) + ":" + ip_key + user_key;
  return {{
      {&by_username_and_ip_, std::move(pair_key), limits_.max_failures_per_username_and_ip, true},
      {&by_username_, std::move(user_key), limits_.max_failures_per_username, false},
      {&by_ip_, std::move(ip_key), limits_.max_failures_per_ip, false},
  }};
}

bool LoginLimiter::Prune(Key& key, int64_t now_us) const {
  while (!key.failures.empty() && now_us - key.failures.front() >= limits_.window_micros) {
    key.failures.pop_front();
  }
  return !key.failures.empty() || key.in_flight > 0;
}

int64_t LoginLimiter::RetryAfterSeconds(const Key& key, int64_t now_us) const {
  if (key.failures.empty()) return 1;  // only attempts in flight: try again shortly
  int64_t wait_us = key.failures.front() + limits_.window_micros - now_us;
  return std::max<int64_t>(1, (wait_us + kMicrosPerSecond - 1) / kMicrosPerSecond);
}

LoginLimiter::Key* LoginLimiter::Find(KeyMap& map, const std::string& name, int64_t now_us) {
  auto it = map.find(name);
  if (it == map.end()) return nullptr;
  Prune(it->second, now_us);
  return &it->second;
}

LoginLimiter::Key* LoginLimiter::Add(KeyMap& map, const std::string& name, int64_t now_us) {
  if (map.size() >= limits_.max_tracked_keys) {
    SweepMap(map, now_us);
    if (map.size() >= limits_.max_tracked_keys) return nullptr;
  }
  return &map[name];
}

bool LoginLimiter::AddMissing(const Counters& counters, Keys& keys, int64_t now_us) {
  std::array<bool, kCounters> added{};
  for (size_t i = 0; i < kCounters; ++i) {
    if (keys[i] != nullptr) continue;
    keys[i] = Add(*counters[i].map, counters[i].name, now_us);
    if (keys[i] == nullptr) {
      for (size_t j = 0; j < i; ++j) {
        if (added[j]) counters[j].map->erase(counters[j].name);  // unused: added just now
      }
      return false;
    }
    added[i] = true;
  }
  return true;
}

bool LoginLimiter::Live(Key& key, int64_t now_us) const {
  return Prune(key, now_us) || key.refusal_pending;
}

void LoginLimiter::SweepMap(KeyMap& map, int64_t now_us) {
  for (auto it = map.begin(); it != map.end();) {
    it = Live(it->second, now_us) ? std::next(it) : map.erase(it);
  }
}

void LoginLimiter::SweepLocked(int64_t now_us) {
  if (last_sweep_us_ != 0 && now_us - last_sweep_us_ < kSweepEveryMicros) return;
  last_sweep_us_ = now_us;
  for (KeyMap* map : {&by_username_and_ip_, &by_username_, &by_ip_}) SweepMap(*map, now_us);
}

bool LoginLimiter::Refuses(const Key* key, size_t limit) {
  return key != nullptr && key->failures.size() + key->in_flight >= limit;
}

LoginLimiter::Admission LoginLimiter::Admit(std::string_view username, std::string_view ip) {
  const int64_t now = clock_.NowMicros();
  const Counters counters = CountersFor(username, ip);  // names only: no lock needed
  std::lock_guard lock(mu_);
  SweepLocked(now);
  // Only looked up: a refused attempt adds no key (a flood of random
  // usernames from a refused address must not grow the tables).
  Keys keys{};
  Keys refusing{};
  bool refused = false;
  for (size_t i = 0; i < kCounters; ++i) {
    keys[i] = Find(*counters[i].map, counters[i].name, now);
    if (Refuses(keys[i], counters[i].limit)) {
      refusing[i] = keys[i];
      refused = true;
    }
  }
  if (refused) return Refuse(refusing, now);
  // Untrackable (a table full of live keys): refuse rather than go unlimited.
  if (!AddMissing(counters, keys, now)) return RefuseUntrackable(now);
  for (Key* key : keys) ++key->in_flight;
  return Admission{true, 0};
}

// A refusal by the keys in `refusing` is to be recorded unless one was
// within the window, or one is being recorded (attempts that arrive
// together ask once).
LoginLimiter::Admission LoginLimiter::Refuse(const Keys& refusing, int64_t now_us) {
  int64_t retry = 0;
  bool record = false;
  for (Key* key : refusing) {
    if (key == nullptr) continue;
    retry = std::max(retry, RetryAfterSeconds(*key, now_us));
    if (!key->refusal_pending && !RecordedWithin(key->refusal_recorded_at, now_us)) record = true;
  }
  if (record) {
    for (Key* key : refusing) {
      if (key) key->refusal_pending = true;
    }
  }
  return Admission{false, retry, record};
}

LoginLimiter::Admission LoginLimiter::RefuseUntrackable(int64_t now_us) {
  const bool record = !full_refusal_pending_ && !RecordedWithin(full_refusal_recorded_at_, now_us);
  if (record) full_refusal_pending_ = true;
  return Admission{false, 60, record};
}

void LoginLimiter::RefusalRecorded(std::string_view username, std::string_view ip) {
  EndRefusalRecording(username, ip, /*recorded=*/true);
}

void LoginLimiter::RefusalNotRecorded(std::string_view username, std::string_view ip) {
  EndRefusalRecording(username, ip, /*recorded=*/false);
}

void LoginLimiter::EndRefusalRecording(std::string_view username, std::string_view ip,
                                       bool recorded) {
  const int64_t now = clock_.NowMicros();
  const Counters counters = CountersFor(username, ip);
  std::lock_guard lock(mu_);
  bool by_key = false;  // refused by a key's own limit, not for want of room
  for (const Counter& counter : counters) {
    auto it = counter.map->find(counter.name);
    if (it == counter.map->end() || !it->second.refusal_pending) continue;
    by_key = true;
    it->second.refusal_pending = false;
    if (recorded) it->second.refusal_recorded_at = now;
  }
  if (!by_key && full_refusal_pending_) {
    full_refusal_pending_ = false;
    if (recorded) full_refusal_recorded_at_ = now;
  }
}

size_t LoginLimiter::tracked_usernames() {
  std::lock_guard lock(mu_);
  return by_username_.size();
}

bool LoginLimiter::RecordedWithin(const std::optional<int64_t>& recorded_at, int64_t now_us) const {
  return recorded_at && now_us - *recorded_at < limits_.window_micros;
}

void LoginLimiter::Finish(std::string_view username, std::string_view ip, Outcome outcome) {
  const int64_t now = clock_.NowMicros();
  const Counters counters = CountersFor(username, ip);
  std::lock_guard lock(mu_);
  SweepLocked(now);
  for (const Counter& counter : counters) {
    auto it = counter.map->find(counter.name);
    if (it == counter.map->end()) continue;
    Key& key = it->second;
    if (key.in_flight > 0) --key.in_flight;
    if (outcome == Outcome::kFailed) key.failures.push_back(now);
    if (outcome == Outcome::kSucceeded && counter.cleared_by_success) key.failures.clear();
    if (!Live(key, now)) counter.map->erase(it);
  }
}

// ---- BlockingPool -----------------------------------------------------------

BlockingPool::BlockingPool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  StartThreads(
      threads_, std::max<size_t>(1, threads), [this](size_t) { Loop(); },
      [this](size_t) { RequestStop(); });
}

BlockingPool::~BlockingPool() { Shutdown(); }

void BlockingPool::RequestStop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

bool BlockingPool::Submit(std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(work));
  }
  cv_.notify_one();
  return true;
}

void BlockingPool::Shutdown() {
  RequestStop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

size_t BlockingPool::queued() {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void BlockingPool::Loop() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      work();
    } catch (...) {
      spdlog::error("blocking pool: a task threw; dropped");
    }
  }
}

}  // namespace backpack::api
