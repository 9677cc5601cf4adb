// System routes through a real `backpack serve`: health, metrics, and the
// public transparency-log routes, whose proofs must verify against the
// signed checkpoints they serve.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/bytes.h"
#include "core/store.h"
#include "events/checkpoint.h"
#include "events/merkle.h"
#include "tests/http_harness.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

namespace json = boost::json;

struct Served {
  Served() : data(dir.path() / "data"), server((DemoStore::CopyTo(data), data)) {
    REQUIRE(server.Start());
  }
  TempDir dir;
  std::filesystem::path data;
  ServerProcess server;
};

json::object Object(const std::optional<ClientResponse>& response) {
  REQUIRE(response);
  json::value value = json::parse(response->body);
  REQUIRE(value.is_object());
  return value.as_object();
}

std::vector<Hash256> Hashes(const std::optional<ClientResponse>& response) {
  REQUIRE(response);
  REQUIRE(response->status == 200);
  std::vector<Hash256> out;
  const json::object body = Object(response);
  for (const auto& hex : body.at("hashes").as_array()) {
    auto bytes = FromHex(std::string(hex.as_string()));
    REQUIRE(bytes);
    REQUIRE(bytes->size() == 32);
    Hash256 hash;
    std::copy(bytes->begin(), bytes->end(), hash.begin());
    out.push_back(hash);
  }
  return out;
}

// The served checkpoint, verified with the served public key.
Checkpoint VerifiedCheckpoint(const ServerProcess& server) {
  json::object key = Object(server.Call("GET", "/api/log/public-key"));
  auto public_key = FromHex(std::string(key.at("public_key").as_string()));
  REQUIRE(public_key);
  REQUIRE(public_key->size() == kEd25519PublicKeySize);
  Ed25519PublicKey pk;
  std::copy(public_key->begin(), public_key->end(), pk.begin());
  std::string origin(key.at("origin").as_string());
  CHECK(key.at("verifier_key").as_string() == NoteVerifierKey(origin, pk));

  auto note = server.Call("GET", "/api/log/checkpoint");
  REQUIRE(note);
  REQUIRE(note->status == 200);
  CHECK(note->Header("content-type").starts_with("text/plain"));
  auto checkpoint = VerifyCheckpoint(note->body, origin, pk);
  REQUIRE(checkpoint);
  return *checkpoint;
}

uint64_t LastSeq(const ServerProcess& server) {
  return Object(server.Call("GET", "/healthz")).at("last_seq").to_number<uint64_t>();
}

// The stored bytes of event `seq`, read from the server's store read-only.
Bytes StoredEvent(const std::filesystem::path& data, uint64_t seq) {
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open((data / "db").string(), options);
  REQUIRE(store);
  auto key = EncodeBigEndian64(seq);
  auto value = (*store)->Get("log", key);
  REQUIRE(value);
  REQUIRE(value->has_value());
  return **value;
}

// The value of an unlabelled metric in a Prometheus exposition; -1 if absent.
double MetricValue(const std::string& exposition, const std::string& name) {
  const std::string line_start = "\n" + name + " ";
  const size_t at = exposition.find(line_start);
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + line_start.size()));
}

TEST_CASE("healthz reports the last sequence number and metrics include the log's figures") {
  Served s;
  auto health = s.server.Call("GET", "/healthz");
  REQUIRE(health->status == 200);
  json::object body = Object(health);
  CHECK(body.at("status") == "ok");
  const uint64_t before = body.at("last_seq").to_number<uint64_t>();
  REQUIRE(s.server.Login("principal", DemoStore::Passwords().at("principal"))->status == 201);
  CHECK(LastSeq(s.server) == before + 1);

  auto metrics = s.server.Call("GET", "/metrics");
  REQUIRE(metrics->status == 200);
  CHECK(metrics->Header("content-type").starts_with("text/plain"));
  for (const char* name : {"backpack_http_request_duration_seconds_count",
                           "backpack_log_events_appended_total", "backpack_log_commit_groups_total",
                           "backpack_log_last_group_events", "backpack_log_syncs_total",
                           "backpack_log_sync_seconds_total", "backpack_sessions_active 1"}) {
    INFO(name);
    CHECK(metrics->body.find(name) != std::string::npos);
  }
  // The sign-in was fsync'd: the longest fsync took some time, and no more
  // than all of them together.
  const double longest = MetricValue(metrics->body, "backpack_log_sync_seconds_max");
  CHECK(longest > 0);
  CHECK(longest <= MetricValue(metrics->body, "backpack_log_sync_seconds_total"));
}

