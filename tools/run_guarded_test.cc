#include "tools/run_guarded.h"

#include <catch2/catch.hpp>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <typeinfo>

namespace backpack {
namespace {

TEST_CASE("a command that throws exits 3 with one line naming only the exception's type") {
  std::ostringstream err;
  CHECK(RunGuarded([]() -> int { throw std::bad_alloc(); }, err) == kExitStoreError);
  CHECK(err.str() == "backpack: internal: the command threw " +
                         std::string(typeid(std::bad_alloc).name()) + "\n");

  std::ostringstream quoting;
  CHECK(RunGuarded([]() -> int { throw std::runtime_error("no note for Avery Quinlan"); },
                   quoting) == kExitStoreError);
  CHECK(quoting.str() == "backpack: internal: the command threw " +
                             std::string(typeid(std::runtime_error).name()) + "\n");

  std::ostringstream not_std;
  CHECK(RunGuarded([]() -> int { throw 42; }, not_std) == kExitStoreError);
  CHECK(not_std.str() == "backpack: internal: the command threw\n");
}

TEST_CASE("a command that returns keeps its exit code and nothing is added to stderr") {
  for (int code : {kExitOk, kExitRefused, kExitUsage, kExitStoreError}) {
    std::ostringstream err;
    CHECK(RunGuarded([code] { return code; }, err) == code);
    CHECK(err.str() == "");
  }
}

}  // namespace
}  // namespace backpack
