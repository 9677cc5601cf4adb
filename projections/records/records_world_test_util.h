// A small synthetic district over a DomainFixture for the records tests:
// two schools, students Alex (sch-1, in class cls-1) and Blair (sch-2), a
// teacher of cls-1, and a districtwide principal who may read restricted
// notes.
#pragma once

#include <string>

#include "projections/records/records.h"
#include "projections/records/records_test_util.h"
#include "tests/domain_fixture.h"

namespace backpack::records_testing {

class World {
 public:
  World();

  testing::DomainFixture& fx() { return fx_; }
  Records& records() { return *fx_.services().records; }
  EventLog& log() { return fx_.log(); }
  int64_t now() { return fx_.clock().NowMicros(); }
  // "YYYY-MM-DD" of `days` days from now (negative: ago).
  std::string Day(int days);
  UserInfo Viewer(const std::string& user_id);

  std::string alex, blair;         // student ids
  std::string teacher, principal;  // user ids

 private:
  testing::TempDir dir_;
  testing::DomainFixture fx_;
};

}  // namespace backpack::records_testing