// The server's memory holds the store's keys and decrypted records.
TEST_CASE("serve runs with core files off, so that a crash writes none of its memory") {
  Served s;
  std::ifstream limits("/proc/" + std::to_string(s.server.pid()) + "/limits");
  REQUIRE(limits);
  std::string line, core_limit;
  while (std::getline(limits, line)) {
    if (line.starts_with("Max core file size")) core_limit = line;
  }
  INFO(core_limit);
  std::istringstream fields(core_limit.substr(std::string("Max core file size").size()));
  std::string soft, hard;
  fields >> soft >> hard;
  CHECK(soft == "0");
  CHECK(hard == "0");
}

TEST_CASE("the served checkpoint is signed, and inclusion proofs verify against it") {
  Served s;
  Checkpoint checkpoint = VerifiedCheckpoint(s.server);
  REQUIRE(checkpoint.size > 1);
  for (uint64_t seq : {uint64_t{0}, checkpoint.size / 2, checkpoint.size - 1}) {
    auto proof = Hashes(s.server.Call("GET", "/api/log/proof/inclusion?seq=" + std::to_string(seq) +
                                                 "&size=" + std::to_string(checkpoint.size)));
    Hash256 leaf = merkle::LeafHash(StoredEvent(s.data, seq));
    INFO("seq " << seq);
    CHECK(merkle::VerifyInclusion(seq, checkpoint.size, leaf, proof, checkpoint.root).ok());
    Hash256 wrong_leaf = merkle::LeafHash(StoredEvent(s.data, (seq + 1) % checkpoint.size));
    CHECK_FALSE(
        merkle::VerifyInclusion(seq, checkpoint.size, wrong_leaf, proof, checkpoint.root).ok());
  }
}

TEST_CASE("consistency proofs link an older checkpoint to a newer one") {
  Served s;
  Checkpoint old_checkpoint = VerifiedCheckpoint(s.server);
  REQUIRE(s.server.Login("principal", DemoStore::Passwords().at("principal"))->status == 201);
  Checkpoint new_checkpoint = old_checkpoint;
  for (int i = 0; i < 100 && new_checkpoint.size == old_checkpoint.size; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    new_checkpoint = VerifiedCheckpoint(s.server);
  }
  REQUIRE(new_checkpoint.size > old_checkpoint.size);
  auto proof = Hashes(s.server.Call(
      "GET", "/api/log/proof/consistency?from=" + std::to_string(old_checkpoint.size) +
                 "&to=" + std::to_string(new_checkpoint.size)));
  CHECK(merkle::VerifyConsistency(old_checkpoint.size, new_checkpoint.size, old_checkpoint.root,
                                  new_checkpoint.root, proof)
            .ok());
}

TEST_CASE("proof requests with bad or out-of-range numbers get 400") {
  Served s;
  const uint64_t size = LastSeq(s.server) + 1;
  const std::string n = std::to_string(size);
  const std::string past = std::to_string(size + 1);
  for (const std::string& query :
       {std::string("inclusion"), std::string("inclusion?seq=0"), "inclusion?seq=abc&size=" + n,
        "inclusion?seq=-1&size=" + n, "inclusion?seq=" + n + "&size=" + n,
        "inclusion?seq=0&size=" + past, std::string("inclusion?seq=0&size=0"),
        "inclusion?seq=0x1&size=" + n, "inclusion?seq=1%20&size=" + n,
        std::string("inclusion?seq=0&size=99999999999999999999999999"),
        std::string("consistency?from=0&to=1"), std::string("consistency?from=2&to=1"),
        "consistency?from=1&to=" + past, std::string("consistency?from=&to=")}) {
    auto response = s.server.Call("GET", "/api/log/proof/" + query);
    INFO(query);
    REQUIRE(response);
    CHECK(response->status == 400);
    CHECK(Object(response).at("error").at("code") == "bad_request");
  }
  CHECK(s.server.Healthy());
}

