// The client address of a request: its TCP peer's, or, when that peer is a
// trusted reverse proxy (`backpack serve --trusted-proxy`), the address the
// proxy appended to X-Forwarded-For. The audit trail, the per-address sign-in
// limit and the loopback-only routes all use it.
//
// Pure functions over plain strings, free of Asio: the transport
// (internal/session.cc) calls ClientAddress() once per request.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/request.h"

namespace backpack::http {

// `text` as an IP address, printed as the server prints peer addresses
// (inet_ntop: "192.0.2.7", "2001:db8::7", "::ffff:192.0.2.7"). Nullopt
// unless `text` is exactly an IPv4 dotted quad or an IPv6 address: no
// blanks, brackets, port, zone ("%eth0"), prefix length or host name.
std::optional<std::string> NormalizeIpAddress(std::string_view text);

// Parses the value of `--trusted-proxy`: IP addresses separated by commas,
// without blanks. The addresses, normalized; kInvalidArgument naming the
// first entry that is not an IP address (or saying the list is empty).
Result<std::vector<std::string>> ParseTrustedProxies(std::string_view list);

// True if `peer` (normalized, as above) is one of `trusted_proxies`
// (normalized). An IPv4-mapped IPv6 address ("::ffff:127.0.0.1", how a
// dual-stack listener prints an IPv4 peer) matches its IPv4 address. An
// empty `peer` (unknown) matches nothing.
bool IsTrustedProxy(std::string_view peer, const std::vector<std::string>& trusted_proxies);

// The client address a trusted proxy forwarded in `headers`: the rightmost
// entry of X-Forwarded-For, the one the proxy itself appended (entries to
// its left came from the client and may be forged), normalized. Several
// field lines count as one joined with commas, in order (RFC 9110 section
// 5.3; HAProxy appends a line of its own to the client's). kInvalidArgument,
// with a message for the client, if there is no such field, only blank ones,
// or a rightmost entry that is empty or not an IP address: a misconfigured
// proxy is refused rather than audited as itself.
Result<std::string> ForwardedClientAddress(const HeaderMap& headers);

// The client address of a request from `peer` with `headers`: the
// forwarded one (ForwardedClientAddress) if `peer` is a trusted proxy;
// otherwise `peer`, and X-Forwarded-For is ignored, so that a client cannot
// choose the address it is audited under.
Result<std::string> ClientAddress(std::string_view peer,
                                  const std::vector<std::string>& trusted_proxies,
                                  const HeaderMap& headers);

}  // namespace backpack::http
