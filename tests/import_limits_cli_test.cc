// `backpack import`'s size limit through the real binary (BACKPACK_BIN): a
// set over the 64 MiB an HTTP upload may hold imports by default, and
// --max-bytes sets the limit.
#include <catch2/catch.hpp>
#include <regex>

#include "projections/intake/intake_test_data.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::intake::testing;

namespace {

using backpack::testing::CliResult;

CliResult RunCli(const backpack::testing::TempDir& tmp, const std::string& args) {
  return backpack::testing::RunBackpackWords(
      "--data " + (tmp.path() / "data").string() + " " + args, "");
}

// SmallDistrict() with `rows` student voice answers of `answer_bytes` each.
imports::FileSet WithLongAnswers(int rows, size_t answer_bytes) {
  imports::FileSet files = SmallDistrict();
  const std::string answer(answer_bytes, 'a');
  std::string& voice = files.at("student_voice.csv");
  for (int i = 0; i < rows; ++i) {
    const int minute = i % 60, hour = (i / 60) % 24, day = 1 + i / (60 * 24);
    char at[32];
    std::snprintf(at, sizeof at, "2025-10-%02dT%02d:%02d:00Z", day, hour, minute);
    voice += "s-101," + std::string(at) + ",What helps you learn?," + answer + "\n";
  }
  return files;
}

}  // namespace

TEST_CASE("import takes a set over the HTTP upload limit, and --max-bytes sets its own") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  const std::filesystem::path big = tmp.path() / "big";
  WriteFolder(big, WithLongAnswers(1100, 62'000));  // about 68 MB
  uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(big)) total += entry.file_size();
  REQUIRE(total > (uintmax_t{64} << 20));

  CliResult capped = RunCli(tmp, "import --actor system --max-bytes 1000 " + big.string());
  INFO(capped.err);
  CHECK(capped.exit_code == 1);
  CHECK(capped.err ==
        "big: files total more than 1000 bytes uncompressed\n"
        "backpack: import rejected (1 problem); nothing was imported\n");
  CHECK(RunCli(tmp, "import --actor system --max-bytes -1 " + big.string()).exit_code == 2);
  CHECK(RunCli(tmp, "import --actor system --max-bytes 0 " + big.string()).exit_code == 2);

  CliResult taken = RunCli(tmp, "import --actor system " + big.string());
  INFO(taken.err);
  CHECK(taken.exit_code == 0);
  CHECK(std::regex_search(taken.out, std::regex("^imported \\d+ events")));
}
