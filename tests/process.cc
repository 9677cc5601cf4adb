#include "tests/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

namespace backpack::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

// Writes `input` to the pipe `fd`; stops early if the child closed its end
// without reading it all (EPIPE), which is the child's business, not the
// test's. SIGPIPE, which that write raises, is blocked in this thread for
// the write and then consumed, so it cannot kill the test process; the
// process-wide disposition (which children inherit) is left alone.
void WriteInput(int fd, std::string_view input) {
  sigset_t pipe_signal, old_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
  bool broken = false;
  while (!input.empty()) {
    ssize_t n = write(fd, input.data(), input.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      broken = n < 0 && errno == EPIPE;
      break;
    }
    input.remove_prefix(static_cast<size_t>(n));
  }
  if (broken && !sigismember(&old_mask, SIGPIPE)) {
    const timespec now{0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &now) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
}

}  // namespace

std::string BackpackBin() {
  const char* bin = std::getenv("BACKPACK_BIN");
  if (bin == nullptr || *bin == '\0') throw std::runtime_error("BACKPACK_BIN is not set");
  return bin;
}

// Spawns `args` with stdin/stdout/stderr wired to the given fds (-1: leave).
// The child has an empty signal mask and is SIGKILLed if the test process
// dies, so a crashed test never leaves a server behind. Between fork and
// exec only async-signal-safe calls are made (the test may have threads).
pid_t Spawn(std::vector<std::string> args, int in_fd, int out_fd, int err_fd) {
  std::vector<char*> argv = Argv(args);
  const pid_t parent = getpid();
  sigset_t none;
  sigemptyset(&none);
  pid_t pid = fork();
  if (pid != 0) return pid;  // the parent, or -1 if fork failed
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
  if ((in_fd >= 0 && dup2(in_fd, 0) < 0) || (out_fd >= 0 && dup2(out_fd, 1) < 0) ||
      (err_fd >= 0 && dup2(err_fd, 2) < 0)) {
    _exit(127);
  }
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(argv[0], argv.data(), environ);
  _exit(127);
}

// Waits for `pid` until `deadline`; the exit code, or nullopt on timeout.
std::optional<int> WaitUntil(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (done < 0) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Reads `fd` into `out` while data arrives within `timeout_ms`; false at EOF.
bool Drain(int fd, std::string* out, int timeout_ms) {
  pollfd pfd{fd, POLLIN, 0};
  if (poll(&pfd, 1, timeout_ms) <= 0) return true;
  char chunk[8192];
  ssize_t n = read(fd, chunk, sizeof(chunk));
  if (n <= 0) return false;
  out->append(chunk, static_cast<size_t>(n));
  return true;
}

CliResult RunBackpack(const std::vector<std::string>& args, const std::string& input,
                      std::chrono::seconds timeout) {
  std::vector<std::string> full = {BackpackBin()};
  full.insert(full.end(), args.begin(), args.end());
  return RunProgram(full, input, timeout);
}

CliResult RunProgram(const std::vector<std::string>& full, const std::string& input,
                     std::chrono::seconds timeout) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    return {};
  }
  pid_t pid = Spawn(full, in[0], out[1], err[1]);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  // `input` must fit the pipe's buffer (64 KiB): a child that does not read
  // it would otherwise block this write while it fills its stdout.
  if (pid > 0 && !input.empty()) WriteInput(in[1], input);
  close(in[1]);
  CliResult result;
  const auto deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  while (pid > 0 && (out_open || err_open) && Clock::now() < deadline) {
    if (out_open) out_open = Drain(out[0], &result.out, 20);
    if (err_open) err_open = Drain(err[0], &result.err, 20);
  }
  close(out[0]);
  close(err[0]);
  if (pid <= 0) return result;
  std::optional<int> code = WaitUntil(pid, deadline);
  if (!code) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return result;
  }
  result.exit_code = *code;
  return result;
}

CliResult RunBackpackWords(const std::string& words, const std::string& input) {
  std::vector<std::string> args;
  std::istringstream split(words);
  for (std::string word; split >> word;) args.push_back(word);
  return RunBackpack(args, input);
}

}  // namespace backpack::testing
