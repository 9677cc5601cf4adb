#include "http/internal/session_rules.h"

#include <algorithm>

namespace backpack::http::internal {

std::string FramingProblem(unsigned version, const HeaderMap& headers) {
  const auto codings = headers.GetAll("Transfer-Encoding").size();
  if (codings > 0) {
    if (version < 11) return "Transfer-Encoding in an HTTP/1.0 request";
    if (headers.Has("Content-Length")) {
      return "both Transfer-Encoding and Content-Length";
    }
    const std::string_view coding = TrimBlanks(*headers.Get("Transfer-Encoding"));
    if (codings != 1 || !EqualsIgnoreCase(coding, "chunked")) {
      return "unsupported Transfer-Encoding (only chunked)";
    }
  }
  if (version >= 11 && headers.GetAll("Host").size() != 1) {
    return "an HTTP/1.1 request needs exactly one Host header";
  }
  return "";
}

std::chrono::milliseconds BodyDeadline(std::chrono::milliseconds body_timeout,
                                       std::size_t expected_bytes) {
  constexpr std::size_t kSlowClientBytesPerSecond = 64 * 1024;
  return body_timeout +
         std::chrono::milliseconds(expected_bytes * 1000 / kSlowClientBytesPerSecond);
}

bool IsAllowedResponseField(std::string_view name, std::string_view value) {
  for (std::string_view reserved : {"content-length", "transfer-encoding", "connection"}) {
    if (EqualsIgnoreCase(name, reserved)) return false;
  }
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c == ':' || c == 0x7f) return false;
  }
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return (b < 0x20 && c != '\t') || b == 0x7f;
  });
}

}  // namespace backpack::http::internal
