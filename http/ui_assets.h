// The web interface's files (http/ui/), embedded into the binary at build
// time: CMake turns each file into bytes of a generated ui_assets.cc
// (embed_ui.cmake), never committed. The files are public and hold no data;
// everything the page shows it reads from the JSON API with the caller's
// session, audited like any other API read.
#pragma once

#include <span>
#include <string_view>

namespace backpack::http {

struct UiAsset {
  std::string_view name;          // the file's name in http/ui/, e.g. "app.js"
  std::string_view path;          // where it is served: "/" for index.html, else "/ui/NAME"
  std::string_view content_type;  // with its charset, e.g. "text/javascript; charset=utf-8"
  std::string_view body;          // the file's bytes
  std::string_view etag;          // a strong validator from the bytes' SHA-256, quoted
};

// Every embedded file, sorted by name. Static storage: valid for the
// program's lifetime.
std::span<const UiAsset> UiAssets();

}  // namespace backpack::http
