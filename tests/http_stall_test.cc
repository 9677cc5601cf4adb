// A disk that hangs instead of failing, seen through the HTTP API (SPEC §2.3,
// §6): /healthz and backpack_audit_available turn unavailable, an audited
// read waiting for its access event answers 503 audit_unavailable without
// data once the wait limit passes, and the server recovers when the disk
// does. And at shutdown, no append's completion outlives the API's state.
// The stall is injected by a store whose WAL syncs hang (stalling_store.h).
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <thread>

#include "tests/api_test_world.h"
#include "tests/forwarding_log.h"
#include "tests/stalling_store.h"

namespace backpack::api_testing {
namespace {

using testing::StallingSyncStore;

// A world whose store's syncs can be made to hang, with short stall limits.
ApiWorldOptions StallableWorld(StallingSyncStore** store, std::chrono::milliseconds wait_limit,
                               std::chrono::milliseconds stop_timeout = std::chrono::seconds(10)) {
  ApiWorldOptions options;
  options.domain.wrap_store = [store](Store& real) {
    auto stalling = std::make_unique<StallingSyncStore>(real);
    *store = stalling.get();
    return stalling;
  };
  options.domain.log.stalled_sync_after = std::chrono::milliseconds(200);
  options.domain.log.durability_wait_limit = wait_limit;
  options.stop_timeout = stop_timeout;
  return options;
}

// Releases the stall when a failed check ends the test early, so that
// neither a request's thread nor the log's destructor waits on it forever.
struct ReleaseAtEnd {
  StallingSyncStore*& store;
  ~ReleaseAtEnd() {
    if (store) store->Release();
  }
};

// Polls `done` every 10 ms for up to a minute.
template <typename Pred>
bool Eventually(Pred done) {
  for (int i = 0; i < 6000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// One request on its own connection, for another thread; nullopt if the
// connection closed without an answer.
std::optional<ClientResponse> Request(uint16_t port, const std::string& target,
                                      const std::string& token) {
  http::testing::TestClient client(port, std::chrono::minutes(2));
  if (!client.Send(http::testing::BuildRequest("GET", target, "",
                                               "Authorization: Bearer " + token + "\r\n"))) {
    return std::nullopt;
  }
  return client.ReadResponse();
}

// The value of an unlabelled metric in a Prometheus exposition; -1 if absent.
double MetricValue(const std::string& exposition, const std::string& name) {
  const std::string line_start = "\n" + name + " ";
  const size_t at = exposition.find(line_start);
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + line_start.size()));
}

void CheckNoStudentData(const ClientResponse& response, const std::string& student) {
  CHECK(response.status == 503);
  CHECK(response.body.find("audit_unavailable") != std::string::npos);
  CHECK(response.body.find(student) == std::string::npos);
  CHECK(response.body.find("\"student\"") == std::string::npos);
}

}  // namespace

TEST_CASE("a stalled disk turns healthz 503 and a waiting read into 503 without data") {
  StallingSyncStore* store = nullptr;
  ApiWorld world(StallableWorld(&store, std::chrono::milliseconds(1500)));
  REQUIRE(store != nullptr);
  ReleaseAtEnd release{store};
  const std::string profile = "/api/students/" + world.child + "/profile";
  REQUIRE(world.Call("GET", profile, world.principal.token).status == 200);
  REQUIRE(world.Call("GET", "/healthz", "").status == 200);

  store->Stall();
  std::optional<ClientResponse> waited;
  std::jthread reader([&] { waited = Request(world.port(), profile, world.principal.token); });
  REQUIRE(Eventually([&] { return store->hanging() == 1; }));  // its event's sync hangs

  // Well before the read gives up, the health check and the metric say so.
  ClientResponse health;
  REQUIRE(Eventually([&] {
    health = world.Call("GET", "/healthz", "");
    return health.status == 503;
  }));
  const boost::json::value body = ApiWorld::Json(health);
  CHECK(body.at("status") == "failing");
  CHECK(body.at("audit") == "unavailable");
  CHECK(body.at("reason").as_string().find("stalled") != std::string::npos);
  CHECK(MetricValue(world.Call("GET", "/metrics", "").body, "backpack_audit_available") == 0);
  // A new read is refused at once rather than queued behind the stall.
  CheckNoStudentData(world.Call("GET", profile, world.principal.token), world.child);

  reader.join();  // the wait limit has passed
  REQUIRE(waited);
  CheckNoStudentData(*waited, world.child);

  store->Release();
  REQUIRE(Eventually([&] { return world.Call("GET", "/healthz", "").status == 200; }));
  CHECK(MetricValue(world.Call("GET", "/metrics", "").body, "backpack_audit_available") == 1);
  ClientResponse again = world.Call("GET", profile, world.principal.token);
  CHECK(again.status == 200);
  CHECK(again.body.find(world.child) != std::string::npos);
}

namespace {

// The real log, except that an append's completion that would run after
// `state_gone` is counted and dropped (running it would use freed state).
class GuardedLog final : public testing::ForwardingEventLog {
 public:
  using ForwardingEventLog::ForwardingEventLog;
  std::atomic<bool> state_gone{false};
  std::atomic<int> completed{0};
  std::atomic<int> late{0};

  void AppendAsync(std::vector<NewEvent> events,
                   std::function<void(Result<AppendResult>)> done) override {
    ForwardingEventLog::AppendAsync(std::move(events),
                                    [this, done = std::move(done)](Result<AppendResult> r) {
                                      if (state_gone) {
                                        ++late;
                                        return;
                                      }
                                      done(std::move(r));
                                      ++completed;
                                    });
  }
};

}  // namespace

TEST_CASE("no append completion runs after the API state is gone at shutdown") {
  StallingSyncStore* store = nullptr;
  ApiWorld world(
      StallableWorld(&store, std::chrono::milliseconds(1000), std::chrono::milliseconds(20)));
  ReleaseAtEnd release{store};
  EventLog* real = world.services().log;
  GuardedLog guarded(*real);
  world.services().log = &guarded;

  // A history export's completion produces the bundle on the blocking pool.
  store->Stall();
  const std::string target = "/api/students/" + world.child + "/history/export";
  std::jthread exporter([&] { Request(world.port(), target, world.privacy.token); });
  REQUIRE(Eventually([&] { return store->hanging() == 1; }));

  // Torn down as `backpack serve` does, while the export waits on the disk:
  // the server gives up on its connection after 20 ms.
  world.EndServing();
  guarded.state_gone = true;
  store->Release();
  exporter.join();
  real->Drain();  // whatever the log still owed has been answered now
  CHECK(guarded.late == 0);
  CHECK(guarded.completed == 1);
  world.services().log = real;
}

}  // namespace backpack::api_testing
