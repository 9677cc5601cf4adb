// Numeric options through the real binary: a value out of range is a usage
// error (exit 2) in one short line naming the range, before the data
// directory is touched.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/process.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

struct OutOfRange {
  std::string args;     // after --data DIR
  std::string message;  // on stderr
};

const std::vector<OutOfRange>& OutOfRangeValues() {
  static const std::vector<OutOfRange> rows = {
      {"serve --threads -3", "--threads: Value -3 not in range 1 to 256"},
      {"serve --threads 0", "--threads: Value 0 not in range 1 to 256"},
      {"serve --threads 257", "--threads: Value 257 not in range 1 to 256"},
      {"serve --max-connections 0", "--max-connections: Value 0 not in range 1 to 1000000"},
      {"serve --max-connections-per-client 0",
       "--max-connections-per-client: Value 0 not in range 1 to 1000000"},
      {"bench append --events 0", "--events: Value 0 not in range 1 to 100000000"},
      {"bench append --concurrency 0", "--concurrency: Value 0 not in range 1 to 4096"},
      {"bench import --students 0", "--students: Value 0 not in range 1 to 500000"},
      {"demo --students 0", "--students: Value 0 not in range 1 to 500000"},
      {"demo --seed -1", "--seed: Value -1 is not a whole number from 0 to 1844674407370955161"},
      {"demo --seed 18446744073709551616", "--seed: Value 18446744073709551616 is not a whole"},
      {"audit query --limit 0", "--limit: Value 0 not in range 1 to 1000"},
      {"audit alerts --limit 1001", "--limit: Value 1001 not in range 1 to 1000"},
  };
  return rows;
}

TEST_CASE("a numeric option out of range is a usage error in one short line naming the range") {
  TempDir tmp;
  const std::string data = (tmp.path() / "data").string();
  for (const OutOfRange& row : OutOfRangeValues()) {
    CliResult result = RunBackpackWords("--data " + data + " " + row.args);
    INFO(row.args << ": " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.starts_with("backpack: " + row.message));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK(result.err.size() < 160);  // no 300-digit bound
    CHECK_FALSE(std::filesystem::exists(data));
  }
}

}  // namespace
}  // namespace backpack::testing
