#include "http/api/api_auth.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "core/crypto.h"

namespace backpack::api {
namespace {

constexpr int64_t kMinute = 60 * kMicrosPerSecond;
constexpr int64_t kStart = 1'790'000'000'000'000;

// `times` admitted attempts of (username, ip), each failed.
void FailTimes(LoginLimiter& limiter, std::string_view username, std::string_view ip, int times) {
  for (int i = 0; i < times; ++i) {
    REQUIRE(limiter.Admit(username, ip).admitted);
    limiter.Finish(username, ip, LoginLimiter::Outcome::kFailed);
  }
}

TEST_CASE("session tokens are 64 hex characters and unique") {
  REQUIRE(CryptoInit().ok());
  ManualClock clock(kStart);
  SessionStore sessions(clock);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = sessions.Create("usr_a").value();
    REQUIRE(token.size() == 64);
    REQUIRE(token.find_first_not_of("0123456789abcdef") == std::string::npos);
    REQUIRE(seen.insert(token).second);
  }
  REQUIRE(sessions.size() == 100);
}

TEST_CASE("a session ends after 30 idle minutes and use keeps it alive") {
  REQUIRE(CryptoInit().ok());
  ManualClock clock(kStart);
  SessionStore sessions(clock);
  std::string token = sessions.Create("usr_a").value();
  clock.Advance(29 * kMinute);
  REQUIRE(sessions.Touch(token) == std::optional<std::string>("usr_a"));
  clock.Advance(29 * kMinute);  // 58 minutes in, 29 idle
  REQUIRE(sessions.Touch(token).has_value());
  clock.Advance(30 * kMinute);
  REQUIRE_FALSE(sessions.Touch(token).has_value());
  REQUIRE(sessions.size() == 0);
}

TEST_CASE("ended sessions and unknown or malformed tokens authenticate nobody") {
  REQUIRE(CryptoInit().ok());
  ManualClock clock(kStart);
  SessionStore sessions(clock);
  std::string token = sessions.Create("usr_a").value();
  std::string other = sessions.Create("usr_a").value();
  std::string third = sessions.Create("usr_b").value();
  REQUIRE_FALSE(sessions.Touch(std::string(64, '0')).has_value());
  REQUIRE_FALSE(sessions.Touch("").has_value());
  REQUIRE_FALSE(sessions.Touch(token + "0").has_value());
  std::string upper = token;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  if (upper != token) REQUIRE_FALSE(sessions.Touch(upper).has_value());
  REQUIRE(sessions.End(token) == true);
  REQUIRE(sessions.End(token) == false);
  REQUIRE_FALSE(sessions.Touch(token).has_value());
  REQUIRE(sessions.EndAllFor("usr_a").ok());
  REQUIRE_FALSE(sessions.Touch(other).has_value());
  REQUIRE(sessions.Touch(third) == std::optional<std::string>("usr_b"));
}

TEST_CASE("cookies are HttpOnly, SameSite=Strict, and Secure only when configured") {
  SessionOptions plain;
  REQUIRE(SessionCookie("abc", plain) == "backpack_session=abc; HttpOnly; SameSite=Strict; Path=/");
  SessionOptions secure;
  secure.secure_cookie = true;
  REQUIRE(SessionCookie("abc", secure).ends_with("; Secure"));
  REQUIRE(ExpiredSessionCookie(plain).find("Max-Age=0") != std::string::npos);
}

TEST_CASE("the token comes from a bearer header before the cookie") {
  bool from_cookie = true;
  REQUIRE(SessionToken("Bearer abc", "backpack_session=def", &from_cookie) ==
          std::optional<std::string>("abc"));
  REQUIRE_FALSE(from_cookie);
  REQUIRE(SessionToken("bearer  abc ", "", &from_cookie) == std::optional<std::string>("abc"));
  REQUIRE(SessionToken("", "a=1; backpack_session=def; b=2", &from_cookie) ==
          std::optional<std::string>("def"));
  REQUIRE(from_cookie);
  REQUIRE_FALSE(SessionToken("Basic abc", "x_backpack_session=1", &from_cookie).has_value());
  REQUIRE_FALSE(from_cookie);
}

TEST_CASE("five failed logins lock the username at that address for the rest of the window") {
  ManualClock clock(kStart);
  LoginLimiter limiter(clock);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(limiter.Admit("Teacher1", "10.0.0.1").admitted);
    limiter.Finish("Teacher1", "10.0.0.1", LoginLimiter::Outcome::kFailed);
    clock.Advance(kMinute);
  }
  // Usernames are case-insensitive.
  auto refused = limiter.Admit("teacher1", "10.0.0.1");
  REQUIRE_FALSE(refused.admitted);
  REQUIRE(refused.retry_after_seconds == 10 * 60);  // first failure leaves at minute 15
  // Someone else's failures do not lock the account out for its user at
  // another address, nor other accounts at that address.
  REQUIRE(limiter.Admit("teacher1", "10.0.0.2").admitted);
  limiter.Finish("teacher1", "10.0.0.2", LoginLimiter::Outcome::kSucceeded);
  REQUIRE(limiter.Admit("teacher2", "10.0.0.1").admitted);
  clock.Advance(10 * kMinute);
  REQUIRE(limiter.Admit("teacher1", "10.0.0.1").admitted);
}

