// `backpack user add` reading its password from a terminal (a pseudo-
// terminal here): a prompt, no echo, and the terminal as it was afterwards.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "projections/roster/roster_commands.h"
#include "tests/domain_fixture.h"

namespace backpack::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A pseudo-terminal: the test types into `master`, the child reads `slave`.
class Pty {
 public:
  Pty() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master_ >= 0);
    REQUIRE(::grantpt(master_) == 0);
    REQUIRE(::unlockpt(master_) == 0);
    slave_ = ::open(::ptsname(master_), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(slave_ >= 0);
  }
  ~Pty() {
    ::close(slave_);
    ::close(master_);
  }
  int slave() const { return slave_; }
  bool Echoes() const {
    termios settings{};
    REQUIRE(::tcgetattr(slave_, &settings) == 0);
    return (settings.c_lflag & ECHO) != 0;
  }
  void Type(const std::string& text) {
    REQUIRE(::write(master_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  // What the terminal shows (the child's stderr and any echo), read until
  // `needle` appears or a minute passes.
  const std::string& ShownUntil(const std::string& needle) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (shown_.find(needle) == std::string::npos && Clock::now() < deadline) {
      Drain(master_, &shown_, 50);
    }
    return shown_;
  }

 private:
  int master_ = -1;
  int slave_ = -1;
  std::string shown_;
};

struct Child {
  pid_t pid;
  int out;  // the read end of its stdout
};

// `backpack --data DATA ARGS...` with stdin and stderr on the terminal.
Child SpawnOnTerminal(const Pty& pty, const TempDir& tmp, std::vector<std::string> args) {
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  args.insert(args.begin(), {BackpackBin(), "--data", (tmp.path() / "data").string()});
  const pid_t pid = Spawn(args, pty.slave(), out[1], pty.slave());
  ::close(out[1]);
  REQUIRE(pid > 0);
  return {pid, out[0]};
}

TEST_CASE("user add on a terminal prompts on stderr and does not echo the password") {
  TempDir tmp;
  REQUIRE(RunBackpack({"--data", (tmp.path() / "data").string(), "init"}).exit_code == 0);
  Pty pty;
  REQUIRE(pty.Echoes());
  Child child =
      SpawnOnTerminal(pty, tmp, {"user", "add", "--username", "alice", "--role", "educator"});
  CHECK(pty.ShownUntil("(not shown): ").find("password for alice (not shown): ") !=
        std::string::npos);
  pty.Type("a synthetic long password\n");
  std::optional<int> code = WaitUntil(child.pid, Clock::now() + std::chrono::seconds(30));
  REQUIRE(code);
  std::string out;
  while (Drain(child.out, &out, 100)) {
  }
  ::close(child.out);
  CHECK(*code == 0);
  CHECK(out.starts_with("usr_"));
  CHECK(pty.ShownUntil("\n").find("synthetic") == std::string::npos);
  CHECK(pty.Echoes());  // restored
  DomainFixture after(tmp.path() / "data");
  CHECK(RosterCommands(after.services()).Authenticate("alice", "a synthetic long password"));
}

TEST_CASE("user add stopped at its password prompt leaves the terminal echoing") {
  TempDir tmp;
  REQUIRE(RunBackpack({"--data", (tmp.path() / "data").string(), "init"}).exit_code == 0);
  for (int signal_number : {SIGINT, SIGTERM}) {
    INFO(signal_number);
    Pty pty;
    Child child =
        SpawnOnTerminal(pty, tmp, {"user", "add", "--username", "bob", "--role", "educator"});
    REQUIRE(pty.ShownUntil("(not shown): ").find("(not shown): ") != std::string::npos);
    CHECK_FALSE(pty.Echoes());
    REQUIRE(::kill(child.pid, signal_number) == 0);
    int status = 0;
    REQUIRE(::waitpid(child.pid, &status, 0) == child.pid);
    ::close(child.out);
    CHECK(WIFSIGNALED(status));
    CHECK(pty.Echoes());
  }
}

}  // namespace
}  // namespace backpack::testing
