// Breach reports (SPEC §6 audit/breach-report, `backpack audit breach-report`).
#include <flatbuffers/flatbuffers.h>

#include <boost/json/serialize.hpp>

#include "events/schema/payloads_generated.h"
#include "projections/audit/audit_csv.h"
#include "projections/audit/audit_test_util.h"

using namespace backpack;
using namespace backpack::testing;
namespace json = boost::json;

namespace {

struct District {
  AuditWorld w;
  std::string a, b, c, d;
  std::string suspect, colleague;
  int64_t window_start = 0;

  // The suspect reads a before the window; b twice and c (in a search)
  // inside it; d after it. A colleague reads d inside the window.
  District() {
    a = w.AddStudent("sis-a", "Avery", "Quill");
    b = w.AddStudent("sis-b", "Blair", "Rook");
    c = w.AddStudent("sis-c", "Casey", "Stone");
    d = w.AddStudent("sis-d", "Devon", "Thorn");
    w.AddGuardian("gdn-b1", "sis-b", "Rowan", "Rook", "rowan.rook@example.test");
    w.AddGuardian("gdn-b2", "sis-b", "Sage", "Rook", "sage.rook@example.test");
    w.AddGuardian("gdn-c1", "sis-c", "Tate", "Stone", "tate.stone@example.test");
    suspect = w.AddUser("suspect.teacher", Role::kEducator);
    colleague = w.AddUser("colleague", Role::kEducator);
    w.View(suspect, a);
    w.Advance(2 * kHour);
    window_start = w.now();
    w.Advance(10 * kMinute);
    w.View(suspect, b, AccessScope::kProfile, "class:cls-1");
    w.Advance(10 * kMinute);
    REQUIRE(w.audit()
                .RecordAccess(w.ActorFor(suspect), AccessScope::kSearch, {{c, "grade:sch-1:7"}},
                              AccessOutcome::kAllowed)
                .ok());
    REQUIRE(w.audit()
                .RecordDenied(w.ActorFor(suspect), AccessScope::kProfile, a,
                              "denied:no_relationship", "GET /api/students/{id}/profile")
                .ok());
    w.View(colleague, d);
    w.Advance(10 * kMinute);
    w.View(suspect, b, AccessScope::kHistory, "class:cls-1");
    w.Advance(kHour);
    w.View(suspect, d);
  }
  int64_t window_end() const { return window_start + kHour; }
};

std::vector<std::string> StudentIds(const json::object& report) {
  std::vector<std::string> ids;
  for (const auto& s : report.at("students").as_array()) ids.push_back(TextOf(s.as_object(), "id"));
  return ids;
}

}  // namespace

TEST_CASE("a breach report lists exactly the students the actor read in the window") {
  District district;
  auto report = district.w.audit().BreachReport(district.suspect, district.window_start,
                                                district.window_end());
  REQUIRE(report);
  INFO(json::serialize(*report));
  CHECK(StudentIds(*report) == std::vector<std::string>{district.b, district.c});
  CHECK(TextOf(report->at("actor").as_object(), "username") == "suspect.teacher");
  CHECK(TextOf(report->at("window").as_object(), "since") == "2026-09-21T16:13:20.000Z");

  const json::object& b = report->at("students").as_array()[0].as_object();
  CHECK(TextOf(b, "name") == "Blair Rook");
  const json::array& guardians = b.at("guardians").as_array();
  REQUIRE(guardians.size() == 2);
  std::set<std::string> emails;
  for (const auto& g : guardians) emails.insert(TextOf(g.as_object(), "email"));
  CHECK(emails == std::set<std::string>{"rowan.rook@example.test", "sage.rook@example.test"});
  const json::array& accesses = b.at("accesses").as_array();
  REQUIRE(accesses.size() == 2);
  CHECK(TextOf(accesses[0].as_object(), "scope") == "profile");  // oldest first
  CHECK(TextOf(accesses[1].as_object(), "scope") == "history");
  const json::object& c = report->at("students").as_array()[1].as_object();
  CHECK(TextOf(c.at("accesses").as_array()[0].as_object(), "reason") == "grade:sch-1:7");

  const json::object& totals = report->at("totals").as_object();
  CHECK(totals.at("students").to_number<int>() == 2);
  CHECK(totals.at("accesses").to_number<int>() == 3);
  CHECK(totals.at("guardians").to_number<int>() == 3);
}

