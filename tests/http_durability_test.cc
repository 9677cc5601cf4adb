// Durability and fail-closed behaviour of `backpack serve`: a full disk
// (invariant 3), SIGKILL during writes, clean shutdown, a taken port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "tests/http_harness.h"
#include "tests/small_disk.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// `text` between two `mark`s (spelled out: GCC 12 warns falsely on `c + s + c`).
std::string Surrounded(const std::string& text, char mark) {
  std::string out(1, mark);
  out.append(text);
  out.push_back(mark);
  return out;
}

std::vector<std::string> StudentIds(const ServerProcess& server, const std::string& token) {
  auto response = server.Json("GET", "/api/students?q=", token);
  REQUIRE(response);
  REQUIRE(response->status == 200);
  std::vector<std::string> ids;
  const json::value body = json::parse(response->body);
  for (const auto& hit : body.at("students").as_array()) {
    ids.emplace_back(hit.at("id").as_string());
  }
  REQUIRE_FALSE(ids.empty());
  return ids;
}

// The value of an unlabelled metric in a Prometheus exposition; -1 if absent.
double MetricValue(const std::string& exposition, const std::string& name) {
  const std::string line_start = "\n" + name + " ";
  const size_t at = exposition.find(line_start);
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + line_start.size()));
}

TEST_CASE("a full disk fails audited reads closed (503, no data) until space returns") {
  TempDir dir;
  SmallDisk disk(dir.path() / "disk", "160m");
  if (!disk.mounted()) {
    WARN("skipped: mounting a tmpfs needs root (as in CI)");
    return;
  }
  const fs::path data = dir.path() / "disk" / "data";
  DemoStore::CopyTo(data);
  ServerProcess server(data);
  REQUIRE(server.Start());
  const std::string token = server.TokenFor("principal");
  REQUIRE_FALSE(token.empty());
  const std::string student = StudentIds(server, token).front();
  const std::string profile = "/api/students/" + student + "/profile";
  REQUIRE(server.Json("GET", profile, token)->status == 200);

  disk.FillLeaving(4u << 20);  // below the store's 16 MiB free-space guard
  for (int i = 0; i < 3; ++i) {
    auto refused = server.Json("GET", profile, token);
    REQUIRE(refused);
    CHECK(refused->status == 503);
    CHECK(refused->body.find("audit_unavailable") != std::string::npos);
    CHECK(refused->body.find(student) == std::string::npos);
    CHECK(refused->body.find("\"student\"") == std::string::npos);
  }
  auto search = server.Json("GET", "/api/students?q=", token);
  CHECK(search->status == 503);
  CHECK(search->body.find("stu_") == std::string::npos);
  // The server stays up, and its health check says that audited reads fail.
  auto health = server.Call("GET", "/healthz");
  REQUIRE(health);
  CHECK(health->status == 503);
  CHECK(JsonField(health->body, "status") == "failing");
  CHECK(JsonField(health->body, "audit") == "unavailable");
  CHECK(JsonField(health->body, "reason").find("the disk is full") != std::string::npos);
  auto metrics = server.Call("GET", "/metrics");
  REQUIRE(metrics);
  CHECK(MetricValue(metrics->body, "backpack_audit_available") == 0);
  CHECK(MetricValue(metrics->body, "backpack_store_free_bytes") >= 0);
  CHECK(MetricValue(metrics->body, "backpack_store_free_bytes") < 16 << 20);

  disk.Free();
  const auto healthy_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!server.Healthy() && std::chrono::steady_clock::now() < healthy_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // no request to recover
  }
  CHECK(server.Healthy());
  metrics = server.Call("GET", "/metrics");
  REQUIRE(metrics);
  CHECK(MetricValue(metrics->body, "backpack_audit_available") == 1);
  std::optional<ClientResponse> again;
  const auto served_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    again = server.Json("GET", profile, token);
    if ((again && again->status == 200) || std::chrono::steady_clock::now() >= served_deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(again);
  CHECK(again->status == 200);
  CHECK(again->body.find(student) != std::string::npos);
  CHECK(server.Stop() == 0);
  CHECK(RunBackpack({"--data", data.string(), "verify"}).exit_code == 0);

  // A command that would open the store for writing on a full disk says so
  // (RocksDB itself aborts the process when opening hits a full disk).
  disk.FillLeaving(0);
  CliResult full = RunBackpack({"--data", data.string(), "checkpoint"});
  CHECK(full.exit_code == 3);
  CHECK(full.err.find("the disk is full") != std::string::npos);
  CHECK(RunBackpack({"--data", data.string(), "verify"}).exit_code == 0);  // reads only
  disk.Free();
  CHECK(RunBackpack({"--data", data.string(), "checkpoint"}).exit_code == 0);
}