TEST_CASE("an IPv6 client's failures for a username count at its whole /64") {
  ManualClock clock(kStart);
  LoginLimiter limiter(clock);
  for (int i = 0; i < 5; ++i)
    FailTimes(limiter, "teacher1", "2001:db8:1:2::" + std::to_string(i), 1);
  CHECK_FALSE(limiter.Admit("teacher1", "2001:db8:1:2:ffff::9").admitted);
  CHECK(limiter.Admit("teacher1", "2001:db8:1:3::1").admitted);  // another /64
}

TEST_CASE("a username's failures over every address reach a ceiling that refuses it anywhere") {
  ManualClock clock(kStart);
  LoginLimiter limiter(clock);  // the defaults: 5 per address, 100 in all
  // 99 failures from 20 addresses, none of them locked at 5 on its own.
  for (int i = 0; i < 20; ++i)
    FailTimes(limiter, "Principal", "10.1.0." + std::to_string(i), i < 19 ? 5 : 4);
  // The real user's sign-in clears their own address's failures, not the ceiling.
  REQUIRE(limiter.Admit("principal", "10.2.0.1").admitted);
  limiter.Finish("principal", "10.2.0.1", LoginLimiter::Outcome::kSucceeded);
  FailTimes(limiter, "principal", "10.1.0.19", 1);  // the 100th
  auto refused = limiter.Admit("principal", "10.2.0.1");
  REQUIRE_FALSE(refused.admitted);
  CHECK(refused.retry_after_seconds == 15 * 60);
  CHECK(refused.record_refusal);
  limiter.RefusalRecorded("principal", "10.2.0.1");
  // Refused from every fresh address, and recorded once in the window.
  for (int i = 0; i < 20; ++i) {
    auto again = limiter.Admit("principal", "10.3.0." + std::to_string(i));
    REQUIRE_FALSE(again.admitted);
    CHECK_FALSE(again.record_refusal);
  }
  CHECK(limiter.Admit("privacy", "10.3.0.1").admitted);  // other accounts are unaffected
  clock.Advance(15 * kMinute);
  CHECK(limiter.Admit("principal", "10.3.0.1").admitted);
}

TEST_CASE("only the first refusal of a locked key in a window is to be recorded") {
  ManualClock clock(kStart);
  LoginLimiter limiter(clock);
  FailTimes(limiter, "teacher1", "10.0.0.1", 5);
  CHECK(limiter.Admit("teacher1", "10.0.0.1").record_refusal);
  // While that one is being recorded, attempts arriving with it ask for none.
  CHECK_FALSE(limiter.Admit("teacher1", "10.0.0.1").record_refusal);
  CHECK_FALSE(limiter.Admit("teacher1", "10.0.0.1").record_refusal);
  // If its append failed, the next refusal asks again.
  limiter.RefusalNotRecorded("teacher1", "10.0.0.1");
  CHECK(limiter.Admit("teacher1", "10.0.0.1").record_refusal);
  limiter.RefusalRecorded("teacher1", "10.0.0.1");
  for (int i = 0; i < 20; ++i) {
    auto refused = limiter.Admit("teacher1", "10.0.0.1");
    REQUIRE_FALSE(refused.admitted);
    CHECK_FALSE(refused.record_refusal);
  }
  clock.Advance(14 * kMinute);  // still locked, and the window since the record has not passed
  CHECK_FALSE(limiter.Admit("teacher1", "10.0.0.1").record_refusal);
  // Five fresh failures a window later lock it again: that refusal is recorded.
  clock.Advance(2 * kMinute);
  FailTimes(limiter, "teacher1", "10.0.0.1", 5);
  CHECK(limiter.Admit("teacher1", "10.0.0.1").record_refusal);
}

