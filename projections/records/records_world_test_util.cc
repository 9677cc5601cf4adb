#include "projections/records/records_world_test_util.h"

#include <catch2/catch.hpp>

#include "projections/ids.h"
#include "projections/records/internal/keys.h"

namespace backpack::records_testing {

World::World() : fx_(dir_.path()) {
  const AeadKey& index_key = fx_.keys().index_key;
  alex = StudentIdFor(index_key, "s-1");
  blair = StudentIdFor(index_key, "s-2");
  teacher = UserIdFor(index_key, "t-1");
  principal = "usr_principal";
  AppendOrDie(log(), {StudentImported(index_key, "s-1", "Alex", "07", "sch-1"),
                      StudentImported(index_key, "s-2", "Blair", "08", "sch-2"),
                      ClassImported("cls-1", "sch-1"),
                      Enrollment(index_key, "e-1", "cls-1", "t-1", "teacher", "sch-1"),
                      Enrollment(index_key, "e-2", "cls-1", "s-1", "student", "sch-1"),
                      EducatorCreated(teacher, "teacher1", "Teacher One"),
                      EducatorCreated(principal, "principal", "Principal Pat",
                                      {"districtwide", "can_view_restricted_notes"})});
}

std::string World::Day(int days) { return records::FormatDate(now() + days * kMicrosPerDay); }

UserInfo World::Viewer(const std::string& user_id) {
  auto user = fx_.services().roster->FindUser(user_id);
  REQUIRE(user);
  return *user;
}

}  // namespace backpack::records_testing
