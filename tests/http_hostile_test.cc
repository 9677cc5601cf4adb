// Invariant 7 over HTTP: hostile requests get a clear 4xx (or a closed
// connection) and never crash `backpack serve`; stalled clients cannot
// starve real users.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>

#include "tests/http_harness.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

using http::testing::BuildRequest;
using http::testing::TestClient;

struct Served {
  Served() : data(dir.path() / "data"), server((DemoStore::CopyTo(data), data)) {
    REQUIRE(server.Start());
  }
  TempDir dir;
  std::filesystem::path data;
  ServerProcess server;
};

// Sends raw bytes; the status of the response, or 0 if the server closed
// the connection without one.
int RawStatus(const ServerProcess& server, const std::string& bytes) {
  TestClient client(server.port(), std::chrono::milliseconds(15'000));
  REQUIRE(client.connected());
  client.Send(bytes);  // may fail part-way once the server has answered and closed
  auto response = client.ReadResponse();
  return response ? response->status : 0;
}

std::string NestedLogin(int depth) {
  return R"({"username":"principal","password":)" + std::string(depth, '[') +
         std::string(depth, ']') + "}";
}

TEST_CASE("oversized headers, URLs and bodies are refused with 431 or 413") {
  Served s;
  const std::string big_header = "X-Filler: " + std::string(20 * 1024, 'a') + "\r\n";
  CHECK(RawStatus(s.server, BuildRequest("GET", "/healthz", "", big_header)) == 431);
  const std::string long_url = "/api/students?q=" + std::string(64 * 1024, 'q');
  CHECK(RawStatus(s.server, BuildRequest("GET", long_url)) == 431);
  std::string many_headers;
  for (int i = 0; i < 2000; ++i) many_headers += "X-H" + std::to_string(i) + ": v\r\n";
  CHECK(RawStatus(s.server, BuildRequest("GET", "/healthz", "", many_headers)) == 431);

  const std::string two_mib(2 * 1024 * 1024, 'x');
  CHECK(RawStatus(s.server, BuildRequest("POST", "/api/session", two_mib,
                                         "Content-Type: application/json\r\n")) == 413);
  // Chunked, so the size is known only while reading.
  std::string chunked =
      "POST /api/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: application/json\r\n\r\n";
  for (int i = 0; i < 40; ++i) chunked += "10000\r\n" + std::string(0x10000, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  CHECK(RawStatus(s.server, chunked) == 413);
  CHECK(s.server.Healthy());
}

TEST_CASE("malformed JSON, deep nesting and invalid UTF-8 get 400") {
  Served s;
  auto deep = s.server.Json("POST", "/api/session", "", NestedLogin(100'000));
  REQUIRE(deep);
  CHECK(deep->status == 400);
  CHECK(deep->body.find("bad_request") != std::string::npos);

  const std::string bad_utf8 = "{\"username\":\"princ\xC3\x28pal\",\"password\":\"\xFF\xFE\"}";
  CHECK(s.server.Json("POST", "/api/session", "", bad_utf8)->status == 400);
  const std::string overlong = "{\"username\":\"\xC0\xAF\",\"password\":\"abcdefghijkl\"}";
  CHECK(s.server.Json("POST", "/api/session", "", overlong)->status == 400);
  CHECK(s.server.Json("POST", "/api/session", "", std::string("{\"username\":\"a\0b\"", 18))
            ->status == 400);

  std::string token = s.server.TokenFor("principal");
  REQUIRE_FALSE(token.empty());
  auto deep_note = s.server.Json("POST", "/api/students/stu_00000000000000000000/notes", token,
                                 R"({"kind":"other","restricted":false,"text":)" +
                                     std::string(50'000, '[') + std::string(50'000, ']') + "}");
  REQUIRE(deep_note);
  CHECK(deep_note->status >= 400);
  CHECK(deep_note->status < 500);
  CHECK(s.server.Healthy());
}

TEST_CASE("path traversal and hostile paths get 400 or 404, never data") {
  Served s;
  std::string token = s.server.TokenFor("principal");
  REQUIRE_FALSE(token.empty());
  const std::vector<std::string> targets = {"/api/students/..%2f..%2fetc%2fpasswd/profile",
                                            "/api/students/..%2f../profile",
                                            "/api/students/%2e%2e/profile",
                                            "/api/students/..",
                                            "/api/students/../../etc/passwd",
                                            "/api/students/%00/profile",
                                            "/api/students/stu_1%0d%0aX-Injected:%201/profile",
                                            "/api/students/%ff%fe/profile",
                                            "/api/students/%zz/profile",
                                            "//api//students",
                                            "/api/students/" + std::string(300, 'a') + "/profile",
                                            "/%2e%2e/%2e%2e/etc/passwd"};
  for (const std::string& target : targets) {
    auto response = s.server.Json("GET", target, token);
    INFO(target);
    REQUIRE(response);
    CHECK((response->status == 400 || response->status == 404));
    CHECK(response->Header("x-injected").empty());
  }
  CHECK(RawStatus(s.server, "GET ../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  // An absolute-form target's authority is ignored (RFC 9112 §3.2.2): it reaches the
  // route of its path ("http://evil/" the public web page, which holds no data).
  CHECK(RawStatus(s.server, "GET http://evil/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n") == 404);
  CHECK(s.server.Healthy());
}

TEST_CASE("garbage on the wire is answered 400 or dropped, and the server stays up") {
  Served s;
  for (const std::string& bytes :
       {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello
        std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
        std::string("POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")}) {
    int status = RawStatus(s.server, bytes);
    CHECK((status == 0 || (status >= 400 && status < 500)));
  }
  CHECK(s.server.Healthy());
}

TEST_CASE("200 stalled connections do not keep a real user from getting answers") {
  Served s;
  std::vector<std::unique_ptr<TestClient>> stalled;
  for (int i = 0; i < 200; ++i) {
    auto client = std::make_unique<TestClient>(s.server.port());
    REQUIRE(client->connected());
    // Half a header, and never the rest: a slowloris client.
    REQUIRE(client->Send("GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
    stalled.push_back(std::move(client));
  }
  // The stalled connections stay open until serve's header timeout (30 s)
  // cuts them off: a server they starved would answer only then, beyond
  // either bound.
  const auto stalled_since = std::chrono::steady_clock::now();
  std::string token = s.server.TokenFor("principal");
  REQUIRE_FALSE(token.empty());
  CHECK(std::chrono::steady_clock::now() - stalled_since < std::chrono::seconds(25));
  const auto signed_in = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    auto me = s.server.Json("GET", "/api/me", token);
    REQUIRE(me);
    CHECK(me->status == 200);
    auto students = s.server.Json("GET", "/api/students?q=", token);
    REQUIRE(students);
    CHECK(students->status == 200);
  }
  CHECK(std::chrono::steady_clock::now() - signed_in < std::chrono::seconds(25));
  CHECK(s.server.Healthy());
  stalled.clear();
}

}  // namespace
}  // namespace backpack::testing