// Percent-encodes a query value (spaces and anything not alphanumeric).
std::string QueryValue(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

TEST_CASE("the server's log holds no personal data, search text, passwords or tokens") {
  Served s;
  const std::string principal = s.server.TokenFor("principal");
  const std::string privacy = s.server.TokenFor("privacy");
  REQUIRE_FALSE(principal.empty());
  REQUIRE_FALSE(privacy.empty());
  json::object page = Object(s.server.Json("GET", "/api/students?q=&limit=5", principal));
  const json::object& first = page.at("students").as_array().at(0).as_object();
  const std::string id(first.at("id").as_string());
  const std::string name(first.at("name").as_string());
  REQUIRE(name.find(' ') != std::string::npos);
  const std::string me_id(Object(s.server.Json("GET", "/api/me", principal)).at("id").as_string());

  REQUIRE(s.server.Json("GET", "/api/students?q=" + QueryValue(name), principal)->status == 200);
  REQUIRE(s.server.Json("GET", "/api/students/" + id + "/profile", principal)->status == 200);
  REQUIRE(s.server.Json("GET", "/api/students/" + id + "/history", privacy)->status == 200);
  const std::string note = "Synthetic note Quokka-Lantern";
  REQUIRE(s.server
              .Json("POST", "/api/students/" + id + "/notes", principal,
                    R"({"kind":"other","text":")" + note + R"(","restricted":false})")
              ->status == 201);
  json::object report = Object(s.server.Json(
      "GET", "/api/audit/breach-report?actor_id=" + me_id + "&since=2000-01-01&until=2100-01-01",
      privacy));
  std::vector<std::string> emails;
  for (const json::value& student : report.at("students").as_array()) {
    for (const json::value& g : student.at("guardians").as_array()) {
      if (g.at("email").is_string()) emails.emplace_back(g.at("email").as_string());
    }
  }
  REQUIRE_FALSE(emails.empty());
  const std::string typed_user = "Synthetic-Typed-Username";
  REQUIRE(s.server.Login(typed_user, "a wrong synthetic password")->status == 401);

  const std::string log = s.server.Log();
  REQUIRE(log.find("/api/students") != std::string::npos);  // requests are logged
  CHECK(log.find(name) == std::string::npos);
  CHECK(log.find(QueryValue(name)) == std::string::npos);
  CHECK(log.find(note) == std::string::npos);
  for (const std::string& email : emails) CHECK(log.find(email) == std::string::npos);
  CHECK(log.find(typed_user) == std::string::npos);
  CHECK(log.find("a wrong synthetic password") == std::string::npos);
  CHECK(log.find(DemoStore::Passwords().at("principal")) == std::string::npos);
  CHECK(log.find(principal) == std::string::npos);
  CHECK(log.find(privacy) == std::string::npos);
}

// A loopback port something listens on, for as long as this object lives.
class BusyPort {
 public:
  BusyPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 1) == 0);
    socklen_t size = sizeof address;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~BusyPort() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_ = 0;
};

TEST_CASE("serve on a busy port fails in one line and does not log that it stopped") {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  REQUIRE(RunBackpack({"--data", data, "init"}).exit_code == 0);
  BusyPort busy;
  CliResult serve =
      RunBackpack({"--data", data, "serve", "--listen", "127.0.0.1:" + std::to_string(busy.port())},
                  "", std::chrono::seconds(60));
  INFO(serve.err);
  CHECK(serve.exit_code == 3);
  CHECK(serve.err.starts_with("backpack: cannot listen on 127.0.0.1:"));
  CHECK(serve.err.find("stopped") == std::string::npos);
  CHECK(std::count(serve.err.begin(), serve.err.end(), '\n') == 1);
}

TEST_CASE("serve and demo refuse a listen address that is none before touching the store") {
  TempDir dir;
  const std::filesystem::path data = dir.path() / "data";
  for (const std::string command : {"serve", "demo"}) {
    INFO(command);
    CliResult refused = RunBackpack({"--data", data.string(), command, "--listen", "nohost:8080"});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("give an IP address") != std::string::npos);
    CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(data));  // demo did not create the store first
  }
}

}  // namespace
}  // namespace backpack::testing
