#include "http/internal/session_rules.h"

#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>
#include <utility>

namespace backpack::http::internal {
namespace {

HeaderMap Fields(std::initializer_list<std::pair<const char*, const char*>> fields) {
  HeaderMap headers;
  for (const auto& [name, value] : fields) headers.Add(name, value);
  return headers;
}

TEST_CASE("an HTTP/1.1 request needs exactly one Host header, an HTTP/1.0 one none") {
  CHECK(FramingProblem(11, Fields({{"Host", "x"}})) == "");
  CHECK(FramingProblem(10, Fields({})) == "");
  const std::string one_host = "an HTTP/1.1 request needs exactly one Host header";
  CHECK(FramingProblem(11, Fields({})) == one_host);
  CHECK(FramingProblem(11, Fields({{"Host", "a"}, {"host", "b"}})) == one_host);
}

TEST_CASE("a request body is framed by one chunked Transfer-Encoding or a Content-Length") {
  CHECK(FramingProblem(11, Fields({{"Host", "x"}, {"Content-Length", "5"}})) == "");
  CHECK(FramingProblem(11, Fields({{"Host", "x"}, {"transfer-encoding", " Chunked\t"}})) == "");
  CHECK(FramingProblem(10, Fields({{"Transfer-Encoding", "chunked"}})) ==
        "Transfer-Encoding in an HTTP/1.0 request");
  CHECK(
      FramingProblem(
          11, Fields({{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}})) ==
      "both Transfer-Encoding and Content-Length");
  const std::string only_chunked = "unsupported Transfer-Encoding (only chunked)";
  CHECK(FramingProblem(11, Fields({{"Host", "x"}, {"Transfer-Encoding", "gzip"}})) == only_chunked);
  CHECK(FramingProblem(11, Fields({{"Host", "x"}, {"Transfer-Encoding", "chunked, gzip"}})) ==
        only_chunked);
  CHECK(FramingProblem(11, Fields({{"Host", "x"},
                                   {"Transfer-Encoding", "chunked"},
                                   {"Transfer-Encoding", "chunked"}})) == only_chunked);
}

TEST_CASE("a body may take the body timeout plus its length at 64 KiB a second") {
  using std::chrono::milliseconds;
  CHECK(BodyDeadline(milliseconds(30'000), 0) == milliseconds(30'000));
  CHECK(BodyDeadline(milliseconds(30'000), 64 * 1024) == milliseconds(31'000));
  CHECK(BodyDeadline(milliseconds(0), 64 * 1024 * 1024) == milliseconds(1'024'000));
}

TEST_CASE("a handler may not set the transport's fields nor split the response header") {
  CHECK(IsAllowedResponseField("Set-Cookie", "sid=x; HttpOnly"));
  CHECK(IsAllowedResponseField("X-Note", "a\tb"));
  for (const char* reserved : {"Content-Length", "transfer-encoding", "CONNECTION"}) {
    INFO(reserved);
    CHECK_FALSE(IsAllowedResponseField(reserved, "1"));
  }
  CHECK_FALSE(IsAllowedResponseField("", "x"));
  CHECK_FALSE(IsAllowedResponseField("X Note", "x"));
  CHECK_FALSE(IsAllowedResponseField("X:Note", "x"));
  CHECK_FALSE(IsAllowedResponseField("X-Note", "a\r\nSet-Cookie: y"));
  CHECK_FALSE(IsAllowedResponseField("X-Note", std::string("a\0b", 3)));
  CHECK_FALSE(IsAllowedResponseField("X-Note", "a\x7f"));
}

}  // namespace
}  // namespace backpack::http::internal