TEST_CASE("a breach report renders as CSV with one row per access") {
  District district;
  auto report = district.w.audit().BreachReport(district.suspect, district.window_start,
                                                district.window_end());
  REQUIRE(report);
  std::string csv = BreachReportCsv(*report);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 4);  // header + 3 accesses
  CHECK(csv.find(district.b + ",Blair Rook,Rowan Rook; Sage Rook,") != std::string::npos);
  CHECK(csv.find(district.a) == std::string::npos);
  CHECK(csv.find(district.d) == std::string::npos);
}

TEST_CASE("an empty window gives an empty report, and a reversed one is refused") {
  District district;
  auto report = district.w.audit().BreachReport(district.colleague, district.window_end(),
                                                district.window_end() + kHour);
  REQUIRE(report);
  CHECK(report->at("students").as_array().empty());
  CHECK(report->at("totals").as_object().at("accesses").to_number<int>() == 0);
  CHECK(district.w.audit()
            .BreachReport(district.suspect, district.window_end(), district.window_start)
            .error()
            .code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a breach report shows a shredded student by id without a name") {
  District district;
  district.w.Shred(district.b);
  auto report = district.w.audit().BreachReport(district.suspect, district.window_start,
                                                district.window_end());
  REQUIRE(report);
  REQUIRE(StudentIds(*report) == std::vector<std::string>{district.b, district.c});
  const json::object& b = report->at("students").as_array()[0].as_object();
  CHECK(TextOf(b, "name").empty());
  CHECK(b.at("shredded").as_bool());
  CHECK(b.at("guardians").as_array().empty());
}

TEST_CASE("BreachReportAudited records a breach_report read listing the students") {
  District district;
  std::string officer = district.w.AddUser("privacy", Role::kPrivacyOfficer);
  uint64_t before = district.w.fx().log().size();
  auto report = district.w.audit().BreachReportAudited(district.w.ActorFor(officer),
                                                       district.suspect, district.window_start,
                                                       district.window_end(), "privacy_officer");
  REQUIRE(report);
  REQUIRE(district.w.fx().log().size() == before + 1);
  auto event = district.w.fx().log().Read(before);
  REQUIRE(event);
  CHECK(event->header.actor_id == officer);
  auto* p = flatbuffers::GetRoot<fb::RecordViewedPayload>(event->payload.data());
  CHECK(p->scope() == fb::ReadScope::BreachReport);
  REQUIRE(p->students());
  CHECK(p->students()->size() == 2);
  CHECK(p->query()->str().find("actor_id=" + district.suspect) == 0);
}

TEST_CASE("ResolveActor accepts a username or a user id") {
  District district;
  CHECK(district.w.audit().ResolveActor("suspect.teacher").value() == district.suspect);
  CHECK(district.w.audit().ResolveActor(district.suspect).value() == district.suspect);
  CHECK(district.w.audit().ResolveActor("cli").value() == "cli");
  CHECK(district.w.audit().ResolveActor("nobody").error().code() == StatusCode::kNotFound);
}

TEST_CASE("a built-in actor's name resolves to that actor, even if an old account took it") {
  District district;
  // An account named "cli", made (as a raw event) before such names were refused.
  const std::string squatter = "usr_squatter";
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateUserCreatedPayloadDirect(fbb, squatter.c_str(), "cli",
                                                fb::UserRole::PrivacyOfficer, "Squatter"));
  district.w.Append({MakeEvent(EventType::UserCreated, Actor{"system", "req_old", ""}, squatter,
                               fbb, /*personal=*/true)});
  REQUIRE(district.w.fx().services().roster->FindUserByUsername("cli"));
  REQUIRE(district.w.audit()
              .RecordAccess(Actor{"cli", "req_cli", ""}, AccessScope::kProfile,
                            {{district.b, "cli"}}, AccessOutcome::kAllowed)
              .ok());

  Audit& audit = district.w.audit();
  CHECK(audit.ResolveActor("cli").value() == "cli");
  CHECK(audit.ResolveActor("CLI").value() == "cli");
  CHECK(audit.ResolveActor("System").value() == "system");
  CHECK(audit.ResolveActor(squatter).value() == squatter);  // still reachable by id
  AuditQuery by_cli;
  by_cli.actor_id = audit.ResolveActor("cli").value();
  REQUIRE(EventsOf(district.w.Query(by_cli)).size() == 1);
  auto report = audit.BreachReport(audit.ResolveActor("cli").value(), 0, district.w.now() + 1);
  REQUIRE(report);
  CHECK(StudentIds(*report) == std::vector<std::string>{district.b});
}

