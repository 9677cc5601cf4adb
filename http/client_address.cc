#include "http/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>

namespace backpack::http {
namespace {

// The longest address inet_ntop prints (INET6_ADDRSTRLEN holds its NUL).
constexpr std::size_t kMaxAddressLength = INET6_ADDRSTRLEN - 1;

bool IsAddressChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
         c == ':';
}

// Parses `text` (address characters only) as `family` and prints it back.
std::optional<std::string> Reprint(int family, const std::string& text) {
  std::array<unsigned char, sizeof(in6_addr)> bytes{};
  if (inet_pton(family, text.c_str(), bytes.data()) != 1) return std::nullopt;
  std::array<char, INET6_ADDRSTRLEN> printed{};
  if (inet_ntop(family, bytes.data(), printed.data(), printed.size()) == nullptr) {
    return std::nullopt;
  }
  return std::string(printed.data());
}

// How an address is compared with the trusted proxies: an IPv4-mapped IPv6
// address as its IPv4 address.
std::string_view MatchKey(std::string_view address) {
  constexpr std::string_view kMappedPrefix = "::ffff:";
  if (address.starts_with(kMappedPrefix) && address.find('.') != std::string_view::npos) {
    address.remove_prefix(kMappedPrefix.size());
  }
  return address;
}

}  // namespace

std::optional<std::string> NormalizeIpAddress(std::string_view text) {
  if (text.empty() || text.size() > kMaxAddressLength ||
      !std::all_of(text.begin(), text.end(), IsAddressChar)) {
    return std::nullopt;
  }
  const bool ipv6 = text.find(':') != std::string_view::npos;
  return Reprint(ipv6 ? AF_INET6 : AF_INET, std::string(text));
}

Result<std::vector<std::string>> ParseTrustedProxies(std::string_view list) {
  if (list.empty()) {
    return Err(InvalidArgumentError("--trusted-proxy: give one or more IP addresses"));
  }
  std::vector<std::string> addresses;
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view entry = list.substr(0, comma);
    std::optional<std::string> address = NormalizeIpAddress(entry);
    if (!address) {
      return Err(InvalidArgumentError(
          "--trusted-proxy: '" + std::string(entry.substr(0, 64)) +
          "' is not an IP address (give IPv4 or IPv6 addresses separated by commas, "
          "such as 127.0.0.1,::1; no names, ranges, ports or blanks)"));
    }
    addresses.push_back(std::move(*address));
    if (comma == std::string_view::npos) return addresses;
    list.remove_prefix(comma + 1);
  }
}

bool IsTrustedProxy(std::string_view peer, const std::vector<std::string>& trusted_proxies) {
  if (peer.empty()) return false;
  return std::any_of(
      trusted_proxies.begin(), trusted_proxies.end(),
      [key = MatchKey(peer)](const std::string& proxy) { return MatchKey(proxy) == key; });
}

Result<std::string> ForwardedClientAddress(const HeaderMap& headers) {
  const std::vector<std::string_view> fields = headers.GetAll("X-Forwarded-For");
  if (fields.empty()) {
    return Err(
        InvalidArgumentError("a request through a trusted proxy needs an X-Forwarded-For field"));
  }
  if (std::all_of(fields.begin(), fields.end(),
                  [](std::string_view field) { return TrimBlanks(field).empty(); })) {
    return Err(InvalidArgumentError("empty X-Forwarded-For field from a trusted proxy"));
  }
  // The field lines, in order, are one list joined with commas (RFC 9110
  // section 5.3): its rightmost entry is the last line's rightmost.
  const std::string_view value = fields.back();
  const std::size_t comma = value.rfind(',');
  const std::string_view last =
      TrimBlanks(comma == std::string_view::npos ? value : value.substr(comma + 1));
  std::optional<std::string> address = NormalizeIpAddress(last);
  if (!address) {
    return Err(InvalidArgumentError(
        "the last X-Forwarded-For entry from a trusted proxy is not an IP address"));
  }
  return std::move(*address);
}

Result<std::string> ClientAddress(std::string_view peer,
                                  const std::vector<std::string>& trusted_proxies,
                                  const HeaderMap& headers) {
  if (!IsTrustedProxy(peer, trusted_proxies)) return std::string(peer);
  return ForwardedClientAddress(headers);
}

}  // namespace backpack::http
