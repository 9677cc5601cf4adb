// Reads whose cost grows with the stored data (a record's history, searches,
// audit reports) are built on the read pool, never on the server's I/O
// threads: while such reads are in progress, cheap requests, sign-ins and
// refusals from other accounts are still answered, and one account may have
// only api::kDefaultReadsPerAccount of them in progress (429 beyond).
//
// The history builds are held by a log whose reads wait at a gate until the
// test opens it, so nothing here depends on timing; the client timeouts are
// only a guard against hanging when the reads do hold up the I/O threads.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "http/api/api.h"
#include "tests/api_test_world.h"
#include "tests/forwarding_log.h"

namespace backpack::api_testing {
namespace {

// How long a request that should not wait may take before the test gives up.
constexpr auto kHangGuard = std::chrono::seconds(30);

// The services' log, swapped in while in scope, whose reads wait while the
// gate is closed. No request may be in flight when it is created or
// destroyed; destruction opens the gate.
class GatedLog final : public testing::ForwardingEventLog {
 public:
  explicit GatedLog(ApiWorld& world)
      : ForwardingEventLog(*world.services().log), world_(world), real_(world.services().log) {
    world_.services().log = this;
  }
  ~GatedLog() override {
    Open();
    world_.services().log = real_;
  }

  Result<LoggedEvent> Read(uint64_t seq) override {
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
      --waiting_;
    }
    return ForwardingEventLog::Read(seq);
  }
  // Waits (up to a minute) until `n` reads wait at the gate.
  bool AwaitWaiting(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::minutes(1), [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  ApiWorld& world_;
  EventLog* real_;
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;    // guarded by mu_
  bool open_ = false;  // guarded by mu_
};

// One request on its own connection; nullopt if no answer came within
// `timeout` (or the connection closed without one).
std::optional<ClientResponse> Request(uint16_t port, std::string_view method,
                                      const std::string& target, const std::string& token,
                                      std::chrono::seconds timeout, const std::string& body = "") {
  http::testing::TestClient client(port, timeout);
  std::string headers;
  if (!token.empty()) headers += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty()) headers += "Content-Type: application/json\r\n";
  if (!client.Send(http::testing::BuildRequest(method, target, body, headers))) {
    return std::nullopt;
  }
  return client.ReadResponse();
}

// A guardian's history reads, each on its own thread, held at `gate`.
// Destruction (also when a check fails) opens the gate and joins them, so
// that none is left reading through the gate's log.
class HeldHistories {
 public:
  HeldHistories(ApiWorld& world, GatedLog& gate, const Account& guardian, int count)
      : gate_(gate), answers_(count) {
    const std::string target = "/api/students/" + world.child + "/history";
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([&world, &guardian, target, this, i] {
        answers_[i] = Request(world.port(), "GET", target, guardian.token, std::chrono::minutes(2));
      });
    }
  }
  ~HeldHistories() { Finish(); }

  // Opens the gate and waits for every answer.
  const std::vector<std::optional<ClientResponse>>& Finish() {
    gate_.Open();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    return answers_;
  }

 private:
  GatedLog& gate_;
  std::vector<std::optional<ClientResponse>> answers_;
  std::vector<std::thread> threads_;
};

std::string ErrorCode(const ClientResponse& response) {
  boost::json::value body = ApiWorld::Json(response);
  return std::string(body.at("error").at("code").as_string());
}

}  // namespace

TEST_CASE("cheap requests, sign-ins and refusals are answered while history builds are held") {
  ApiWorld& world = SharedWorld();
  GatedLog gate(world);
  // As many as one account may have in progress, and as many as the server
  // has I/O threads.
  const int count = static_cast<int>(api::kDefaultReadsPerAccount);
  HeldHistories held(world, gate, world.guardian, count);
  REQUIRE(gate.AwaitWaiting(count));

  auto health = Request(world.port(), "GET", "/healthz", "", kHangGuard);
  REQUIRE(health);
  CHECK(health->status == 200);
  auto me = Request(world.port(), "GET", "/api/me", world.teacher.token, kHangGuard);
  REQUIRE(me);
  CHECK(me->status == 200);
  // A refusal is recorded and answered (an educator may not read a history).
  const std::string history = "/api/students/" + world.child + "/history";
  auto refused = Request(world.port(), "GET", history, world.teacher.token, kHangGuard);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  const std::string credentials = R"({"username":")" + world.teacher.username +
                                  R"(","password":")" + std::string(kTestPassword) + R"("})";
  auto signed_in = Request(world.port(), "POST", "/api/session", "", kHangGuard, credentials);
  REQUIRE(signed_in);
  CHECK(signed_in->status == 201);

  for (const auto& answer : held.Finish()) {
    REQUIRE(answer);
    CHECK(answer->status == 200);
  }
}

TEST_CASE("an account's expensive read beyond its limit in progress gets 429 and reads nothing") {
  ApiWorld& world = SharedWorld();
  const std::string history = "/api/students/" + world.child + "/history";
  {
    GatedLog gate(world);
    const int count = static_cast<int>(api::kDefaultReadsPerAccount);
    HeldHistories held(world, gate, world.guardian, count);
    REQUIRE(gate.AwaitWaiting(count));
    const uint64_t before = world.LogSize();

    auto refused = Request(world.port(), "GET", history, world.guardian.token, kHangGuard);
    REQUIRE(refused);
    CHECK(refused->status == 429);
    CHECK(ErrorCode(*refused) == "too_many_requests");
    CHECK(refused->body.find("in progress") != std::string::npos);
    CHECK(world.LogSize() == before);  // nothing read, nothing recorded

    for (const auto& answer : held.Finish()) {
      REQUIRE(answer);
      CHECK(answer->status == 200);
    }
  }
  // Once they are answered, the account may read again.
  CHECK(world.Call("GET", history, world.guardian.token).status == 200);
}

}  // namespace backpack::api_testing
