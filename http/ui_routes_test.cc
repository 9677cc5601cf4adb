// The web interface's routes over a real server on an ephemeral port: every
// embedded file to anonymous callers, with its type and security headers.
#include "http/ui_routes.h"

#include <catch2/catch.hpp>
#include <string>

#include "http/server.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace backpack::http {
namespace {

using testing::BuildRequest;
using testing::ClientResponse;
using testing::RoundTrip;

struct UiServer {
  UiServer() : server(testing::TestOptions(), MakeRouter()) { REQUIRE(server.Start().ok()); }
  static Router MakeRouter() {
    Router router;
    RegisterUiRoutes(router);
    return router;
  }
  ClientResponse Get(const std::string& method, const std::string& target,
                     const std::string& headers = "") {
    auto response = RoundTrip(server.port(), BuildRequest(method, target, {}, headers));
    REQUIRE(response);
    return *response;
  }
  HttpServer server;
};

const UiAsset& AssetAt(std::string_view path) {
  for (const UiAsset& asset : UiAssets()) {
    if (asset.path == path) return asset;
  }
  FAIL("no asset at " << path);
  throw 0;
}

void RequireSecurityHeaders(const ClientResponse& r) {
  CHECK(r.Header("content-security-policy") == kUiContentSecurityPolicy);
  CHECK(r.Header("x-content-type-options") == "nosniff");
  CHECK(r.Header("referrer-policy") == "no-referrer");
  CHECK(r.Header("cache-control") == "no-cache");
}

TEST_CASE("the page and its files answer anonymous callers with their type and headers") {
  UiServer ui;
  const std::pair<std::string, std::string> expected[] = {
      {"/", "text/html; charset=utf-8"},
      {"/ui/app.js", "text/javascript; charset=utf-8"},
      {"/ui/app.css", "text/css; charset=utf-8"},
      {"/ui/icon.svg", "image/svg+xml; charset=utf-8"}};
  for (const auto& [path, type] : expected) {
    INFO(path);
    ClientResponse r = ui.Get("GET", path);
    REQUIRE(r.status == 200);
    CHECK(r.Header("content-type") == type);
    RequireSecurityHeaders(r);
    CHECK(r.Header("etag") == AssetAt(path).etag);
    CHECK(r.body == AssetAt(path).body);
  }
  for (const UiAsset& asset : UiAssets()) {
    INFO(asset.name);
    ClientResponse r = ui.Get("GET", std::string(asset.path));
    CHECK(r.status == 200);
    CHECK(r.Header("content-type") == asset.content_type);
    RequireSecurityHeaders(r);
  }
}

TEST_CASE("a UI file named by its ETag in If-None-Match answers 304 without a body") {
  UiServer ui;
  const UiAsset& js = AssetAt("/ui/app.js");
  ClientResponse same =
      ui.Get("GET", "/ui/app.js", "If-None-Match: W/\"x\", " + std::string(js.etag) + "\r\n");
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  CHECK(same.Header("etag") == js.etag);
  RequireSecurityHeaders(same);
  ClientResponse other = ui.Get("GET", "/ui/app.js", "If-None-Match: \"stale\"\r\n");
  CHECK(other.status == 200);
  CHECK(other.body == js.body);
}

TEST_CASE("HEAD of a UI file has its headers and no body, other methods get 405") {
  UiServer ui;
  ClientResponse head = ui.Get("HEAD", "/");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.Header("content-type") == "text/html; charset=utf-8");
  CHECK(head.Header("content-length") == std::to_string(AssetAt("/").body.size()));
  RequireSecurityHeaders(head);
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    INFO(method);
    ClientResponse r = ui.Get(method, "/ui/app.js");
    CHECK(r.status == 405);
    CHECK(r.Header("allow") == "GET, HEAD");
  }
}

TEST_CASE("paths that are not UI files answer 404") {
  UiServer ui;
  for (const char* path : {"/index.html", "/app.js", "/ui/", "/ui/nope.js", "/ui/app.js/x",
                           "/ui/APP.JS", "/ui/http"}) {
    INFO(path);
    CHECK(ui.Get("GET", path).status == 404);
  }
  CHECK(ui.Get("GET", "/ui/..%2Fapp.js").status == 400);
}

}  // namespace
}  // namespace backpack::http
