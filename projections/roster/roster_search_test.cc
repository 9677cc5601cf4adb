#include <catch2/catch.hpp>

#include "projections/roster/roster_test_world.h"

namespace backpack::testing {
namespace {

std::vector<std::string> Names(const Result<std::vector<StudentSearchHit>>& hits) {
  REQUIRE(hits);
  std::vector<std::string> names;
  for (const auto& h : *hits) names.push_back(h.name);
  return names;
}

TEST_CASE("search finds accessible students by name or sourcedId, case-insensitively") {
  RosterWorld w;
  w.ImportDistrict();
  w.Append({StudentEvent(w.index_key(), "stu-c", "Cameron", "Abbott", "07", "sch-2")});
  std::string lead = w.AddUser("lead", Role::kEducator, {"schoolwide"}, {"sch-1"});
  auto cmd = w.commands();

  // Ordered by family name; sch-2's student is not accessible.
  CHECK(Names(cmd.Search(lead, "", w.now(), 10)) ==
        std::vector<std::string>{"Avery Quinlan", "Bee Rowntree"});
  CHECK(Names(cmd.Search(lead, "QUIN", w.now(), 10)) == std::vector<std::string>{"Avery Quinlan"});
  CHECK(Names(cmd.Search(lead, "bee", w.now(), 10)) == std::vector<std::string>{"Bee Rowntree"});
  CHECK(Names(cmd.Search(lead, "stu-b", w.now(), 10)) == std::vector<std::string>{"Bee Rowntree"});
  CHECK(Names(cmd.Search(lead, "cameron", w.now(), 10)).empty());
  CHECK(Names(cmd.Search(lead, "", w.now(), 1)) == std::vector<std::string>{"Avery Quinlan"});

  auto hits = cmd.Search(lead, "avery", w.now(), 10);
  REQUIRE(hits);
  REQUIRE(hits->size() == 1);
  CHECK(Names(cmd.Search(lead, "", w.now(), 10, hits->front().id)) ==
        std::vector<std::string>{"Bee Rowntree"});
  CHECK(Names(cmd.Search(lead, "", w.now(), 10, w.StudentId("stu-b"))).empty());
  // A cursor must be a student the caller may access: sch-2's is not.
  auto elsewhere = cmd.Search(lead, "", w.now(), 10, w.StudentId("stu-c"));
  REQUIRE_FALSE(elsewhere);
  CHECK(elsewhere.error().code() == StatusCode::kInvalidArgument);
  const StudentSearchHit& hit = hits->front();
  CHECK(hit.id == w.StudentId("stu-a"));
  CHECK(hit.grade == "07");
  CHECK(hit.school_id == "sch-1");
  CHECK(hit.school_name == "Synthetic Middle School");
  CHECK(hit.reason == "schoolwide:sch-1");
}

TEST_CASE("search folds accents and case, and orders names as it matches them") {
  RosterWorld w;
  w.ImportDistrict();
  w.Append({StudentEvent(w.index_key(), "stu-z", "Zoë", "Ångström", "07", "sch-1"),
            StudentEvent(w.index_key(), "stu-n", "Thị", "Nguyễn", "07", "sch-1"),
            StudentEvent(w.index_key(), "stu-s", "Stefan", "Straße", "07", "sch-1")});
  std::string lead = w.AddUser("lead", Role::kEducator, {"schoolwide"}, {"sch-1"});
  auto cmd = w.commands();
  for (const char* query : {"zoe", "ZOË", "zoë", "angstrom", "ÅNGSTRÖM", "zoe angstrom"}) {
    CAPTURE(query);
    CHECK(Names(cmd.Search(lead, query, w.now(), 10)) == std::vector<std::string>{"Zoë Ångström"});
  }
  CHECK(Names(cmd.Search(lead, "nguyen", w.now(), 10)) == std::vector<std::string>{"Thị Nguyễn"});
  CHECK(Names(cmd.Search(lead, "strasse", w.now(), 10)) ==
        std::vector<std::string>{"Stefan Straße"});
  // Ångström sorts with the A names, not after every ASCII name.
  CHECK(Names(cmd.Search(lead, "", w.now(), 10)) ==
        std::vector<std::string>{"Zoë Ångström", "Thị Nguyễn", "Avery Quinlan", "Bee Rowntree",
                                 "Stefan Straße"});
}

TEST_CASE("search finds a name from its words in any order, commas or not") {
  RosterWorld w;
  w.ImportDistrict();
  w.Append({StudentEvent(w.index_key(), "stu-k", "Kevin", "Bailey", "07", "sch-1"),
            StudentEvent(w.index_key(), "stu-l", "Kevin", "Baxter", "07", "sch-1", "Kev")});
  std::string lead = w.AddUser("lead", Role::kEducator, {"schoolwide"}, {"sch-1"});
  auto cmd = w.commands();
  for (const char* query : {"Kevin Bailey", "Bailey Kevin", "Bailey, Kevin", "bailey,kevin",
                            "  BAILEY ,  kev ", "bai kev"}) {
    CAPTURE(query);
    CHECK(Names(cmd.Search(lead, query, w.now(), 10)) == std::vector<std::string>{"Kevin Bailey"});
  }
  // Every word must be found: a word no field holds finds nobody.
  CHECK(Names(cmd.Search(lead, "Bailey Avery", w.now(), 10)).empty());
  CHECK(Names(cmd.Search(lead, "Baxter, Kev", w.now(), 10)) ==
        std::vector<std::string>{"Kev Baxter"});  // the preferred name counts too
  CHECK(Names(cmd.Search(lead, "kevin", w.now(), 10)) ==
        std::vector<std::string>{"Kevin Bailey", "Kev Baxter"});
  CHECK(Names(cmd.Search(lead, " , ", w.now(), 10)).size() == 4);  // no words: everyone
}

TEST_CASE("search returns nothing for guardians and unknown users") {
  RosterWorld w;
  w.ImportDistrict();
  std::string guardian = w.AddUser("gdn-1", Role::kGuardian);
  auto cmd = w.commands();
  CHECK(Names(cmd.Search(guardian, "", w.now(), 10)).empty());
  CHECK(Names(cmd.Search("usr_nobody", "", w.now(), 10)).empty());
}

}  // namespace
}  // namespace backpack::testing
