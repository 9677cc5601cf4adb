// tools/install-deps against stand-ins for dpkg-query, apt-get and id (first
// in PATH), which report what is installed and what apt would do, and log
// each apt-get call: nothing is installed for real.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/test_util.h"

namespace backpack::testing {
namespace {

// A folder of stand-in commands. dpkg-query says every package is installed
// but those in the file `missing`; `apt-get -s` prints the file `plan`;
// every apt-get call is appended to the file `apt.log`.
class FakeApt {
 public:
  FakeApt() {
    std::filesystem::create_directory(bin());
    Script("dpkg-query",
           "for a; do p=$a; done\n"
           "grep -qx \"$p\" \"$FAKE/missing\" && exit 1\n"
           "printf 'install ok installed'\n");
    Script("apt-get",
           "echo \"apt-get $*\" >>\"$FAKE/apt.log\"\n"
           "case \" $* \" in *' -s '*) cat \"$FAKE/plan\";; esac\n");
    Script("id", "echo 0\n");
    Write("missing", "");
    Write("plan", "");
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / name, std::ios::trunc) << text;
  }
  std::string AptLog() const { return ReadFile(dir_.path() / "apt.log"); }

  CliResult Run() const {
    return RunProgram({"/usr/bin/env", "PATH=" + bin().string() + ":/usr/bin:/bin",
                       "FAKE=" + dir_.path().string(), "/bin/bash", INSTALL_DEPS});
  }

 private:
  std::filesystem::path bin() const { return dir_.path() / "bin"; }
  void Script(const std::string& name, const std::string& body) {
    const std::filesystem::path path = bin() / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    REQUIRE(::chmod(path.c_str(), 0755) == 0);
  }
  TempDir dir_;
};

TEST_CASE("install-deps does nothing and says nothing when every package is there") {
  FakeApt apt;
  CliResult run = apt.Run();
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.empty());
  CHECK(run.err.empty());
  CHECK(apt.AptLog().empty());
}

TEST_CASE("install-deps installs python3 for the README's tour when it is missing") {
  FakeApt apt;
  apt.Write("missing", "python3\n");
  apt.Write("plan", "Inst python3 (3.11.2-1+b1 Debian:12.5/stable [amd64])\n");
  CliResult run = apt.Run();
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(apt.AptLog().find("apt-get install -y -qq --no-install-recommends --no-remove python3\n") !=
        std::string::npos);
}

TEST_CASE("install-deps stops, changing nothing, when installing would remove a package") {
  FakeApt apt;
  apt.Write("missing", "libboost1.81-dev\n");
  apt.Write("plan",
            "Remv libboost-python1.74-dev [1.74.0+ds1-21]\n"
            "Remv libboost1.74-dev [1.74.0+ds1-21]\n"
            "Inst libboost1.81-dev (1.81.0-5+deb12u1 Debian:12.5/stable [amd64])\n");
  CliResult run = apt.Run();
  INFO(run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("nothing was changed") != std::string::npos);
  CHECK(run.err.find("\n  libboost1.74-dev\n") != std::string::npos);
  CHECK(run.err.find("\n  libboost-python1.74-dev\n") != std::string::npos);
  CHECK(apt.AptLog().find(" -y ") == std::string::npos);  // simulated only
}

}  // namespace
}  // namespace backpack::testing
