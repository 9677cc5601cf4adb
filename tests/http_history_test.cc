// A family's view of the record over HTTP: the history of who read it and
// the signed history export (SPEC §6), with what each reader is shown.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <utility>

#include "projections/family/export.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

TEST_CASE("a guardian sees a teacher's read of their child in the history") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  REQUIRE(w.Call("GET", Profile(w.child), w.teacher.token).status == 200);
  uint64_t read_seq = w.EventsSince(before, EventType::RecordViewed).at(0).header.seq;
  uint64_t before_history = w.LogSize();
  auto r = w.Call("GET", "/api/students/" + w.child + "/history", w.guardian.token);
  REQUIRE(r.status == 200);
  bool found = false;
  json::value history = ApiWorld::Json(r);
  for (const json::value& e : history.at("events").as_array()) {
    if (e.at("seq").to_number<uint64_t>() != read_seq) continue;
    found = e.at("type") == "RecordViewed" && Str(e.at("who").at("id")) == w.teacher.user_id;
  }
  REQUIRE(found);
  auto viewed = w.EventsSince(before_history, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  Viewed decoded = DecodeViewed(viewed[0]);
  REQUIRE(decoded.scope == "History");
  REQUIRE(decoded.reason == "guardian");
}

// How many events of `bundle` by `actor` are withheld as other_guardian, and
// how many are not.
std::pair<int, int> WithheldAsOtherGuardian(const json::value& bundle, const std::string& actor) {
  std::pair<int, int> counts;
  for (const json::value& e : bundle.at("events").as_array()) {
    if (Str(e.at("actor_id")) != actor) continue;
    (e.at("withheld") == "other_guardian" ? counts.first : counts.second)++;
  }
  return counts;
}

TEST_CASE("a history export over HTTP holds the record of its own making, and verifies") {
  ApiWorld& w = SharedWorld();
  // Another family's guardian is refused the child's history: the refusal,
  // with the address they connected from, is in the child's log.
  REQUIRE(w.Call("GET", "/api/students/" + w.child + "/history", w.other_guardian.token).status ==
          403);
  auto r = w.Call("GET", "/api/students/" + w.child + "/history/export", w.guardian.token);
  REQUIRE(r.status == 200);
  json::value bundle = ApiWorld::Json(r);
  REQUIRE(VerifyExport(bundle));
  const json::object& last = bundle.at("events").as_array().back().as_object();
  CHECK(Str(last.at("type")) == "RecordViewed");
  CHECK(Str(last.at("actor_id")) == w.guardian.user_id);
  CHECK(Str(last.at("content").at("scope")) == "Export");
  // The guardian's bundle withholds the other guardian's refusal; the
  // privacy officer's does not.
  auto [withheld, shown] = WithheldAsOtherGuardian(bundle, w.other_guardian.user_id);
  CHECK(withheld > 0);
  CHECK(shown == 0);
  auto full = w.Call("GET", "/api/students/" + w.child + "/history/export", w.privacy.token);
  REQUIRE(full.status == 200);
  json::value full_bundle = ApiWorld::Json(full);
  REQUIRE(VerifyExport(full_bundle));
  CHECK(WithheldAsOtherGuardian(full_bundle, w.other_guardian.user_id) ==
        std::pair<int, int>{0, withheld});
}

TEST_CASE("a guardian's history shows another family's refused guardian by neither name nor id") {
  ApiWorld& w = SharedWorld();
  const std::string history = "/api/students/" + w.child + "/history";
  REQUIRE(w.Call("GET", history, w.other_guardian.token).status == 403);
  auto r = w.Call("GET", history, w.guardian.token);
  REQUIRE(r.status == 200);
  CHECK(r.body.find(w.other_guardian.user_id) == std::string::npos);
  const std::string name = "Synthetic " + w.other_guardian.username;
  CHECK(r.body.find('"' + name + '"') == std::string::npos);  // as who.name
  CHECK(r.body.find(name + " (") == std::string::npos);       // in a summary
  CHECK(r.body.find("Access denied to another guardian") != std::string::npos);
  auto full = w.Call("GET", history, w.privacy.token);
  REQUIRE(full.status == 200);
  CHECK(full.body.find(w.other_guardian.user_id) != std::string::npos);
}

TEST_CASE("a guardian's export over HTTP shows the teacher's reads in full, not an audit query") {
  ApiWorld& w = SharedWorld();
  // The teacher's reads from here on: a search or feed page of theirs before
  // this case names other students, and is rightly withheld from the family.
  const uint64_t first_read = w.LogSize();
  REQUIRE(w.Call("GET", Profile(w.child), w.teacher.token).status == 200);
  // The privacy officer looks into the teacher's reads of the child.
  const std::string filters = "student_id=" + w.child + "&actor_id=" + w.teacher.user_id;
  REQUIRE(w.Call("GET", "/api/audit/events?" + filters + "&limit=1", w.privacy.token).status ==
          200);
  const std::string target = "/api/students/" + w.child + "/history/export";
  auto r = w.Call("GET", target, w.guardian.token);
  REQUIRE(r.status == 200);
  json::value bundle = ApiWorld::Json(r);
  auto verified = VerifyExport(bundle);
  INFO((verified ? std::string() : verified.error().message()));
  REQUIRE(verified);
  auto full = w.Call("GET", target, w.privacy.token);
  REQUIRE(full.status == 200);
  json::value full_bundle = ApiWorld::Json(full);
  REQUIRE(VerifyExport(full_bundle));
  // The teacher's reads, with the address they came from, are in both, and
  // checked against their signed bytes; the audit query's filters only in
  // the privacy officer's.
  CHECK(r.body.find(filters) == std::string::npos);
  CHECK(full.body.find(filters) != std::string::npos);
  for (const json::value* b : {&bundle, &full_bundle}) {
    int reads = 0;
    int investigations = 0;
    for (const json::value& e : b->at("events").as_array()) {
      investigations += e.at("withheld") == "audit_investigation";
      if (Str(e.at("actor_id")) != w.teacher.user_id || e.at("type") != "RecordViewed") continue;
      if (e.at("seq").to_number<uint64_t>() < first_read) continue;
      ++reads;
      CHECK(e.at("withheld").is_null());
      CHECK(e.at("stored").is_string());
      CHECK_FALSE(Str(e.at("content").at("client_ip")).empty());
    }
    CHECK(reads == 1);  // the profile read above
    CHECK((investigations > 0) == (b == &bundle));
  }
}

TEST_CASE("another family's guardian is refused the history") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", "/api/students/" + w.child + "/history", w.other_guardian.token);
  REQUIRE(r.status == 403);
  CHECK(Str(ApiWorld::Json(r).at("error").at("message")) ==
        "you are not a guardian of this student");
  REQUIRE(w.CountSince(before, EventType::AccessDenied) == 1);
  REQUIRE(w.CountSince(before, EventType::RecordViewed) == 0);
  // A caller of the wrong role is told which roles may.
  auto teacher = w.Call("GET", "/api/students/" + w.child + "/history", w.teacher.token);
  REQUIRE(teacher.status == 403);
  CHECK(Str(ApiWorld::Json(teacher).at("error").at("message")) ==
        "only guardians or privacy officers may do this");
  auto officer_only = w.Call("GET", "/api/audit/events", w.teacher.token);
  REQUIRE(officer_only.status == 403);
  CHECK(Str(ApiWorld::Json(officer_only).at("error").at("message")) ==
        "only privacy officers may do this");
}

}  // namespace
}  // namespace backpack::api_testing
