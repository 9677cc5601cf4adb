// Helpers of the command-line tests that seed a store in-process, then run
// the real binary on it (roster_cli_test, user_link_cli_test).
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "tests/domain_fixture.h"
#include "tests/process.h"

namespace backpack::testing {

// Runs `backpack --data DATA <args>` with `input` on stdin, DATA being
// `tmp`/data.
inline CliResult RunCli(const TempDir& tmp, const std::string& args,
                        const std::string& input = "") {
  return RunBackpackWords("--data " + (tmp.path() / "data").string() + " " + args, input);
}

inline std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// Checks that `result` is a refusal (SPEC §5): exit 1, nothing on stdout and
// exactly `stderr_line` (without its newline) on stderr. Whether anything was
// appended is for the caller to check.
inline void CheckRefused(const CliResult& result, const std::string& stderr_line) {
  CHECK(result.exit_code == 1);
  CHECK(result.out == "");
  CHECK(result.err == stderr_line + "\n");
}

// Appends to the store at DATA the events `make` returns, given the store's
// index key (for the events that need it), then closes the store.
inline void Seed(const TempDir& tmp,
                 const std::function<std::vector<NewEvent>(const AeadKey&)>& make) {
  DomainFixture seed(tmp.path() / "data");
  REQUIRE(seed.log().Append(make(seed.keys().index_key)));
}

}  // namespace backpack::testing
