#include "http/ui_routes.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace backpack::http {
namespace {

// True if the If-None-Match value `header` (a list of entity tags, or "*")
// names `etag`. Weak tags compare equal to the strong one (RFC 9110 §13.1.2).
bool NoneMatchNames(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = TrimBlanks(header.substr(0, comma));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

HttpResponse UiAssetResponse(const UiAsset& asset, const HttpRequest& request) {
  HttpResponse response;
  response.headers = {{"Content-Security-Policy", std::string(kUiContentSecurityPolicy)},
                      {"Referrer-Policy", "no-referrer"},
                      {"Cache-Control", std::string(kUiCacheControl)},
                      {"ETag", std::string(asset.etag)}};
  const auto none_match = request.headers.Get("If-None-Match");
  if (none_match && NoneMatchNames(*none_match, asset.etag)) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  response.content_type = std::string(asset.content_type);
  response.body = std::string(asset.body);
  return response;
}

void RegisterUiRoutes(Router& router) {
  for (const UiAsset& asset : UiAssets()) {
    Status added = router.Add("GET", asset.path,
                              Sync([&asset](const HttpRequest& request, const RouteParams&) {
                                return UiAssetResponse(asset, request);
                              }));
    if (!added.ok()) {
      spdlog::critical("cannot register GET {}: {}", asset.path, added.message());
      std::abort();
    }
  }
}

}  // namespace backpack::http