TEST_CASE("refusals for want of room to track a key are recorded once a window too") {
  ManualClock clock(kStart);
  LoginLimits limits;
  limits.max_tracked_keys = 2;
  LoginLimiter limiter(clock, limits);
  REQUIRE(limiter.Admit("a", "10.0.0.1").admitted);  // both tables now hold live keys
  REQUIRE(limiter.Admit("b", "10.0.0.2").admitted);
  auto full = limiter.Admit("c", "10.0.0.3");
  REQUIRE_FALSE(full.admitted);
  CHECK(full.record_refusal);
  limiter.RefusalRecorded("c", "10.0.0.3");
  CHECK_FALSE(limiter.Admit("d", "10.0.0.4").record_refusal);
  clock.Advance(16 * kMinute);
  CHECK(limiter.Admit("e", "10.0.0.5").record_refusal);
}

TEST_CASE("refused attempts add no username to the limiter, and expired ones are swept") {
  ManualClock clock(kStart);
  LoginLimits limits;
  limits.max_failures_per_ip = 3;
  LoginLimiter limiter(clock, limits);
  for (int i = 0; i < 3; ++i) FailTimes(limiter, "known" + std::to_string(i), "10.0.0.1", 1);
  REQUIRE(limiter.tracked_usernames() == 3);
  // The address is refused: a flood of new usernames from it leaves no trace.
  for (int i = 0; i < 1000; ++i) {
    REQUIRE_FALSE(limiter.Admit("random" + std::to_string(i), "10.0.0.1").admitted);
  }
  CHECK(limiter.tracked_usernames() == 3);
  // Once their failures have left the window, the next call sweeps them out.
  clock.Advance(16 * kMinute);
  REQUIRE(limiter.Admit("fresh", "10.0.0.2").admitted);
  CHECK(limiter.tracked_usernames() == 1);  // "fresh", in flight
  limiter.Finish("fresh", "10.0.0.2", LoginLimiter::Outcome::kSucceeded);
  CHECK(limiter.tracked_usernames() == 0);
}

TEST_CASE("a success clears the username's failures at that address but not the address's") {
  ManualClock clock(kStart);
  LoginLimits limits;
  limits.max_failures_per_ip = 6;
  LoginLimiter limiter(clock, limits);
  FailTimes(limiter, "u", "ip", 4);
  REQUIRE(limiter.Admit("u", "ip").admitted);
  limiter.Finish("u", "ip", LoginLimiter::Outcome::kSucceeded);
  FailTimes(limiter, "u", "ip", 2);
  REQUIRE_FALSE(limiter.Admit("someone_else", "ip").admitted);
}

TEST_CASE("attempts in flight count, so a concurrent burst cannot overshoot the limit") {
  ManualClock clock(kStart);
  LoginLimiter limiter(clock);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.Admit("u", "ip").admitted);
  REQUIRE_FALSE(limiter.Admit("u", "ip").admitted);
  for (int i = 0; i < 5; ++i) limiter.Finish("u", "ip", LoginLimiter::Outcome::kAbandoned);
  REQUIRE(limiter.Admit("u", "ip").admitted);
}

TEST_CASE("attempts in flight from many addresses count towards the username's ceiling") {
  ManualClock clock(kStart);
  LoginLimits limits;
  limits.max_failures_per_username = 3;
  LoginLimiter limiter(clock, limits);
  for (int i = 0; i < 3; ++i) REQUIRE(limiter.Admit("u", "10.0.0." + std::to_string(i)).admitted);
  REQUIRE_FALSE(limiter.Admit("u", "10.0.0.9").admitted);
  limiter.Finish("u", "10.0.0.0", LoginLimiter::Outcome::kAbandoned);
  REQUIRE(limiter.Admit("u", "10.0.0.9").admitted);
}

