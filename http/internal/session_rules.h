// The rules a session (session.cc) applies to what it reads and writes: a
// request's framing, how long its body may take, and which response fields
// a handler may set. Pure functions of plain values, kept free of Beast so
// that Beast's headers stay in the few translation units that need them.
// Internal to http/.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "http/request.h"

namespace backpack::http::internal {

// Why a request's framing or Host is unacceptable (RFC 9112 §3.2, §6.1,
// §6.3), or "" if it is fine. `version` is the request's HTTP version as
// Beast counts it (11 for HTTP/1.1), `headers` its header fields. A message
// whose body length is uncertain is refused and its connection closed, so
// that no byte of it can be taken for the next request (request smuggling).
std::string FramingProblem(unsigned version, const HeaderMap& headers);

// How long a whole body may take to arrive: the body timeout, plus time for
// the declared (or, when chunked, the largest allowed) length at a slow
// client's rate. Re-arming the timer at every read instead would let a client
// hold its connection forever by sending a byte now and then.
std::chrono::milliseconds BodyDeadline(std::chrono::milliseconds body_timeout,
                                       std::size_t expected_bytes);

// Whether a handler may set the response field `name: value`: not a field
// the transport owns, nor a name or value that would split the header (CR,
// LF, NUL, other control bytes except HTAB).
bool IsAllowedResponseField(std::string_view name, std::string_view value);

}  // namespace backpack::http::internal
