#include "http/client_address.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace backpack::http {
namespace {

HeaderMap Forwarded(const std::vector<std::string>& values) {
  HeaderMap headers;
  headers.Add("Host", "backpack.example");
  for (const std::string& value : values) headers.Add("X-Forwarded-For", value);
  return headers;
}

// The forwarded address, or "error: MESSAGE".
std::string ForwardedOrError(const std::vector<std::string>& values) {
  Result<std::string> address = ForwardedClientAddress(Forwarded(values));
  return address ? *address : "error: " + address.error().message();
}

TEST_CASE("IP addresses are normalized as the server prints peer addresses") {
  CHECK(NormalizeIpAddress("192.0.2.7") == "192.0.2.7");
  CHECK(NormalizeIpAddress("2001:DB8:0:0:0:0:0:7") == "2001:db8::7");
  CHECK(NormalizeIpAddress("2001:db8::") == "2001:db8::");
  CHECK(NormalizeIpAddress("::1") == "::1");
  CHECK(NormalizeIpAddress("::FFFF:198.51.100.7") == "::ffff:198.51.100.7");
  CHECK(NormalizeIpAddress("0:0:0:0:0:ffff:c633:6407") == "::ffff:198.51.100.7");
}

TEST_CASE("anything but a bare IP address is not one") {
  for (const char* text : {"",
                           " 192.0.2.7",
                           "192.0.2.7 ",
                           "192.0.2.7:443",
                           "[2001:db8::7]",
                           "[2001:db8::7]:443",
                           "2001:db8::7%eth0",
                           "fe80::1%2",
                           "192.0.2.0/24",
                           "2001:db8::/32",
                           "192.0.2",
                           "192.0.2.7.1",
                           "192.0.2.256",
                           "192.000.2.7",
                           "0x7f.0.0.1",
                           "localhost",
                           "backpack.example",
                           "unknown",
                           "2001:db8::7::1",
                           "2001:db8:0:0:0:0:0:0:7",
                           ":::",
                           "192.0.2.7,198.51.100.7",
                           "192.0.2.7\n",
                           "-"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(NormalizeIpAddress(text));
  }
  CHECK_FALSE(NormalizeIpAddress(std::string("192.0.2.7\0", 10)));
  CHECK_FALSE(NormalizeIpAddress(std::string(100, '1')));
  CHECK_FALSE(NormalizeIpAddress("1111:2222:3333:4444:5555:6666:255.255.255.255:"));
}

TEST_CASE("the trusted proxy list takes IPv4 and IPv6 addresses separated by commas") {
  auto proxies = ParseTrustedProxies("127.0.0.1");
  REQUIRE(proxies);
  CHECK(*proxies == std::vector<std::string>{"127.0.0.1"});
  proxies = ParseTrustedProxies("192.0.2.10,2001:DB8::0:10,::1");
  REQUIRE(proxies);
  CHECK(*proxies == std::vector<std::string>{"192.0.2.10", "2001:db8::10", "::1"});
}

TEST_CASE("a trusted proxy list with anything but IP addresses is refused naming the entry") {
  for (const char* list : {"192.0.2.10,", ",192.0.2.10", "192.0.2.10,,::1", "192.0.2.10, ::1",
                           "proxy.example", "localhost", "192.0.2.0/24", "192.0.2.10:8080", "[::1]",
                           "*", "0.0.0.0/0", "fe80::1%eth0"}) {
    INFO(list);
    auto proxies = ParseTrustedProxies(list);
    REQUIRE_FALSE(proxies);
    CHECK(proxies.error().code() == StatusCode::kInvalidArgument);
    CHECK(proxies.error().message().starts_with("--trusted-proxy: '"));
    CHECK(proxies.error().message().find("is not an IP address") != std::string::npos);
  }
  auto named = ParseTrustedProxies("192.0.2.10,proxy.example");
  REQUIRE_FALSE(named);
  CHECK(named.error().message().starts_with("--trusted-proxy: 'proxy.example' is not"));
  auto empty = ParseTrustedProxies("");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message() == "--trusted-proxy: give one or more IP addresses");
  auto long_entry = ParseTrustedProxies(std::string(10000, 'x'));
  REQUIRE_FALSE(long_entry);
  CHECK(long_entry.error().message().size() < 300);
}

TEST_CASE("a peer is a trusted proxy only if its address is in the list") {
  const std::vector<std::string> proxies = {"127.0.0.1", "2001:db8::10"};
  CHECK(IsTrustedProxy("127.0.0.1", proxies));
  CHECK(IsTrustedProxy("2001:db8::10", proxies));
  CHECK(IsTrustedProxy("::ffff:127.0.0.1", proxies));  // IPv4 on a dual-stack listener
  CHECK_FALSE(IsTrustedProxy("127.0.0.2", proxies));
  CHECK_FALSE(IsTrustedProxy("2001:db8::11", proxies));
  CHECK_FALSE(IsTrustedProxy("::ffff:127.0.0.2", proxies));
  CHECK_FALSE(IsTrustedProxy("", proxies));
  CHECK_FALSE(IsTrustedProxy("127.0.0.1", {}));
  CHECK(IsTrustedProxy("192.0.2.10", {"::ffff:192.0.2.10"}));
}

TEST_CASE("the forwarded address is the rightmost X-Forwarded-For entry, normalized") {
  CHECK(ForwardedOrError({"198.51.100.7"}) == "198.51.100.7");
  CHECK(ForwardedOrError({"  198.51.100.7  "}) == "198.51.100.7");
  CHECK(ForwardedOrError({"203.0.113.9, 198.51.100.7"}) == "198.51.100.7");
  CHECK(ForwardedOrError({"203.0.113.9,198.51.100.7"}) == "198.51.100.7");
  CHECK(ForwardedOrError({"2001:DB8:0::7"}) == "2001:db8::7");
  CHECK(ForwardedOrError({"192.0.2.1, 2001:db8::7"}) == "2001:db8::7");
  // Entries left of the proxy's own are the client's to forge, however odd.
  CHECK(ForwardedOrError({"127.0.0.1, garbage, [2001:db8::1]:80, , 198.51.100.7"}) ==
        "198.51.100.7");
  CHECK(ForwardedOrError({std::string(15000, ',') + "198.51.100.7"}) == "198.51.100.7");
  HeaderMap lower_case;
  lower_case.Add("x-forwarded-for", "203.0.113.9");
  CHECK(ForwardedClientAddress(lower_case) == "203.0.113.9");
}

TEST_CASE("several X-Forwarded-For lines count as one joined with commas, in order") {
  // HAProxy's option forwardfor appends its own line to the one the client sent.
  CHECK(ForwardedOrError({"203.0.113.9", "198.51.100.7"}) == "198.51.100.7");
  CHECK(ForwardedOrError({"198.51.100.7", "203.0.113.9"}) == "203.0.113.9");
  CHECK(ForwardedOrError({"192.0.2.1, 203.0.113.9", "2001:DB8::7"}) == "2001:db8::7");
  CHECK(ForwardedOrError({"garbage", "", "203.0.113.9,198.51.100.7"}) == "198.51.100.7");
  CHECK(ForwardedOrError({"", " 198.51.100.7 "}) == "198.51.100.7");
  HeaderMap mixed_case;
  mixed_case.Add("X-Forwarded-For", "203.0.113.9");
  mixed_case.Add("Accept", "application/json");
  mixed_case.Add("x-forwarded-for", "198.51.100.7");
  CHECK(ForwardedClientAddress(mixed_case) == "198.51.100.7");
}

TEST_CASE("a trusted proxy's missing, empty or malformed X-Forwarded-For is refused") {
  const std::string kNotAddress =
      "error: the last X-Forwarded-For entry from a trusted proxy is not an IP address";
  const std::string kEmpty = "error: empty X-Forwarded-For field from a trusted proxy";
  CHECK(ForwardedOrError({}) ==
        "error: a request through a trusted proxy needs an X-Forwarded-For field");
  CHECK(ForwardedOrError({""}) == kEmpty);
  CHECK(ForwardedOrError({" \t "}) == kEmpty);
  CHECK(ForwardedOrError({"", " "}) == kEmpty);
  // The rightmost entry of the joined list is the last line's, whatever came before.
  CHECK(ForwardedOrError({"198.51.100.7", ""}) == kNotAddress);
  CHECK(ForwardedOrError({"198.51.100.7", " "}) == kNotAddress);
  CHECK(ForwardedOrError({"198.51.100.7", "203.0.113.9,"}) == kNotAddress);
  CHECK(ForwardedOrError({"198.51.100.7", "unknown"}) == kNotAddress);
  CHECK(ForwardedOrError({"198.51.100.7", "203.0.113.9:443"}) == kNotAddress);
  for (const std::string& value :
       {std::string("198.51.100.7,"), std::string("198.51.100.7, "), std::string(","),
        std::string("198.51.100.7:443"), std::string("[2001:db8::7]"),
        std::string("[2001:db8::7]:443"), std::string("unknown"), std::string("_hidden"),
        std::string("198.51.100.7 203.0.113.9"), std::string("2001:db8::7%eth0"),
        std::string("198.51.100.0/24"), std::string(15000, '9'),
        std::string("192.0.2.1,") + std::string(15000, 'a')}) {
    INFO(value.substr(0, 40));
    CHECK(ForwardedOrError({value}) == kNotAddress);
  }
  Result<std::string> none = ForwardedClientAddress(HeaderMap{});
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("X-Forwarded-For counts only from a trusted proxy") {
  const std::vector<std::string> proxies = {"127.0.0.1"};
  const HeaderMap forged = Forwarded({"198.51.100.7"});
  CHECK(ClientAddress("192.0.2.50", proxies, forged) == "192.0.2.50");
  CHECK(ClientAddress("192.0.2.50", {}, forged) == "192.0.2.50");
  CHECK(ClientAddress("127.0.0.1", {}, forged) == "127.0.0.1");
  // Not from a proxy, a malformed header is ignored, not refused.
  CHECK(ClientAddress("192.0.2.50", proxies, Forwarded({"x", "y"})) == "192.0.2.50");
  CHECK(ClientAddress("127.0.0.1", proxies, Forwarded({"198.51.100.9", "198.51.100.7"})) ==
        "198.51.100.7");
  CHECK(ClientAddress("127.0.0.1", proxies, forged) == "198.51.100.7");
  CHECK(ClientAddress("::ffff:127.0.0.1", proxies, forged) == "198.51.100.7");
  CHECK_FALSE(ClientAddress("127.0.0.1", proxies, Forwarded({"x"})));
  CHECK_FALSE(ClientAddress("127.0.0.1", proxies, HeaderMap{}));
}

}  // namespace
}  // namespace backpack::http
