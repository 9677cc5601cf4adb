// Durability: a process appending with many concurrent callers is SIGKILLed
// at random moments; on reopen every acknowledged append is present, intact
// and verifiable.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "events/verifier.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

// Runs the appender until `millis` after it is ready (its store and log
// open, however slowly the machine runs), SIGKILLs it, and returns what it
// printed after "ready". `bulk`: the appender writes each group as ingested
// table files.
std::string RunAndKill(const std::filesystem::path& dir, int round, int millis, bool bulk) {
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    std::string r = std::to_string(round);
    execl(CRASH_APPENDER, CRASH_APPENDER, dir.c_str(), r.c_str(), bulk ? "bulk" : nullptr, nullptr);
    _exit(127);
  }
  close(out[1]);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  std::string output;
  char buf[65536];
  constexpr std::string_view kReady = "ready\n";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  bool ready = false;
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n == 0) break;  // it exited by itself (and the checks below fail)
    if (n > 0) {
      output.append(buf, n);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!ready && output.starts_with(kReady)) {
      ready = true;
      deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(millis);
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  fcntl(out[0], F_SETFL, 0);
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) output.append(buf, n);
  close(out[0]);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(ready);
  return output.substr(kReady.size());
}

std::map<uint64_t, std::string> ParseAcks(const std::string& output) {
  std::map<uint64_t, std::string> acks;
  std::istringstream in(output);
  std::string word, request_id;
  uint64_t seq;
  while (in >> word >> seq >> request_id) {
    if (word == "ack") acks[seq] = request_id;
  }
  return acks;
}

}  // namespace

TEST_CASE("every acknowledged append survives SIGKILL and the log still verifies") {
  // Through the write-ahead log, and as ingested table files (large imports).
  const bool bulk = GENERATE(false, true);
  INFO("bulk " << bulk);
  const uint32_t seed = RunSeed();
  INFO("seed " << seed << " (BACKPACK_TEST_SEED repeats it)");
  TempDir dir;
  std::mt19937 rng(seed);
  size_t total_acks = 0;
  for (int round = 0; round < 6; ++round) {
    const int millis = 150 + static_cast<int>(rng() % 600);
    INFO("round " << round << " killed " << millis << " ms after ready");
    auto acks = ParseAcks(RunAndKill(dir.path(), round, millis, bulk));
    total_acks += acks.size();
    auto t = TestLog::Open(dir.path());
    for (const auto& [seq, request_id] : acks) {
      auto e = t->log->Read(seq);
      INFO("seq " << seq);
      REQUIRE(e);
      REQUIRE(e->header.request_id == request_id);
    }
    auto report = VerifyLog(*t->store, t->keys->signing.public_key(), 2);
    REQUIRE(report);
    INFO(report->why);
    REQUIRE(report->ok);
    REQUIRE(report->events == t->log->size());
    t->Close();
  }
  CHECK(total_acks > 0);
}