TEST_CASE("a breach report says what each access was, and counts reads apart from rows") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-a", "Avery", "Quill");
  std::string b = w.AddStudent("sis-b", "Blair", "Rook");
  std::string suspect = w.AddUser("suspect.teacher", Role::kEducator);
  const int64_t since = w.now();
  w.View(suspect, a);
  AccessExtra feed;
  feed.query = kFeedReadQuery;
  REQUIRE(w.audit()
              .RecordAccess(w.ActorFor(suspect), AccessScope::kSearch, {{a, "r"}, {b, "r"}},
                            AccessOutcome::kAllowed, feed)
              .ok());
  AccessExtra by_name;
  by_name.search_digest = w.audit().DigestSearchText("rook");
  REQUIRE(w.audit()
              .RecordAccess(w.ActorFor(suspect), AccessScope::kSearch, {{b, "r"}},
                            AccessOutcome::kAllowed, by_name)
              .ok());
  AccessExtra note;
  note.note_id = "note_0123";
  REQUIRE(w.audit()
              .RecordAccess(w.ActorFor(suspect), AccessScope::kRestrictedNote, {{a, "class:c"}},
                            AccessOutcome::kAllowed, note)
              .ok());
  w.Shred(b);
  w.Advance(kMinute);

  auto report = w.audit().BreachReport(suspect, since, w.now());
  REQUIRE(report);
  const json::object& totals = report->at("totals").as_object();
  CHECK(totals.at("accesses").to_number<int>() == 5);       // a 3 times, b twice
  CHECK(totals.at("access_events").to_number<int>() == 4);  // profile, feed, search, note
  const json::array& students = report->at("students").as_array();
  REQUIRE(students.size() == 2);
  const json::array& of_a = students[0].at("accesses").as_array();
  REQUIRE(of_a.size() == 3);
  CHECK_FALSE(of_a[0].as_object().contains("query"));
  CHECK(TextOf(of_a[1].as_object(), "query") == "view=feed");
  CHECK(TextOf(of_a[2].as_object(), "scope") == "restricted_note");
  CHECK(TextOf(of_a[2].as_object(), "note_id") == "note_0123");
  CHECK(TextOf(of_a[2].as_object(), "outcome") == "allowed");
  const json::object& of_b = students[1].as_object();
  CHECK(of_b.at("shredded").as_bool());
  const json::array& b_accesses = of_b.at("accesses").as_array();
  REQUIRE(b_accesses.size() == 2);
  CHECK(TextOf(b_accesses[0].as_object(), "query") == "view=feed");
  CHECK_FALSE(b_accesses[1].as_object().contains("query"));  // a search by name

  const std::string csv = BreachReportCsv(*report);
  CHECK(csv.find("," + std::string(kFeedReadQuery) + ",,false\r\n") != std::string::npos);
  CHECK(csv.find(",allowed,,note_0123,false\r\n") != std::string::npos);
  CHECK(csv.find(b + ",,,,") != std::string::npos);
  CHECK(csv.find(",allowed,view=feed,,true\r\n") != std::string::npos);
  CHECK(csv.find(",allowed,,,true\r\n") != std::string::npos);
}