TEST_CASE("failures from one address across many usernames lock the address") {
  ManualClock clock(kStart);
  LoginLimits limits;
  limits.max_failures_per_ip = 20;
  LoginLimiter limiter(clock, limits);
  for (int i = 0; i < 20; ++i) {
    std::string user = "user" + std::to_string(i);
    REQUIRE(limiter.Admit(user, "10.9.9.9").admitted);
    limiter.Finish(user, "10.9.9.9", LoginLimiter::Outcome::kFailed);
  }
  REQUIRE_FALSE(limiter.Admit("fresh", "10.9.9.9").admitted);
  REQUIRE(limiter.Admit("fresh", "10.9.9.10").admitted);
}

TEST_CASE("an IPv6 client's failures count against its whole /64") {
  ManualClock clock(kStart);
  LoginLimits limits;
  limits.max_failures_per_ip = 20;
  LoginLimiter limiter(clock, limits);
  for (int i = 0; i < 20; ++i) {
    // A new address of the same /64 for every attempt.
    std::string ip = "2001:db8:1:2::" + std::to_string(i + 1);
    std::string user = "user" + std::to_string(i);
    REQUIRE(limiter.Admit(user, ip).admitted);
    limiter.Finish(user, ip, LoginLimiter::Outcome::kFailed);
  }
  CHECK_FALSE(limiter.Admit("fresh", "2001:db8:1:2:ffff::9").admitted);
  CHECK(limiter.Admit("fresh", "2001:db8:1:3::1").admitted);  // another /64
  // An IPv4-mapped address counts as its IPv4 address.
  for (int i = 0; i < 20; ++i) {
    std::string user = "v4user" + std::to_string(i);
    REQUIRE(limiter.Admit(user, "10.1.1.1").admitted);
    limiter.Finish(user, "10.1.1.1", LoginLimiter::Outcome::kFailed);
  }
  CHECK_FALSE(limiter.Admit("fresh2", "::ffff:10.1.1.1").admitted);
}

TEST_CASE("the limiter's memory is bounded under a flood of usernames") {
  ManualClock clock(kStart);
  LoginLimits limits;
  limits.max_tracked_keys = 100;
  limits.max_failures_per_ip = 1'000'000;
  LoginLimiter limiter(clock, limits);
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string user = "flood" + std::to_string(i);
    if (limiter.Admit(user, "ip").admitted) {
      ++admitted;
      limiter.Finish(user, "ip", LoginLimiter::Outcome::kFailed);
    }
  }
  REQUIRE(admitted < 200);  // untrackable attempts are refused, not waved through
  clock.Advance(16 * kMinute);
  REQUIRE(limiter.Admit("later", "ip").admitted);
}

TEST_CASE("the blocking pool runs work off the caller's thread and drains on shutdown") {
  BlockingPool pool(2);
  std::atomic<int> done{0};
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> ran_elsewhere{true};
  for (int i = 0; i < 50; ++i) {
    REQUIRE(pool.Submit([&] {
      if (std::this_thread::get_id() == caller) ran_elsewhere = false;
      ++done;
    }));
  }
  pool.Shutdown();
  REQUIRE(done == 50);
  REQUIRE(ran_elsewhere);
  REQUIRE_FALSE(pool.Submit([] {}));
}

TEST_CASE("the blocking pool refuses work beyond its queue bound") {
  // Declared before the pool, which joins its thread on destruction.
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  BlockingPool pool(1, 2);
  // Lets the busy work end however the test ends (a failed REQUIRE too), so
  // that the pool's destructor does not wait for it forever.
  struct Releaser {
    std::atomic<bool>& release;
    ~Releaser() { release = true; }
  } releaser{release};
  REQUIRE(pool.Submit([&] {
    started = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!started && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(started);
  REQUIRE(pool.Submit([] {}));
  REQUIRE(pool.Submit([] {}));
  REQUIRE_FALSE(pool.Submit([] {}));
}

}  // namespace
}  // namespace backpack::api
