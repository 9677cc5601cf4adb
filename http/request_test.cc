#include "http/request.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "core/crypto.h"

namespace backpack::http {
namespace {

boost::json::value ParseBody(const HttpResponse& response) {
  return boost::json::parse(response.body);
}

TEST_CASE("JsonError has the SPEC error shape") {
  HttpResponse response = JsonError(404, "not_found", "no such student");
  CHECK(response.status == 404);
  CHECK(response.content_type == "application/json");
  boost::json::value body = ParseBody(response);
  CHECK(body.at("error").at("code").as_string() == "not_found");
  CHECK(body.at("error").at("message").as_string() == "no such student");
  CHECK_FALSE(body.at("error").as_object().contains("details"));
}

TEST_CASE("JsonError carries details for 422") {
  boost::json::array details{boost::json::object{{"file", "users.csv"}, {"line", 3}}};
  HttpResponse response = JsonError(422, "unprocessable", "bad rows", details);
  boost::json::value body = ParseBody(response);
  CHECK(body.at("error").at("details").at(0).at("file").as_string() == "users.csv");
}

TEST_CASE("every status code maps to the SPEC HTTP status and error code") {
  struct Row {
    StatusCode code;
    int status;
    std::string_view name;
  };
  const Row rows[] = {
      {StatusCode::kInvalidArgument, 400, "bad_request"},
      {StatusCode::kUnauthenticated, 401, "unauthenticated"},
      {StatusCode::kPermissionDenied, 403, "forbidden"},
      {StatusCode::kNotFound, 404, "not_found"},
      {StatusCode::kAlreadyExists, 409, "conflict"},
      {StatusCode::kFailedPrecondition, 409, "conflict"},
      {StatusCode::kGone, 410, "gone"},
      {StatusCode::kResourceExhausted, 429, "too_many_requests"},
      {StatusCode::kUnprocessable, 422, "unprocessable"},
      {StatusCode::kUnavailable, 503, "audit_unavailable"},
      {StatusCode::kDataLoss, 500, "internal"},
      {StatusCode::kInternal, 500, "internal"},
  };
  for (const Row& row : rows) {
    CAPTURE(StatusCodeName(row.code));
    CHECK(HttpErrorFor(row.code).status == row.status);
    CHECK(HttpErrorFor(row.code).code == row.name);
  }
}

TEST_CASE("ErrorResponse turns a Status into the mapped JSON error") {
  HttpResponse response = ErrorResponse(GoneError("record was shredded"));
  CHECK(response.status == 410);
  boost::json::value body = ParseBody(response);
  CHECK(body.at("error").at("code").as_string() == "gone");
  CHECK(body.at("error").at("message").as_string() == "record was shredded");
}

TEST_CASE("ParseJsonObject accepts an object") {
  Result<boost::json::object> parsed = ParseJsonObject(R"({"kind":"note","text":"ok"})");
  REQUIRE(parsed.has_value());
  CHECK(parsed->at("kind").as_string() == "note");
}

TEST_CASE("ParseJsonObject rejects nesting deeper than the limit") {
  std::string deep = "{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}";
  Result<boost::json::object> parsed = ParseJsonObject(deep);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code() == StatusCode::kInvalidArgument);
  CHECK(parsed.error().message().find("deeper than 32") != std::string::npos);
  CHECK(ParseJsonObject(deep, 64).has_value());
}

TEST_CASE("ParseJsonObject rejects invalid UTF-8 and non-objects and garbage") {
  auto message_of = [](std::string_view body) { return ParseJsonObject(body).error().message(); };
  CHECK(message_of("{\"a\":\"\xff\"}") == "request body is not valid UTF-8");
  CHECK(message_of("[1,2]") == "request body must be a JSON object");
  CHECK(message_of("\"text\"") == "request body must be a JSON object");
  CHECK(message_of("") == "request body must be a JSON object");
  CHECK(message_of("{\"a\":").find("not valid JSON") != std::string::npos);
  CHECK(message_of("{} {}").find("not valid JSON") != std::string::npos);
}

TEST_CASE("ParseJsonObject rejects a key held twice by one object, escaped or nested") {
  auto message_of = [](std::string_view body) {
    auto parsed = ParseJsonObject(body);
    return parsed ? std::string("accepted") : parsed.error().message();
  };
  CHECK(message_of(R"({"text":"a","text":"b"})") ==
        "request body has the key \"text\" twice in one object");
  CHECK(message_of(R"({"text":"a","t\u0065xt":"b"})").find("twice") != std::string::npos);
  CHECK(message_of(R"({"scope":{"id":1,"id":2}})").find("\"id\" twice") != std::string::npos);
  CHECK(message_of(R"({"list":[{"k":1,"k":1}]})").find("twice") != std::string::npos);
  CHECK(message_of("{\"\\u001b\":1,\"\\u001b\":2}").find("key \"?\" twice") !=
        std::string::npos);  // a key not fit to print is not echoed
  // The same key in different objects, or as a value, is fine.
  CHECK(message_of(R"({"a":{"id":1},"b":{"id":1},"id":"id"})") == "accepted");
  CHECK(message_of(R"({"a":[{"k":1},{"k":2}]})") == "accepted");
}

TEST_CASE("IsValidUtf8 rejects overlongs and surrogates and truncation") {
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\x92"));
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));          // Overlong '/'.
  CHECK_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // Overlong, three bytes.
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));      // UTF-16 surrogate.
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // Above U+10FFFF.
  CHECK_FALSE(IsValidUtf8("\xe2\x82"));          // Truncated.
  CHECK_FALSE(IsValidUtf8("\x80"));              // Lone continuation byte.
}

