#include "projections/intake/intake_test_util.h"

#include <catch2/catch.hpp>

namespace backpack::intake::testing {

ImportReport IntakeFixture::ImportOk(const imports::FileSet& files) {
  auto report = Import(domain_.services(), ParseOk(files), Actor{"system", "req_test", ""});
  if (!report) FAIL(report.error().ToString());
  return *report;
}

std::vector<LoggedEvent> IntakeFixture::EventsFrom(uint64_t from) {
  std::vector<LoggedEvent> events;
  for (uint64_t seq = from; seq < log().size(); ++seq) {
    auto event = log().Read(seq);
    REQUIRE(event);
    events.push_back(std::move(*event));
  }
  return events;
}

std::map<std::string, int> IntakeFixture::CountsFrom(uint64_t from) {
  std::map<std::string, int> counts;
  for (const auto& event : EventsFrom(from))
    ++counts[std::string(EventTypeName(event.header.type))];
  return counts;
}

}  // namespace backpack::intake::testing
