// Shared helpers of the intake unit tests: a domain over a temp store and
// readers for the events an import appended.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <map>
#include <string>
#include <vector>

#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/intake/intake.h"
#include "projections/intake/intake_test_data.h"
#include "tests/domain_fixture.h"

namespace backpack::intake::testing {

class IntakeFixture {
 public:
  IntakeFixture() : domain_(dir_.path()) {}
  backpack::testing::DomainFixture& domain() { return domain_; }
  EventLog& log() { return domain_.log(); }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // Imports `files` as the system actor; REQUIREs success.
  ImportReport ImportOk(const imports::FileSet& files);
  // Events [from, size()) of the log.
  std::vector<LoggedEvent> EventsFrom(uint64_t from);
  // How many of each type the log holds from `from` on, by type name.
  std::map<std::string, int> CountsFrom(uint64_t from);

 private:
  backpack::testing::TempDir dir_;
  backpack::testing::DomainFixture domain_;
};

template <typename T>
const T* PayloadAs(const LoggedEvent& event) {
  const T* table = VerifiedRoot<T>(event.payload);
  REQUIRE(table);
  return table;
}

}  // namespace backpack::intake::testing
