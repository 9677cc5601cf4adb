// Checks the embedded UI files (exactly what the binary serves) for the ways
// a script could turn data into markup or code, for inline code the
// Content-Security-Policy would block, and for resources from elsewhere. The
// page builds every view with DOM calls and text nodes only.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <regex>
#include <string>
#include <vector>

#include "http/ui_assets.h"

namespace backpack::http {
namespace {

struct Sink {
  std::string why;
  std::regex pattern;
};

// Lowercased copy: attribute and property names are matched case-blind.
std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::vector<Sink>& ScriptSinks() {
  static const std::vector<Sink> sinks = {
      {"innerHTML / outerHTML", std::regex(R"((inner|outer)html)")},
      {"insertAdjacentHTML", std::regex(R"(insertadjacenthtml)")},
      {"document.write", std::regex(R"(document\s*\.\s*write)")},
      {"eval", std::regex(R"((^|[^\w.$])eval\s*\()")},
      {"the Function constructor", std::regex(R"((^|[^\w$])function\s*\(\s*['"`])")},
      {"new Function", std::regex(R"(new\s+function\b)")},
      {"setTimeout/setInterval with a string", std::regex(R"(set(timeout|interval)\s*\(\s*['"`])")},
      {"createContextualFragment", std::regex(R"(createcontextualfragment)")},
      {"DOMParser / parseFromString", std::regex(R"(parsefromstring|domparser)")},
      {"srcdoc", std::regex(R"(srcdoc)")},
      {"a javascript: URL", std::regex(R"(javascript:)")},
      {"an inline event handler attribute", std::regex(R"(setattribute\s*\(\s*['"`]on)")},
      {"a style attribute", std::regex(R"(setattribute\s*\(\s*['"`]style)")},
  };
  return sinks;
}

const std::vector<Sink>& MarkupSinks() {
  static const std::vector<Sink> sinks = {
      {"an inline script", std::regex(R"(<script(?![^>]*\bsrc=)[^>]*>)")},
      {"an inline style element", std::regex(R"(<style)")},
      {"a style attribute", std::regex(R"(\sstyle\s*=)")},
      {"an inline event handler", std::regex(R"(\son[a-z]+\s*=)")},
      {"a javascript: URL", std::regex(R"(javascript:)")},
  };
  return sinks;
}

// A URL to another origin (the policy would block it, and the page must
// work offline from the binary alone); the SVG namespace is a name, not a fetch.
bool LoadsFromElsewhere(const std::string& lowered) {
  static const std::regex remote(R"((https?:)?//[a-z0-9.-]+\.[a-z]{2,})");
  std::string text = std::regex_replace(lowered, std::regex(R"(http://www\.w3\.org/2000/svg)"), "");
  return std::regex_search(text, remote);
}

std::vector<std::string> Findings(const UiAsset& asset) {
  const std::string text = Lower(asset.body);
  std::vector<std::string> found;
  const bool is_script = asset.name.ends_with(".js");
  for (const Sink& sink : is_script ? ScriptSinks() : MarkupSinks()) {
    if (std::regex_search(text, sink.pattern)) found.push_back(sink.why);
  }
  if (!asset.name.ends_with(".css") && LoadsFromElsewhere(text)) {
    found.push_back("a resource from another origin");
  }
  if (asset.name.ends_with(".css") && text.find("url(") != std::string::npos) {
    found.push_back("a url() in the style sheet");
  }
  return found;
}

TEST_CASE("the UI files use no script sink, inline code or outside resource") {
  REQUIRE_FALSE(UiAssets().empty());
  for (const UiAsset& asset : UiAssets()) {
    INFO(asset.name);
    CHECK(Findings(asset).empty());
    for (const std::string& finding : Findings(asset)) UNSCOPED_INFO(finding);
  }
}

TEST_CASE("the sink scan finds each forbidden construct") {
  const std::vector<std::pair<std::string, std::string>> samples = {
      {"a.js", "node.innerHTML = text;"},
      {"a.js", "x.outerHTML=y"},
      {"a.js", "el.insertAdjacentHTML('beforeend', s)"},
      {"a.js", "document.write(s)"},
      {"a.js", "eval(code)"},
      {"a.js", "const f = new Function('return 1')"},
      {"a.js", "setTimeout('alert(1)', 5)"},
      {"a.js", "node.setAttribute('onclick', s)"},
      {"a.js", "location = 'javascript:alert(1)'"},
      {"a.js", "import x from 'https://cdn.example.com/x.js'"},
      {"a.html", "<script>alert(1)</script>"},
      {"a.html", "<style>p{}</style>"},
      {"a.html", "<p style=\"color:red\">"},
      {"a.html", "<button onclick=\"go()\">"},
      {"a.html", "<script src=\"https://cdn.example.com/x.js\"></script>"},
      {"a.css", "body { background: url(https://example.com/x.png) }"},
  };
  for (const auto& [name, body] : samples) {
    INFO(name << ": " << body);
    CHECK_FALSE(Findings(UiAsset{name, "/", "", body, ""}).empty());
  }
  CHECK(Findings(UiAsset{"a.js", "/", "", "node.append(document.createTextNode(s))", ""}).empty());
  CHECK(Findings(
            UiAsset{"a.html", "/", "", "<script type=\"module\" src=\"/ui/app.js\"></script>", ""})
            .empty());
}

TEST_CASE("every file the page and its modules load is embedded") {
  std::vector<std::string> served;
  for (const UiAsset& asset : UiAssets()) served.emplace_back(asset.path);
  const std::regex reference(R"((src|href)="(/[^"]*)\"|from '\./([^']+)')");
  for (const UiAsset& asset : UiAssets()) {
    const std::string text(asset.body);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), reference);
         it != std::sregex_iterator(); ++it) {
      const std::string path = (*it)[2].matched ? (*it)[2].str() : "/ui/" + (*it)[3].str();
      INFO(asset.name << " loads " << path);
      CHECK(std::find(served.begin(), served.end(), path) != served.end());
    }
  }
}

}  // namespace
}  // namespace backpack::http