// Note ids acknowledged with 201, by student.
struct Acknowledged {
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> notes;
  size_t count = 0;
};

void WriteNotesUntilRefused(const ServerProcess& server, const std::string& token,
                            const std::vector<std::string>& students, int seed,
                            Acknowledged* acked) {
  std::mt19937 random(seed);
  for (int i = 0; i < 2000; ++i) {
    const std::string& student = students[random() % students.size()];
    auto response = server.Json("POST", "/api/students/" + student + "/notes", token,
                                R"({"kind":"other","text":"synthetic durability note )" +
                                    std::to_string(i) + R"(","restricted":false})");
    if (!response) return;  // the server is gone
    if (response->status != 201) continue;
    std::string id = JsonField(response->body, "id");
    std::lock_guard lock(acked->mu);
    acked->notes[student].push_back(id);
    ++acked->count;
  }
}

TEST_CASE("every write acknowledged with 201 survives SIGKILL, and the log verifies") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  DemoStore::CopyTo(data);
  Acknowledged acked;
  {
    ServerProcess server(data);
    REQUIRE(server.Start());
    const std::string token = server.TokenFor("principal");
    REQUIRE_FALSE(token.empty());
    const std::vector<std::string> students = StudentIds(server, token);
    std::vector<std::thread> writers;
    std::atomic<int> writers_done{0};
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        WriteNotesUntilRefused(server, token, students, t + 1, &acked);
        ++writers_done;
      });
    }
    // Until enough writes are in flight (or the writers have given up).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (writers_done < 4 && std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(acked.mu);
        if (acked.count >= 40) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    server.Kill();
    for (auto& writer : writers) writer.join();
  }
  REQUIRE(acked.count >= 40);

  ServerProcess restarted(data);
  REQUIRE(restarted.Start());
  const std::string token = restarted.TokenFor("principal");
  for (const auto& [student, notes] : acked.notes) {
    auto profile = restarted.Json("GET", "/api/students/" + student + "/profile", token);
    REQUIRE(profile);
    REQUIRE(profile->status == 200);
    for (const std::string& note : notes) {
      INFO("note " << note << " acknowledged before SIGKILL");
      CHECK(profile->body.find(Surrounded(note, '"')) != std::string::npos);
    }
  }
  CHECK(restarted.Stop() == 0);
  CliResult verify = RunBackpack({"--data", data.string(), "verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(RunBackpack({"--data", data.string(), "rebuild", "--check"}).exit_code == 0);
}

TEST_CASE("SIGTERM stops the server cleanly with a final checkpoint") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  DemoStore::CopyTo(data);
  ServerProcess server(data);
  REQUIRE(server.Start());
  REQUIRE_FALSE(server.TokenFor("principal").empty());
  // While it runs, a command that writes to the store says why it cannot.
  CliResult locked = RunBackpack({"--data", data.string(), "rebuild"});
  CHECK(locked.exit_code == 3);
  CHECK(locked.err.find("in use by another process") != std::string::npos);
  // `checkpoint` prints the latest one the server stored, and only that.
  CliResult beside = RunBackpack({"--data", data.string(), "checkpoint"});
  INFO(beside.err);
  CHECK(beside.exit_code == 0);
  CHECK(beside.err.empty());
  CHECK(beside.out.starts_with("backpack.local/"));
  CHECK(beside.out.find("\n\n\xE2\x80\x94 ") != std::string::npos);  // the signature line
  CHECK(std::count(beside.out.begin(), beside.out.end(), '\n') == 5);
  CHECK(server.Stop() == 0);
  CHECK(server.Log().find("stopped") != std::string::npos);
  CliResult verify = RunBackpack({"--data", data.string(), "verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  // The checkpoint covers the sign-in appended just before the stop.
  CliResult checkpoint = RunBackpack({"--data", data.string(), "checkpoint"});
  REQUIRE(checkpoint.exit_code == 0);
  const std::string verified = verify.out.substr(verify.out.find("verified ") + 9);
  CHECK(checkpoint.out.find(Surrounded(verified.substr(0, verified.find(' ')), '\n')) !=
        std::string::npos);
}

TEST_CASE("a port already in use exits 3 with a message naming the address") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  DemoStore::CopyTo(data);
  int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(taken >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(taken, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(::listen(taken, 1) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(::getsockname(taken, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const std::string listen = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  CliResult served = RunBackpack({"--data", data.string(), "serve", "--listen", listen}, "",
                                 std::chrono::seconds(60));
  ::close(taken);
  CHECK(served.exit_code == 3);
  CHECK(served.err.find(listen) != std::string::npos);
  CHECK(RunBackpack({"--data", data.string(), "serve", "--listen", "nonsense"}).exit_code == 2);
}

}  // namespace
}  // namespace backpack::testing
