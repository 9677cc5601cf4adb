#include "http/internal/connection_tracker.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

namespace backpack::http::internal {
namespace {

class NullConnection : public Connection {
 public:
  void Shutdown(bool) override {}
};

TEST_CASE("the tracker caps connections per client address and in all") {
  auto connection = std::make_shared<NullConnection>();
  ConnectionTracker tracker(5, 2);
  CHECK(tracker.Add(connection, "192.0.2.1") != 0);
  const uint64_t second = tracker.Add(connection, "192.0.2.1");
  CHECK(second != 0);
  CHECK(tracker.Full("192.0.2.1"));
  CHECK(tracker.Add(connection, "192.0.2.1") == 0);
  tracker.Remove(second);
  CHECK_FALSE(tracker.Full("192.0.2.1"));
  CHECK(tracker.Add(connection, "192.0.2.1") != 0);
  CHECK(tracker.Add(connection, "192.0.2.2") != 0);
  CHECK(tracker.Add(connection, "192.0.2.2") != 0);
  CHECK(tracker.Add(connection, "192.0.2.3") != 0);
  CHECK(tracker.Full("192.0.2.4"));  // five in all
  CHECK(tracker.size() == 5);
}

TEST_CASE("an uncapped client address has only the overall cap") {
  auto connection = std::make_shared<NullConnection>();
  ConnectionTracker tracker(6, 1, [](const std::string& ip) { return ip == "127.0.0.1"; });
  std::vector<uint64_t> proxied;
  for (int i = 0; i < 5; ++i) {
    INFO(i);
    CHECK_FALSE(tracker.Full("127.0.0.1"));
    proxied.push_back(tracker.Add(connection, "127.0.0.1"));
    CHECK(proxied.back() != 0);
  }
  // Others keep their cap, and the uncapped address's connections count in all.
  CHECK(tracker.Add(connection, "192.0.2.1") != 0);
  CHECK(tracker.Full("192.0.2.2"));
  CHECK(tracker.Full("127.0.0.1"));
  CHECK(tracker.Add(connection, "127.0.0.1") == 0);
  for (uint64_t id : proxied) tracker.Remove(id);
  CHECK(tracker.size() == 1);
  CHECK(tracker.Full("192.0.2.1"));
  CHECK_FALSE(tracker.Full("127.0.0.1"));
}

}  // namespace
}  // namespace backpack::http::internal
