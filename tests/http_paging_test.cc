// Paged lists of SPEC §6 over a real server: student search and the home
// feed hand out a next_cursor, and following it walks every item once, each
// page audited as its own read.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "projections/roster/roster.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

// The students `account` may access now (and that are not shredded).
std::set<std::string> Accessible(ApiWorld& w, const Account& account) {
  Roster& roster = *w.services().roster;
  std::set<std::string> ids;
  for (const auto& [id, reason] :
       roster.AccessibleStudents(account.user_id, w.clock().NowMicros())) {
    if (roster.FindStudent(id)) ids.insert(id);
  }
  return ids;
}

// Follows next_cursor from `first` (a target without cursor) as `account`
// until a page says null; returns every student id in page order. REQUIREs
// that each page is answered after exactly one `search` RecordViewed naming
// exactly its students.
std::vector<std::string> WalkSearch(ApiWorld& w, const Account& account, const std::string& first,
                                    size_t* pages) {
  std::vector<std::string> seen;
  std::string target = first;
  *pages = 0;
  for (;;) {
    INFO(target);
    REQUIRE(*pages < 100);  // a cursor that loops would never end
    uint64_t before = w.LogSize();
    auto r = w.Call("GET", target, account.token);
    REQUIRE(r.status == 200);
    ++*pages;
    json::value page = ApiWorld::Json(r);
    std::vector<std::string> ids;
    for (const json::value& s : page.at("students").as_array()) ids.push_back(Str(s.at("id")));
    auto viewed = w.EventsSince(before, EventType::RecordViewed);
    REQUIRE(viewed.size() == 1);
    Viewed decoded = DecodeViewed(viewed[0]);
    REQUIRE(decoded.scope == "Search");
    REQUIRE(std::set<std::string>(decoded.students.begin(), decoded.students.end()) ==
            std::set<std::string>(ids.begin(), ids.end()));
    seen.insert(seen.end(), ids.begin(), ids.end());
    const json::value& next = page.at("next_cursor");
    if (next.is_null()) return seen;
    REQUIRE_FALSE(ids.empty());
    REQUIRE(Str(next) == ids.back());
    target = first + (first.find('?') == std::string::npos ? "?" : "&") + "cursor=" + Str(next);
  }
}

TEST_CASE("a districtwide educator pages through every accessible student exactly once") {
  ApiWorld& w = SharedWorld();
  const std::set<std::string> expected = Accessible(w, w.principal);
  REQUIRE(expected.size() > 50);  // more than one default page
  for (const std::string& first : {std::string("/api/students"), std::string("/api/students?q="),
                                   std::string("/api/students?limit=7")}) {
    INFO(first);
    size_t pages = 0;
    std::vector<std::string> seen = WalkSearch(w, w.principal, first, &pages);
    CHECK(seen.size() == expected.size());
    CHECK(std::set<std::string>(seen.begin(), seen.end()) == expected);
    CHECK(pages >= 2);
  }
  // A page that is the last says so, even when it is full.
  auto all = w.Call("GET", "/api/students?limit=200", w.principal.token);
  REQUIRE(all.status == 200);
  CHECK(ApiWorld::Json(all).at("next_cursor").is_null());
  CHECK(ApiWorld::Json(all).at("students").as_array().size() == expected.size());
}

TEST_CASE(
    "a search hit names its school as the profile does: school the id, school_name the name") {
  ApiWorld& w = SharedWorld();
  auto r = w.Call("GET", "/api/students?limit=3", w.principal.token);
  REQUIRE(r.status == 200);
  const json::value page = ApiWorld::Json(r);
  const json::array& hits = page.at("students").as_array();
  REQUIRE_FALSE(hits.empty());
  for (const json::value& hit : hits) {
    const std::string id = Str(hit.at("id"));
    auto profile = w.Call("GET", "/api/students/" + id + "/profile", w.principal.token);
    REQUIRE(profile.status == 200);
    const json::value body = ApiWorld::Json(profile);
    const json::value& student = body.at("student");
    CHECK_FALSE(Str(hit.at("school")).empty());
    CHECK(Str(hit.at("school")) == Str(student.at("school")));
    CHECK(Str(hit.at("school_name")) == Str(student.at("school_name")));
    CHECK(Str(hit.at("school_name")) != Str(hit.at("school")));
  }
}

