// Harness for the HTTP integration tests: runs the real `backpack` binary
// (env BACKPACK_BIN) as CLI commands and as a `serve` child process on an
// ephemeral 127.0.0.1 port, over a synthetic demo district.
//
// Every wait is bounded. Thread-safety: none; use from the test's thread
// (ServerProcess::Call may run concurrently from several threads).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/test_client.h"
#include "tests/process.h"

namespace backpack::testing {

using http::testing::ClientResponse;

// A demo district (`backpack demo --students 60`) created once per test
// process; each test takes a private copy of it.
class DemoStore {
 public:
  // Copies the shared demo data directory into `dir` (which must not exist).
  static void CopyTo(const std::filesystem::path& dir);
  // username -> password from demo-credentials.txt.
  static const std::map<std::string, std::string>& Passwords();
  // username -> role.
  static const std::map<std::string, std::string>& Roles();
  // The first user with `role` whose name is not in `skip`.
  static std::string AnyUserWithRole(const std::string& role, const std::string& skip = "");
};

// `backpack --data DIR serve --listen 127.0.0.1:0 --threads 2 EXTRA...` as a
// child process. The destructor SIGKILLs it if it still runs.
class ServerProcess {
 public:
  ServerProcess(std::filesystem::path data, std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts it and waits (bounded) for "listening on http://127.0.0.1:PORT".
  // False if it exited or did not print that line.
  bool Start();
  // SIGTERM, then waits up to `timeout`; the exit code, or -1 (then SIGKILLed).
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(30));
  // SIGKILL and reap.
  void Kill();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  // The child's stderr so far.
  std::string Log() const;

  // One request on a fresh connection. `headers` are "Name: value\r\n" lines.
  std::optional<ClientResponse> Call(const std::string& method, const std::string& target,
                                     const std::string& body = "",
                                     const std::string& headers = "") const;
  // JSON request with `Authorization: Bearer token` (if non-empty).
  std::optional<ClientResponse> Json(const std::string& method, const std::string& target,
                                     const std::string& token, const std::string& body = "") const;
  // POST /api/session; the response.
  std::optional<ClientResponse> Login(const std::string& username,
                                      const std::string& password) const;
  // The token of a successful login as a demo user, or "" on failure.
  std::string TokenFor(const std::string& username) const;
  // True if GET /healthz answers 200 within a few seconds.
  bool Healthy() const;

 private:
  std::filesystem::path data_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
};

// The string value of top-level key `key` in a JSON object body; "" if absent.
std::string JsonField(const std::string& body, const std::string& key);

}  // namespace backpack::testing
