// What `init` and the commands that open a store say when DATA/db or the key
// directory is not what they expect, through the real binary: advice that
// fits the case (init cannot help a store that exists).
#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/process.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

namespace fs = std::filesystem;

bool Holds(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("init on an empty DATA/db says it holds no database, not that a store exists") {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  fs::create_directories(data / "db");
  CliResult refused = RunBackpack({"--data", data.string(), "init"});
  INFO(refused.err);
  CHECK(refused.exit_code != 0);
  CHECK(Holds(refused.err, (data / "db").string() + " exists but holds no database"));
  CHECK_FALSE(Holds(refused.err, "a store already exists"));
  CHECK(fs::is_empty(data / "db"));
  REQUIRE(RunBackpack({"--data", (tmp.path() / "real").string(), "init"}).exit_code == 0);
  CliResult again = RunBackpack({"--data", (tmp.path() / "real").string(), "init"});
  CHECK(Holds(again.err, "a store already exists at"));
}

TEST_CASE("a store whose recorded key directory is lost is told to name it with --keys") {
  TempDir tmp;
  const fs::path data = tmp.path() / "data", keys = tmp.path() / "secret-keys";
  REQUIRE(RunBackpack({"--data", data.string(), "init", "--keys", keys.string()}).exit_code == 0);
  fs::remove(data / "keys.path");
  CliResult lost = RunBackpack({"--data", data.string(), "verify"});
  INFO(lost.err);
  CHECK(lost.exit_code == 3);
  CHECK(Holds(lost.err, "missing key directory " + (data / "keys").string()));
  CHECK(Holds(lost.err, "--keys DIR"));
  CHECK_FALSE(Holds(lost.err, "run `backpack init`"));
  CHECK(RunBackpack({"--data", data.string(), "--keys", keys.string(), "verify"}).exit_code == 0);
}

}  // namespace backpack::testing
