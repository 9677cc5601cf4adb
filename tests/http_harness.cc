#include "tests/http_harness.h"

#include "tests/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace backpack::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct SharedDemo {
  fs::path dir;
  std::map<std::string, std::string> passwords;
  std::map<std::string, std::string> roles;
  ~SharedDemo() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

SharedDemo& Demo() {
  static SharedDemo demo = [] {
    SharedDemo created;
    created.dir = fs::temp_directory_path() / ("backpack-http-demo-" + std::to_string(getpid()));
    fs::remove_all(created.dir);
    CliResult made = RunBackpack({"--data", created.dir.string(), "demo", "--students", "60"});
    if (made.exit_code != 0) throw std::runtime_error("backpack demo failed: " + made.err);
    std::ifstream in(created.dir / "demo-credentials.txt");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string username, password, role;
      if (std::getline(fields, username, '\t') && std::getline(fields, password, '\t') &&
          std::getline(fields, role, '\t')) {
        created.passwords[username] = password;
        created.roles[username] = role;
      }
    }
    return created;
  }();
  return demo;
}

}  // namespace

void DemoStore::CopyTo(const fs::path& dir) {
  fs::copy(Demo().dir, dir, fs::copy_options::recursive);
}

const std::map<std::string, std::string>& DemoStore::Passwords() { return Demo().passwords; }
const std::map<std::string, std::string>& DemoStore::Roles() { return Demo().roles; }

std::string DemoStore::AnyUserWithRole(const std::string& role, const std::string& skip) {
  for (const auto& [username, user_role] : Roles()) {
    if (user_role == role && username != skip) return username;
  }
  return "";
}

ServerProcess::ServerProcess(fs::path data, std::vector<std::string> extra_args)
    : data_(std::move(data)), extra_args_(std::move(extra_args)) {}

ServerProcess::~ServerProcess() { Kill(); }

bool ServerProcess::Start() {
  std::vector<std::string> args = {BackpackBin(), "--data",      data_.string(), "serve",
                                   "--listen",    "127.0.0.1:0", "--threads",    "2"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return false;
  std::string log = data_.string() + ".serve.log";
  int err = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  pid_ = Spawn(args, -1, out[1], err);
  close(out[1]);
  if (err >= 0) close(err);
  stdout_fd_ = out[0];
  if (pid_ <= 0) return false;
  std::string text;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  const std::string marker = "listening on http://127.0.0.1:";
  while (Clock::now() < deadline) {
    size_t at = text.find(marker);
    if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
      port_ = static_cast<uint16_t>(std::stoi(text.substr(at + marker.size())));
      return true;
    }
    if (!Drain(stdout_fd_, &text, 100)) break;
  }
  Kill();
  return false;
}

int ServerProcess::Stop(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  std::optional<int> code = WaitUntil(pid_, Clock::now() + timeout);
  if (!code) {
    Kill();
    return -1;
  }
  pid_ = -1;
  close(stdout_fd_);
  stdout_fd_ = -1;
  return *code;
}

void ServerProcess::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
}

std::string ServerProcess::Log() const {
  std::ifstream in(data_.string() + ".serve.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<ClientResponse> ServerProcess::Call(const std::string& method,
                                                  const std::string& target,
                                                  const std::string& body,
                                                  const std::string& headers) const {
  http::testing::TestClient client(port_, std::chrono::milliseconds(30'000));
  if (!client.Send(
          http::testing::BuildRequest(method, target, body, headers + "Connection: close\r\n"))) {
    return std::nullopt;
  }
  return client.ReadResponse();
}

std::optional<ClientResponse> ServerProcess::Json(const std::string& method,
                                                  const std::string& target,
                                                  const std::string& token,
                                                  const std::string& body) const {
  std::string headers = "Content-Type: application/json\r\n";
  if (!token.empty()) headers += "Authorization: Bearer " + token + "\r\n";
  return Call(method, target, body, headers);
}

std::optional<ClientResponse> ServerProcess::Login(const std::string& username,
                                                   const std::string& password) const {
  boost::json::object body{{"username", username}, {"password", password}};
  return Json("POST", "/api/session", "", boost::json::serialize(body));
}

std::string ServerProcess::TokenFor(const std::string& username) const {
  auto it = DemoStore::Passwords().find(username);
  if (it == DemoStore::Passwords().end()) return "";
  auto response = Login(username, it->second);
  if (!response || response->status != 201) return "";
  return JsonField(response->body, "token");
}

bool ServerProcess::Healthy() const {
  auto response = Call("GET", "/healthz");
  return response && response->status == 200;
}

std::string JsonField(const std::string& body, const std::string& key) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return "";
  const boost::json::value* field = value.as_object().if_contains(key);
  if (!field || !field->is_string()) return "";
  return std::string(field->as_string());
}

}  // namespace backpack::testing
