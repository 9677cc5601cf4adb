// A small blocking HTTP/1.1 client over POSIX sockets, for tests only. It
// talks to 127.0.0.1 and bounds every wait with a timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace backpack::http::testing {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // Names lowercased.
  std::string body;

  std::string Header(const std::string& lowercase_name) const;
};

class TestClient {
 public:
  // Connects to 127.0.0.1:`port` from `source` (another loopback address
  // such as "127.0.0.2" poses as a second client; "" lets the kernel pick);
  // every later read waits at most `timeout`.
  explicit TestClient(uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                      const std::string& source = "");
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all of `bytes`; false on error.
  bool Send(std::string_view bytes);
  // Reads one response (Content-Length or read-to-close bodies; none at all
  // for the reply to a HEAD, a 204 or a 304). Nullopt on timeout, close before a complete
  // response, or garbage.
  std::optional<ClientResponse> ReadResponse(bool to_head = false);
  // True if the server closes the connection (EOF or reset) within `timeout`;
  // data received meanwhile is discarded.
  bool WaitForClose(std::chrono::milliseconds timeout);
  // How many "100 Continue" interim responses ReadResponse has skipped.
  int continues_received() const { return continues_received_; }
  void Close();

 private:
  // Appends received bytes to pending_; false on close, error or timeout.
  bool ReceiveMore();
  std::optional<size_t> ReadHeaderBlock();

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string pending_;
  int continues_received_ = 0;
};

// "METHOD TARGET HTTP/1.1" with Host, Content-Length when `body` is non-empty,
// and `extra_headers` (each "Name: value\r\n").
std::string BuildRequest(std::string_view method, std::string_view target,
                         std::string_view body = {}, std::string_view extra_headers = {});

// Connects, sends `request`, reads one response (bodiless if `request` is a HEAD).
std::optional<ClientResponse> RoundTrip(uint16_t port, std::string_view request);

}  // namespace backpack::http::testing
