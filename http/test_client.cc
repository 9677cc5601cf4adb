#include "http/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace backpack::http::testing {
namespace {

constexpr size_t kMaxHeaderBlock = 1 << 20;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

std::optional<ClientResponse> ParseHead(std::string_view head) {
  ClientResponse response;
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.substr(0, 9) != "HTTP/1.1 " || status_line.size() < 12) return std::nullopt;
  response.status = std::stoi(std::string(status_line.substr(9, 3)));
  while (line_end != std::string_view::npos && line_end + 2 < head.size()) {
    size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string_view line = head.substr(start, line_end - start);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    response.headers[Lower(std::string(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  }
  return response;
}

}  // namespace

std::string ClientResponse::Header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? std::string() : it->second;
}

TestClient::TestClient(uint16_t port, std::chrono::milliseconds timeout, const std::string& source)
    : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  if (!source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      Close();
      return;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) Close();
}

TestClient::~TestClient() { Close(); }

void TestClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TestClient::Send(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return fd_ >= 0;
}

bool TestClient::ReceiveMore() {
  if (fd_ < 0) return false;
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout_.count())) <= 0) return false;
  char chunk[16384];
  ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) return false;
  pending_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<size_t> TestClient::ReadHeaderBlock() {
  while (pending_.find("\r\n\r\n") == std::string::npos) {
    if (pending_.size() > kMaxHeaderBlock || !ReceiveMore()) return std::nullopt;
  }
  return pending_.find("\r\n\r\n") + 4;
}

std::optional<ClientResponse> TestClient::ReadResponse(bool to_head) {
  std::optional<size_t> head_size = ReadHeaderBlock();
  if (!head_size) return std::nullopt;
  std::optional<ClientResponse> response =
      ParseHead(std::string_view(pending_).substr(0, *head_size));
  if (!response) return std::nullopt;
  pending_.erase(0, *head_size);
  if (response->status == 100) {  // Interim; read the final one.
    ++continues_received_;
    return ReadResponse(to_head);
  }
  // A HEAD's reply, a 204 and a 304 have no body (RFC 9112 §6.3).
  if (to_head || response->status == 204 || response->status == 304) return response;
  std::string length = response->Header("content-length");
  if (length.empty()) {
    while (ReceiveMore()) {
    }
    response->body = std::move(pending_);
    pending_.clear();
    return response;
  }
  const size_t body_size = std::stoul(length);
  while (pending_.size() < body_size) {
    if (!ReceiveMore()) return std::nullopt;
  }
  response->body = pending_.substr(0, body_size);
  pending_.erase(0, body_size);
  return response;
}

bool TestClient::WaitForClose(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fd_ >= 0 && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return true;
  }
  return false;
}

std::string BuildRequest(std::string_view method, std::string_view target, std::string_view body,
                         std::string_view extra_headers) {
  std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  request += "Host: 127.0.0.1\r\n";
  if (!body.empty()) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += std::string(extra_headers) + "\r\n" + std::string(body);
  return request;
}

std::optional<ClientResponse> RoundTrip(uint16_t port, std::string_view request) {
  TestClient client(port);
  if (!client.Send(request)) return std::nullopt;
  return client.ReadResponse(/*to_head=*/request.starts_with("HEAD "));
}

}  // namespace backpack::http::testing
