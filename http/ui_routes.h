// Routes of the web interface: GET (and so HEAD) of each embedded file of
// ui_assets.h, to anyone, signed in or not. The answers carry a strict
// Content-Security-Policy (scripts, styles, images and API calls from this
// origin only; no inline code, no framing, no form posts) and are revalidated
// on every use through their ETag, so that a new binary's interface is never
// mixed with an old one's files.
#pragma once

#include <string_view>

#include "http/request.h"
#include "http/router.h"
#include "http/ui_assets.h"

namespace backpack::http {

// The Content-Security-Policy of every UI file.
inline constexpr std::string_view kUiContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// Cached copies may be kept, but are checked with the server (If-None-Match,
// 304) before each use.
inline constexpr std::string_view kUiCacheControl = "no-cache";

// The answer to a GET of `asset`: 200 with its bytes, or 304 without them when
// the request's If-None-Match names its ETag (or is "*").
HttpResponse UiAssetResponse(const UiAsset& asset, const HttpRequest& request);

// Registers GET `asset.path` for every asset of UiAssets(). Aborts on a
// registration error (a programming error, found at startup).
void RegisterUiRoutes(Router& router);

}  // namespace backpack::http
