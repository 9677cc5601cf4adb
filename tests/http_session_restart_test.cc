// Sign-in sessions across restarts of a real `backpack serve` (SIGTERM, then
// serve again on the same data directory): a session goes on, a signed-out
// one does not come back, nor does one of an account disabled meanwhile or
// one that `backpack sessions clear` ended.
#include <catch2/catch.hpp>
#include <string>

#include "tests/http_harness.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

// A private copy of the demo district, served.
struct Served {
  Served() : data(dir.path() / "data"), server((DemoStore::CopyTo(data), data)) {
    REQUIRE(server.Start());
  }
  void Restart() {
    REQUIRE(server.Stop() == 0);
    REQUIRE(server.Start());
  }
  CliResult Cli(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--data", data.string()});
    return RunBackpack(args);
  }
  int Me(const std::string& token) const {
    auto response = server.Json("GET", "/api/me", token);
    REQUIRE(response);
    return response->status;
  }
  TempDir dir;
  std::filesystem::path data;
  ServerProcess server;
};

TEST_CASE("a session survives a server restart and a signed-out one does not come back") {
  Served s;
  const std::string token = s.server.TokenFor("principal");
  const std::string other = s.server.TokenFor("privacy");
  REQUIRE_FALSE(token.empty());
  REQUIRE_FALSE(other.empty());
  REQUIRE(s.Me(token) == 200);

  s.Restart();
  CHECK(s.Me(token) == 200);
  CHECK(s.Me(other) == 200);
  CHECK_FALSE(AnyFileContains(s.data, token));  // kept as its SHA-256 only
  REQUIRE(s.server.Json("DELETE", "/api/session", token)->status == 204);
  CHECK(s.Me(token) == 401);

  s.Restart();
  CHECK(s.Me(token) == 401);
  CHECK(s.Me(other) == 200);
}

TEST_CASE("a session of an account disabled while the server was stopped ends at restart") {
  Served s;
  const std::string teacher = DemoStore::AnyUserWithRole("educator", "principal");
  const std::string token = s.server.TokenFor(teacher);
  const std::string kept = s.server.TokenFor("principal");
  REQUIRE_FALSE(token.empty());
  REQUIRE(s.server.Stop() == 0);
  CliResult disabled =
      s.Cli({"user", "disable", "--username", teacher, "--reason", "left the district"});
  REQUIRE(disabled.exit_code == 0);
  REQUIRE(s.server.Start());
  auto refused = s.server.Json("GET", "/api/me", token);
  REQUIRE(refused->status == 401);
  CHECK(refused->body.find("not active") != std::string::npos);
  CHECK(s.Me(kept) == 200);
}

TEST_CASE("backpack sessions clear signs everyone out, and only while the server is stopped") {
  Served s;
  const std::string token = s.server.TokenFor("principal");
  const std::string other = s.server.TokenFor("privacy");
  REQUIRE_FALSE(token.empty());
  CliResult busy = s.Cli({"sessions", "clear"});
  CHECK(busy.exit_code == 3);  // the running server holds the store
  CHECK(busy.err.find("in use") != std::string::npos);

  REQUIRE(s.server.Stop() == 0);
  CliResult cleared = s.Cli({"sessions", "clear"});
  REQUIRE(cleared.exit_code == 0);
  CHECK(cleared.out == "cleared 2 sessions\n");
  REQUIRE(s.server.Start());
  CHECK(s.Me(token) == 401);
  CHECK(s.Me(other) == 401);
  CHECK_FALSE(s.server.TokenFor("principal").empty());  // signing in again works
}

}  // namespace
}  // namespace backpack::testing