TEST_CASE("ParseTarget splits the path and decodes the query") {
  std::string path;
  std::vector<QueryParam> query;
  REQUIRE(ParseTarget("/api/students?q=ann+lee&limit=10&q=%C3%A9", &path, &query).ok());
  CHECK(path == "/api/students");
  REQUIRE(query.size() == 3);
  CHECK(query[0].key == "q");
  CHECK(query[0].value == "ann lee");
  CHECK(query[2].value == "\xc3\xa9");
  HttpRequest request;
  request.query = query;
  CHECK(request.QueryValue("limit") == "10");
  CHECK(request.QueryValue("q") == "ann lee");
  CHECK_FALSE(request.QueryValue("cursor").has_value());
}

TEST_CASE("ParseTarget accepts the absolute form (RFC 9112 3.2.2) and ignores its authority") {
  std::string path;
  std::vector<QueryParam> query;
  REQUIRE(ParseTarget("http://backpack.example:8080/api/me?x=1", &path, &query).ok());
  CHECK(path == "/api/me");
  REQUIRE(query.size() == 1);
  CHECK(query[0].value == "1");
  REQUIRE(ParseTarget("HTTPS://backpack.example", &path, &query).ok());
  CHECK(path == "/");
}

TEST_CASE("ParseTarget rejects targets in no form a server accepts") {
  std::string path;
  std::vector<QueryParam> query;
  CHECK(ParseTarget("ftp://backpack.example/x", &path, &query).code() ==
        StatusCode::kInvalidArgument);
  CHECK(ParseTarget("mailto:a@b", &path, &query).code() == StatusCode::kInvalidArgument);
  CHECK(ParseTarget("http:api/me", &path, &query).code() == StatusCode::kInvalidArgument);
  CHECK(ParseTarget("backpack.example:443", &path, &query).code() == StatusCode::kInvalidArgument);
  CHECK(ParseTarget("*", &path, &query).code() == StatusCode::kInvalidArgument);
  CHECK(ParseTarget("/a?x=%zz", &path, &query).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("HeaderMap looks names up case-insensitively") {
  HeaderMap headers;
  headers.Add("Content-Type", "application/json");
  headers.Add("Authorization", "Bearer t");
  CHECK(headers.Get("content-type") == "application/json");
  CHECK(headers.Get("AUTHORIZATION") == "Bearer t");
  CHECK_FALSE(headers.Has("cookie"));
}

TEST_CASE("AcceptQuality takes the q of the most specific range naming the type") {
  CHECK(AcceptQuality("text/csv", "text/csv") == 1000);
  CHECK(AcceptQuality("Text/CSV ; Q=0.9, application/json", "text/csv") == 900);
  CHECK(AcceptQuality("text/csv;q=0.9, application/json", "application/json") == 1000);
  CHECK(AcceptQuality("text/csv;charset=utf-8;q=0.25", "text/csv") == 250);
  CHECK(AcceptQuality("text/csv;q=0", "text/csv") == 0);
  CHECK(AcceptQuality("*/*;q=0.1, application/*;q=0.5", "application/json") == 500);
  CHECK(AcceptQuality("*/*;q=0.1, application/json;q=0.3, application/*", "application/json") ==
        300);
  CHECK(AcceptQuality("text/*;q=0.7", "text/csv") == 700);
  CHECK_FALSE(AcceptQuality("text/*;q=0.7, */*", "text/csv", /*wildcards=*/false));
  CHECK_FALSE(AcceptQuality("text/html", "text/csv"));
  CHECK_FALSE(AcceptQuality("", "text/csv"));
  // Malformed q-values are not read as any quality: the range is ignored.
  for (const char* q : {"2", "1.5", "0.1234", "x", "", "-1", "0.5x"}) {
    INFO(q);
    CHECK_FALSE(AcceptQuality(std::string("text/csv;q=") + q, "text/csv"));
  }
  CHECK(AcceptQuality("text/csv;q=1.000", "text/csv") == 1000);
  CHECK(AcceptQuality("text/csv;q=0.", "text/csv") == 0);
}

TEST_CASE("request ids are 32 hex characters and unique") {
  REQUIRE(CryptoInit().ok());
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewRequestId();
    CHECK(id.size() == 32);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 100);
}

}  // namespace
}  // namespace backpack::http