TEST_CASE("a search cursor keeps the query's filter and order") {
  ApiWorld& w = SharedWorld();
  auto whole = w.Call("GET", "/api/students?q=a&limit=200", w.principal.token);
  REQUIRE(whole.status == 200);
  const json::value found = ApiWorld::Json(whole);
  std::vector<std::string> in_one;
  for (const json::value& s : found.at("students").as_array()) {
    in_one.push_back(Str(s.at("id")));
  }
  REQUIRE(in_one.size() > 3);
  size_t pages = 0;
  CHECK(WalkSearch(w, w.principal, "/api/students?q=a&limit=3", &pages) == in_one);
  CHECK(pages == (in_one.size() + 2) / 3);
}

TEST_CASE("a search cursor that is malformed or names no student of the caller's is a 400") {
  ApiWorld& w = SharedWorld();
  for (const std::string& cursor : {std::string("zzz"), std::string("note_00"),
                                    std::string("stu_0123456789abcdef0123"), w.other_student}) {
    INFO(cursor);
    uint64_t before = w.LogSize();
    auto r = w.Call("GET", "/api/students?cursor=" + cursor, w.teacher.token);
    REQUIRE(r.status == 400);
    CHECK(Str(ApiWorld::Json(r).at("error").at("code")) == "bad_request");
    CHECK(w.LogSize() == before);
  }
}

TEST_CASE("following the feed's next_cursor as cursor never returns a page twice and ends") {
  ApiWorld& w = SharedWorld();
  std::set<std::string> pages_seen;
  std::string target = "/api/feed?limit=4";
  size_t pages = 0;
  for (;;) {
    INFO(target);
    REQUIRE(pages < 500);
    auto r = w.Call("GET", target, w.teacher.token);
    REQUIRE(r.status == 200);
    ++pages;
    json::value page = ApiWorld::Json(r);
    std::string items = json::serialize(page.at("items"));
    REQUIRE(pages_seen.insert(items).second);  // never a page again
    const json::value& next = page.at("next_cursor");
    if (next.is_null()) break;
    target = "/api/feed?limit=4&cursor=" + Str(next);
    if (pages > 1) continue;
    // `before` (SPEC's name) and `cursor` are one parameter.
    auto same = w.Call("GET", "/api/feed?limit=4&before=" + Str(next), w.teacher.token);
    REQUIRE(same.status == 200);
    auto via_cursor = w.Call("GET", target, w.teacher.token);
    REQUIRE(json::serialize(ApiWorld::Json(same).at("items")) ==
            json::serialize(ApiWorld::Json(via_cursor).at("items")));
  }
  CHECK(pages >= 3);
}

TEST_CASE("a feed request whose before and cursor differ is a 400") {
  ApiWorld& w = SharedWorld();
  auto first = w.Call("GET", "/api/feed?limit=1", w.teacher.token);
  REQUIRE(first.status == 200);
  std::string next = Str(ApiWorld::Json(first).at("next_cursor"));
  REQUIRE_FALSE(next.empty());
  CHECK(w.Call("GET", "/api/feed?before=" + next + "&cursor=" + next, w.teacher.token).status ==
        200);
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", "/api/feed?before=" + next + "&cursor=00" + next, w.teacher.token);
  CHECK(r.status == 400);
  CHECK(w.LogSize() == before);
  CHECK(w.Call("GET", "/api/feed?cursor=not-hex", w.teacher.token).status == 400);
}

}  // namespace
}  // namespace backpack::api_testing
