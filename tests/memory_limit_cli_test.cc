// `backpack verify` under a tight address-space limit (`ulimit -v`), through
// the real binary: where a thread cannot be started or memory runs out, it
// exits 3 with one line on stderr, never ending in std::terminate.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/process.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

// Runs `backpack ARGS...` with its address space limited to `megabytes`.
CliResult RunLimited(int megabytes, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/prlimit", "--as=" + std::to_string(megabytes << 20),
                                   BackpackBin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv);
}

// RocksDB's open used to start 15 threads of its own for opening table files,
// and ended the process when one could not be started: under 100 to 180 MB
// (on a 2-core machine). Far lower limits are not tried: there, RocksDB's
// background threads can crash in the allocator (jemalloc) before any code
// of ours could report.
TEST_CASE("verify under a tight address-space limit exits 3 with one line or succeeds") {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  REQUIRE(RunBackpack({"--data", data, "init"}).exit_code == 0);
  for (int megabytes = 100; megabytes <= 200; megabytes += 20) {
    CliResult verify = RunLimited(megabytes, {"--data", data, "verify"});
    INFO(megabytes << " MB: exit " << verify.exit_code << ", stderr: " << verify.err);
    if (verify.exit_code == 0) {
      CHECK(verify.out.starts_with("verified 0 events"));
      continue;
    }
    CHECK(verify.exit_code == 3);
    CHECK(verify.err.starts_with("backpack: "));
    CHECK(verify.err.find('\n') == verify.err.size() - 1);
  }
}

}  // namespace
}  // namespace backpack::testing
