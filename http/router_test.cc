#include "http/router.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace backpack::http {
namespace {

Handler Named(std::string name) {
  return Sync([name](const HttpRequest&, const RouteParams&) {
    HttpResponse response;
    response.body = name;
    return response;
  });
}

// Runs the matched handler synchronously and returns its body.
std::string CallMatched(const RouteMatch& match) {
  REQUIRE(match.handler != nullptr);
  std::string body;
  HttpRequest request;
  (*match.handler)(request, match.params, [&](HttpResponse r) { body = r.body; });
  return body;
}

Router SampleRouter() {
  Router router;
  REQUIRE(router.Add("GET", "/api/students/{id}/profile", Named("profile")).ok());
  REQUIRE(router.Add("POST", "/api/students/{id}/notes", Named("notes")).ok());
  REQUIRE(router.Add("GET", "/api/audit/{alert}", Named("alert")).ok());
  REQUIRE(router.Add("GET", "/api/audit/alerts", Named("alerts")).ok());
  REQUIRE(router.Add("DELETE", "/api/session", Named("logout")).ok());
  REQUIRE(router.Add("POST", "/api/session", Named("login")).ok());
  REQUIRE(router.Add("GET", "/", Named("root")).ok());
  return router;
}

std::string ErrorCode(const RouteMatch& match) {
  REQUIRE(match.error.has_value());
  return std::string(boost::json::parse(match.error->body).at("error").at("code").as_string());
}

TEST_CASE("router extracts decoded path parameters and records the pattern") {
  Router router = SampleRouter();
  RouteMatch match = router.Match("GET", "/api/students/stu%2D42/profile");
  CHECK(CallMatched(match) == "profile");
  CHECK(match.params.Get("id") == "stu-42");
  CHECK(match.params.Get("missing").empty());
  CHECK(match.pattern == "/api/students/{id}/profile");
  CHECK(CallMatched(router.Match("GET", "/")) == "root");
}

TEST_CASE("router prefers a literal segment over a parameter") {
  Router router = SampleRouter();
  CHECK(CallMatched(router.Match("GET", "/api/audit/alerts")) == "alerts");
  RouteMatch other = router.Match("GET", "/api/audit/a1");
  CHECK(CallMatched(other) == "alert");
  CHECK(other.params.Get("alert") == "a1");
}

TEST_CASE("router answers 404 for unknown paths") {
  Router router = SampleRouter();
  for (const char* path : {"/api/students", "/api/students/1/profile/x", "/nope", "/api//session",
                           "/api/students//profile"}) {
    CAPTURE(path);
    RouteMatch match = router.Match("GET", path);
    CHECK(match.handler == nullptr);
    CHECK(match.error->status == 404);
    CHECK(ErrorCode(match) == "not_found");
    CHECK(match.pattern == kUnmatchedPattern);
  }
}

TEST_CASE("router answers 405 with an Allow header for a known path") {
  Router router = SampleRouter();
  RouteMatch match = router.Match("PUT", "/api/session");
  REQUIRE(match.error.has_value());
  CHECK(match.error->status == 405);
  CHECK(ErrorCode(match) == "method_not_allowed");
  REQUIRE(match.error->headers.size() == 1);
  CHECK(match.error->headers[0].first == "Allow");
  CHECK(match.error->headers[0].second == "DELETE, POST");
}

TEST_CASE("router sends HEAD to the GET route and lists HEAD wherever GET is allowed") {
  Router router = SampleRouter();
  RouteMatch head = router.Match("HEAD", "/api/students/stu-42/profile");
  CHECK(CallMatched(head) == "profile");
  CHECK(head.params.Get("id") == "stu-42");
  RouteMatch post_only = router.Match("HEAD", "/api/students/stu-42/notes");
  REQUIRE(post_only.error.has_value());
  CHECK(post_only.error->status == 405);
  CHECK(post_only.error->headers[0].second == "POST");
  RouteMatch wrong = router.Match("PUT", "/api/students/stu-42/profile");
  REQUIRE(wrong.error.has_value());
  CHECK(wrong.error->headers[0].second == "GET, HEAD");
}

TEST_CASE("router rejects traversal and odd bytes in the path with 400") {
  Router router = SampleRouter();
  const std::string long_segment(kMaxPathSegment + 1, 'a');
  for (std::string path :
       {std::string("/api/students/../profile"), std::string("/api/students/%2e%2e/profile"),
        std::string("/api/students/..%2f..%2fetc/profile"),
        std::string("/api/students/a%2Fb/profile"), std::string("/api/students/a%00b/profile"),
        std::string("/api/students/a%5cb/profile"), std::string("/api/students/a%0ab/profile"),
        std::string("/api/students/%ff/profile"), std::string("/api/students/%zz/profile"),
        std::string("/api/students/%4/profile"), "/api/students/" + long_segment + "/profile",
        std::string("relative/path"), std::string("")}) {
    CAPTURE(path);
    RouteMatch match = router.Match("GET", path);
    CHECK(match.handler == nullptr);
    CHECK(match.error->status == 400);
    CHECK(ErrorCode(match) == "bad_request");
  }
  RouteMatch at_limit =
      router.Match("GET", "/api/students/" + std::string(kMaxPathSegment, 'a') + "/profile");
  CHECK(at_limit.handler != nullptr);
}

TEST_CASE("router refuses malformed and duplicate patterns") {
  Router router;
  CHECK(router.Add("GET", "no/slash", Named("x")).code() == StatusCode::kInvalidArgument);
  CHECK(router.Add("GET", "/a//b", Named("x")).code() == StatusCode::kInvalidArgument);
  CHECK(router.Add("GET", "/a/{}", Named("x")).code() == StatusCode::kInvalidArgument);
  CHECK(router.Add("GET", "/a/{b-c}", Named("x")).code() == StatusCode::kInvalidArgument);
  CHECK(router.Add("GET", "/a/{id}/{id}", Named("x")).code() == StatusCode::kInvalidArgument);
  CHECK(router.Add("GET", "/a/x{id}", Named("x")).code() == StatusCode::kInvalidArgument);
  CHECK(router.Add("", "/a", Named("x")).code() == StatusCode::kInvalidArgument);
  REQUIRE(router.Add("GET", "/a/{id}", Named("x")).ok());
  CHECK(router.Add("GET", "/a/{other}", Named("y")).code() == StatusCode::kAlreadyExists);
  CHECK(router.Add("POST", "/a/{other}", Named("y")).ok());
  CHECK(router.size() == 2);
}

TEST_CASE("responder delivers once and answers 500 when dropped") {
  int calls = 0;
  HttpResponse last;
  {
    Responder respond = MakeOnceResponder([&](HttpResponse r) {
      ++calls;
      last = std::move(r);
    });
    HttpResponse ok;
    ok.status = 201;
    respond(ok);
    respond(ok);
  }
  CHECK(calls == 1);
  CHECK(last.status == 201);
  {
    Responder dropped = MakeOnceResponder([&](HttpResponse r) {
      last = std::move(r);
      ++calls;
    });
  }
  CHECK(calls == 2);
  CHECK(last.status == 500);
}

}  // namespace
}  // namespace backpack::http
