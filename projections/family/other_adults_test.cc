// What a guardian sees of the other adults around the child's record: that
// a co-guardian asked for something and that a guardian's link ended, not
// their private words; and who is told "gone" once the record is shredded.
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "projections/family/export.h"
#include "projections/family/family_test_util.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"

namespace backpack::family_testing {
namespace {

namespace json = boost::json;

const std::string kCorrectionWords = "Synthetic: my ex wrote the wrong address Kestrel-Fig";
const std::string kDeletionWords = "Synthetic: we fled to Marigold-Tarn, delete it all";
const std::string kOwnWords = "Synthetic: the attendance on Monday is wrong Plover-Ash";
const std::string kUnlinkWords = "Synthetic court order Heron-Basalt, no contact";

// Ana with a co-guardian (G-2, account `co`) who asked for a correction and
// a deletion and was then unlinked, and her guardian's own correction request.
struct CoGuardian {
  World w;
  std::string co;
  CoGuardian() {
    co = UserIdFor(w.fx().keys().index_key, "G-2");
    w.Append({GuardianLinked(w.ana, "G-2", "S-1", "co@example.test", "", "Jordan", "Rivers"),
              UserCreated(co, "co@example.test", fb::UserRole::Guardian, "Jordan R.")});
    const uint64_t about = w.WriteNote(w.ana, "general", "Synthetic note");
    REQUIRE(w.family().RequestCorrection(w.As(co), w.ana, kCorrectionWords, about));
    REQUIRE(w.family().RequestDeletion(w.As(co), w.ana, kDeletionWords));
    REQUIRE(w.family().RequestCorrection(w.As(w.guardian), w.ana, kOwnWords, about));
    REQUIRE(RosterCommands(w.fx().services())
                .UnlinkGuardian(w.As(w.admin), co, w.ana, kUnlinkWords)
                .ok());
  }
};

bool Holds(const json::object& o, const std::string& text) {
  return json::serialize(o).find(text) != std::string::npos;
}

TEST_CASE("a guardian's history shows a co-guardian's requests and an unlink without their words") {
  CoGuardian c;
  auto history = c.w.family().History(c.w.ana, c.w.guardian);
  REQUIRE(history);
  CHECK_FALSE(Holds(*history, kCorrectionWords));
  CHECK_FALSE(Holds(*history, kDeletionWords));
  CHECK_FALSE(Holds(*history, kUnlinkWords));
  CHECK(Holds(*history, kOwnWords));  // their own request keeps its text
  size_t withheld = 0;
  for (const json::value& r : history->at("requests").as_array()) {
    const bool other = r.at("requested_by").at("id") == c.co.c_str();
    CHECK(r.as_object().contains("withheld") == other);
    if (other) {
      ++withheld;
      CHECK(r.at("withheld") == "private_text");
      CHECK(r.at("status") == "pending");  // the fact stays: kind, status, who, when
    }
  }
  CHECK(withheld == 2);
  bool unlinked = false;
  for (const json::value& e : history->at("events").as_array()) {
    if (e.at("type") == "GuardianUnlinked") {
      unlinked = true;
      CHECK(std::string(e.at("summary").as_string()).starts_with("Guardian link ended by "));
    }
  }
  CHECK(unlinked);

  SECTION("the privacy officer's history keeps every request's words") {
    auto full = c.w.family().History(c.w.ana);
    REQUIRE(full);
    CHECK(Holds(*full, kCorrectionWords));
    CHECK(Holds(*full, kDeletionWords));
  }
}

TEST_CASE("a guardian's bundle withholds a co-guardian's request texts and why a link ended") {
  CoGuardian c;
  json::object bundle = VerifiedGuardianExport(c.w);
  CHECK_FALSE(Holds(bundle, kCorrectionWords));
  CHECK_FALSE(Holds(bundle, kDeletionWords));
  CHECK_FALSE(Holds(bundle, kUnlinkWords));
  CHECK(Holds(bundle, kOwnWords));
  std::vector<std::string> withheld;  // types withheld as private_text
  for (const json::value& v : bundle.at("events").as_array()) {
    if (v.at("withheld") != "private_text") continue;
    withheld.emplace_back(v.at("type").as_string());
    CHECK(v.at("stored").is_string());  // signed bytes and proof stay
    CHECK(v.at("opening_key").is_null());
    CHECK(v.at("content").is_null());
  }
  CHECK(withheld ==
        std::vector<std::string>{"CorrectionRequested", "DeletionRequested", "GuardianUnlinked"});

  SECTION("the privacy officer's bundle withholds none of it") {
    auto full = c.w.family().ExportHistory(c.w.ana);
    REQUIRE(full);
    CHECK(Holds(*full, kCorrectionWords));
    CHECK(Holds(*full, kUnlinkWords));
    CHECK(Verifies(*full));
  }
  SECTION("only such an event may be withheld as private_text") {
    for (json::value& v : bundle["events"].as_array()) {
      if (v.at("type") != "GuardianLinked" && v.at("type") != "StudentImported") continue;
      json::object copy = bundle;
      for (json::value& e : copy["events"].as_array()) {
        if (e.at("seq") != v.at("seq")) continue;
        e.as_object()["withheld"] = "private_text";
        e.as_object()["content"] = nullptr;
        e.as_object()["opening_key"] = nullptr;
      }
      CHECK_FALSE(Verifies(copy));
    }
  }
}

TEST_CASE("a shred keeps who the student's guardians were, from its event alone") {
  World w;
  const std::string co = UserIdFor(w.fx().keys().index_key, "G-2");
  w.Append({GuardianLinked(w.ana, "G-2", "S-1"),
            UserCreated(co, "jordan", fb::UserRole::Guardian, "Jordan Q.")});
  CHECK_FALSE(*w.family().WasGuardianAtShred(w.ana, w.guardian));  // not shredded
  REQUIRE(w.family().Shred(w.As(w.admin), w.ana, "retention schedule").ok());
  CHECK(*w.family().WasGuardianAtShred(w.ana, w.guardian));
  CHECK(*w.family().WasGuardianAtShred(w.ana, co));
  CHECK_FALSE(*w.family().WasGuardianAtShred(w.ana, w.stranger));
  CHECK_FALSE(*w.family().WasGuardianAtShred(w.ben, w.guardian));
  w.CheckRebuildEqualsLive();
}

}  // namespace
}  // namespace backpack::family_testing
