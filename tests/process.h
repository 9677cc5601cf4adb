// Child processes for tests: the `backpack` binary ($BACKPACK_BIN) run with
// real arguments and pipes, never through a shell.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace backpack::testing {

// $BACKPACK_BIN; throws if it is not set.
std::string BackpackBin();

// Spawns `args` with stdin/stdout/stderr wired to the given fds (-1: leave).
// The child has an empty signal mask and is SIGKILLed if the test process
// dies, so a crashed test never leaves a child behind.
pid_t Spawn(std::vector<std::string> args, int in_fd, int out_fd, int err_fd);
// Waits for `pid` until `deadline`; the exit code, or nullopt on timeout.
std::optional<int> WaitUntil(pid_t pid, std::chrono::steady_clock::time_point deadline);
// Reads `fd` into `out` while data arrives within `timeout_ms`; false at EOF.
bool Drain(int fd, std::string* out, int timeout_ms);

// What one run of the binary printed and returned.
struct CliResult {
  int exit_code = -1;  // -1 if it did not exit normally within the timeout
  std::string out;
  std::string err;
};

// Runs `backpack ARGS...` with `input` on stdin, waiting at most `timeout`.
CliResult RunBackpack(const std::vector<std::string>& args, const std::string& input = "",
                      std::chrono::seconds timeout = std::chrono::seconds(300));
// The same with the arguments given as one string of space-separated words
// (no quoting: for arguments without spaces).
CliResult RunBackpackWords(const std::string& words, const std::string& input = "");
// Runs the program `args[0]` (a path, not looked up in PATH) with the rest
// as its arguments, as RunBackpack does.
CliResult RunProgram(const std::vector<std::string>& args, const std::string& input = "",
                     std::chrono::seconds timeout = std::chrono::seconds(300));

}  // namespace backpack::testing
