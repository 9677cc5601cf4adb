// Audit-first primitives and the audit query (SPEC §2.3, §6 audit/events).
#include <flatbuffers/flatbuffers.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <future>

#include "events/schema/payloads_generated.h"
#include "projections/audit/audit_test_util.h"

using namespace backpack;
using namespace backpack::testing;
namespace json = boost::json;

TEST_CASE("RecordAccess appends exactly one durable RecordViewed that the query returns") {
  AuditWorld w;
  std::string student = w.AddStudent("sis-100", "Avery", "Quill");
  std::string teacher = w.AddUser("teacher.one", Role::kEducator);
  uint64_t before = w.fx().log().size();

  Actor actor{teacher, "req_view_1", "198.51.100.7"};
  REQUIRE(w.audit()
              .RecordAccess(actor, AccessScope::kProfile, {{student, "class:cls-1"}},
                            AccessOutcome::kAllowed)
              .ok());

  REQUIRE(w.fx().log().size() == before + 1);
  auto event = w.fx().log().Read(before);
  REQUIRE(event);
  CHECK(event->header.type == EventType::RecordViewed);
  CHECK(event->header.subject_id == student);
  CHECK(event->header.actor_id == teacher);
  CHECK_FALSE(event->header.payload_encrypted);

  json::object page = w.Query({});
  REQUIRE(EventsOf(page).size() == 1);
  const json::object& e = EventsOf(page)[0].as_object();
  CHECK(e.at("seq").to_number<uint64_t>() == before);
  CHECK(TextOf(e, "at") == "2026-09-21T14:13:20.000Z");
  CHECK(TextOf(e.at("actor").as_object(), "id") == teacher);
  CHECK(TextOf(e.at("actor").as_object(), "username") == "teacher.one");
  CHECK(TextOf(e.at("actor").as_object(), "role") == "educator");
  CHECK(TextOf(e, "action") == "RecordViewed");
  CHECK(TextOf(e, "scope") == "profile");
  CHECK(TextOf(e, "student_id") == student);
  CHECK(TextOf(e, "reason") == "class:cls-1");
  CHECK(TextOf(e, "outcome") == "allowed");
  CHECK(TextOf(e, "request_id") == "req_view_1");
  CHECK(TextOf(e, "ip") == "198.51.100.7");
  CHECK(page.at("next_cursor").is_null());
}

TEST_CASE("RecordAccess refuses a single-student scope without exactly one student") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string b = w.AddStudent("sis-2", "Blair", "Rook");
  uint64_t before = w.fx().log().size();
  Actor actor = w.ActorFor("usr_x");
  CHECK(w.audit().RecordAccess(actor, AccessScope::kProfile, {}, AccessOutcome::kAllowed).code() ==
        StatusCode::kInvalidArgument);
  CHECK(w.audit()
            .RecordAccess(actor, AccessScope::kHistory, {{a, "guardian"}, {b, "guardian"}},
                          AccessOutcome::kAllowed)
            .code() == StatusCode::kInvalidArgument);
  CHECK(w.audit()
            .RecordAccess(actor, AccessScope::kUnknown, {{a, "x"}}, AccessOutcome::kAllowed)
            .code() == StatusCode::kInvalidArgument);
  CHECK(w.fx().log().size() == before);
}

TEST_CASE("a search read has no subject and lists its students with their reasons") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string b = w.AddStudent("sis-2", "Blair", "Rook");
  uint64_t seq = w.fx().log().size();
  AccessExtra extra;
  extra.search_digest = w.audit().DigestSearchText("quill");
  extra.result_count = 2;
  REQUIRE(w.audit()
              .RecordAccess(w.ActorFor("usr_t"), AccessScope::kSearch,
                            {{a, "class:cls-1"}, {b, "grade:sch-1:7"}}, AccessOutcome::kAllowed,
                            extra)
              .ok());
  auto event = w.fx().log().Read(seq);
  REQUIRE(event);
  CHECK(event->header.subject_id.empty());
  auto* p = flatbuffers::GetRoot<fb::RecordViewedPayload>(event->payload.data());
  REQUIRE(p->students());
  CHECK(p->students()->size() == 2);
  CHECK(p->search_digest()->size() == 32);

  AuditQuery by_b;
  by_b.student_id = b;
  json::object page = w.Query(by_b);
  REQUIRE(EventsOf(page).size() == 1);
  CHECK(TextOf(EventsOf(page)[0].as_object(), "student_id") == b);
  CHECK(TextOf(EventsOf(page)[0].as_object(), "reason") == "grade:sch-1:7");
  json::object all = w.Query({});
  CHECK(EventsOf(all)[0].as_object().at("students").as_array().size() == 2);
}

TEST_CASE("RecordDenied appends an AccessDenied the query shows as denied") {
  AuditWorld w;
  std::string student = w.AddStudent("sis-1", "Avery", "Quill");
  uint64_t before = w.fx().log().size();
  REQUIRE(w.audit()
              .RecordDenied(w.ActorFor("usr_nosy"), AccessScope::kProfile, student,
                            "denied:no_relationship", "GET /api/students/{id}/profile")
              .ok());
  REQUIRE(w.fx().log().size() == before + 1);
  CHECK(w.fx().log().Read(before)->header.type == EventType::AccessDenied);
  AuditQuery denied;
  denied.action = "AccessDenied";
  json::object page = w.Query(denied);
  REQUIRE(EventsOf(page).size() == 1);
  const json::object& e = EventsOf(page)[0].as_object();
  CHECK(TextOf(e, "outcome") == "denied");
  CHECK(TextOf(e, "reason") == "denied:no_relationship");
  CHECK(TextOf(e, "route") == "GET /api/students/{id}/profile");
  CHECK(TextOf(e, "student_id") == student);
}

TEST_CASE("RecordAccessAsync reports once the event is durable") {
  AuditWorld w;
  std::string student = w.AddStudent("sis-1", "Avery", "Quill");
  uint64_t before = w.fx().log().size();
  std::promise<Status> done;
  w.audit().RecordAccessAsync(w.ActorFor("usr_t"), AccessScope::kProfile,
                              {{student, "districtwide"}}, AccessOutcome::kAllowed, {},
                              [&](Status s) { done.set_value(s); });
  REQUIRE(done.get_future().get().ok());
  CHECK(w.fx().log().size() == before + 1);

  std::promise<Status> refused;
  w.audit().RecordAccessAsync(w.ActorFor("usr_t"), AccessScope::kProfile, {},
                              AccessOutcome::kAllowed, {}, [&](Status s) { refused.set_value(s); });
  CHECK(refused.get_future().get().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("without a log RecordAccess fails closed with kUnavailable") {
  AuditWorld w;
  Services detached = w.fx().services();
  detached.log = nullptr;
  Audit audit(detached);
  CHECK(audit
            .RecordAccess(w.ActorFor("usr_t"), AccessScope::kProfile, {{"stu_1", "x"}},
                          AccessOutcome::kAllowed)
            .code() == StatusCode::kUnavailable);
  CHECK(audit.RecordDenied(w.ActorFor("usr_t"), AccessScope::kProfile, "stu_1", "denied:x", "r")
            .code() == StatusCode::kUnavailable);
}

TEST_CASE("the query filters by student, actor, action and time") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string b = w.AddStudent("sis-2", "Blair", "Rook");
  int64_t start = w.now();
  w.View("usr_t1", a);  // start
  w.Advance(kHour);
  w.View("usr_t2", a, AccessScope::kHistory, "guardian");  // +1h
  w.Advance(kHour);
  w.View("usr_t1", b);  // +2h
  REQUIRE(w.audit()
              .RecordDenied(w.ActorFor("usr_t2"), AccessScope::kProfile, b,
                            "denied:no_relationship", "GET /api/students/{id}/profile")
              .ok());

  auto count = [&](AuditQuery q) { return EventsOf(w.Query(q)).size(); };
  AuditQuery q;
  q.student_id = a;
  CHECK(count(q) == 2);
  q = {};
  q.actor_id = "usr_t1";
  CHECK(count(q) == 2);
  q.student_id = b;
  CHECK(count(q) == 1);
  q = {};
  q.action = "history";
  CHECK(count(q) == 1);
  q.action = "profile";  // a scope matches views and denials of it
  CHECK(count(q) == 3);
  q.action = "RecordViewed";
  CHECK(count(q) == 3);
  q = {};
  q.since_us = start + kHour;
  CHECK(count(q) == 3);
  q.until_us = start + 2 * kHour;
  CHECK(count(q) == 1);
  q = {};
  q.until_us = start + kHour;
  CHECK(count(q) == 1);
  q.actor_id = "usr_t2";
  CHECK(count(q) == 0);
}

TEST_CASE("the query pages newest first with a cursor") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  for (int i = 0; i < 7; ++i) {
    w.View("usr_t1", a);
    w.Advance(kMinute);
  }
  AuditQuery q;
  q.limit = 3;
  std::vector<uint64_t> seqs;
  std::vector<size_t> page_sizes;
  for (int pages = 0; pages < 10; ++pages) {
    json::object page = w.Query(q);
    page_sizes.push_back(EventsOf(page).size());
    for (const auto& e : EventsOf(page)) seqs.push_back(e.at("seq").to_number<uint64_t>());
    if (page.at("next_cursor").is_null()) break;
    q.cursor = std::string(page.at("next_cursor").as_string());
  }
  CHECK(page_sizes == std::vector<size_t>{3, 3, 1});
  REQUIRE(seqs.size() == 7);
  for (size_t i = 1; i < seqs.size(); ++i) CHECK(seqs[i] < seqs[i - 1]);
}

TEST_CASE("the query refuses a bad limit, cursor or action and clamps large limits") {
  AuditWorld w;
  AuditQuery q;
  q.limit = 0;
  CHECK(w.audit().Query(q).error().code() == StatusCode::kInvalidArgument);
  q = {};
  q.cursor = "12abc";
  CHECK(w.audit().Query(q).error().code() == StatusCode::kInvalidArgument);
  q = {};
  q.action = "Deleted";
  CHECK(w.audit().Query(q).error().code() == StatusCode::kInvalidArgument);
  q = {};
  q.limit = 5000;
  CHECK(w.audit().Query(q));
}

TEST_CASE("QueryAudited records an audit_query read before returning the page") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  w.View("usr_t1", a);
  uint64_t before = w.fx().log().size();
  AuditQuery q;
  q.student_id = a;
  auto page = w.audit().QueryAudited(w.ActorFor(officer), q, "privacy_officer");
  REQUIRE(page);
  CHECK(EventsOf(*page).size() == 1);
  REQUIRE(w.fx().log().size() == before + 1);
  auto event = w.fx().log().Read(before);
  REQUIRE(event);
  auto* p = flatbuffers::GetRoot<fb::RecordViewedPayload>(event->payload.data());
  CHECK(p->scope() == fb::ReadScope::AuditQuery);
  CHECK(p->query()->str() == "student_id=" + a + "&limit=100");
  REQUIRE(p->students());
  CHECK(p->students()->Get(0)->student_id()->str() == a);
}

TEST_CASE("a failed login keeps the typed username only as a digest") {
  AuditWorld w;
  std::string teacher = w.AddUser("teacher.one", Role::kEducator);
  uint64_t before = w.fx().log().size();
  REQUIRE(w.audit()
              .RecordLogin("Tr0ub4dor&3-typed-in-username", std::nullopt, "203.0.113.9", false,
                           LoginFailure::kNoSuchUser)
              .ok());
  REQUIRE(
      w.audit().RecordLogin("teacher.one", teacher, "203.0.113.9", true, LoginFailure::kNone).ok());
  CHECK(w.audit().RecordLogin("x", std::nullopt, "", true, LoginFailure::kNone).code() ==
        StatusCode::kInvalidArgument);
  auto failed = w.fx().log().Read(before);
  REQUIRE(failed);
  CHECK(failed->header.type == EventType::LoginFailed);
  auto* p = flatbuffers::GetRoot<fb::LoginFailedPayload>(failed->payload.data());
  CHECK(p->username_digest()->size() == 32);
  CHECK(p->reason() == fb::LoginFailure::NoSuchUser);
  auto succeeded = w.fx().log().Read(before + 1);
  CHECK(succeeded->header.type == EventType::LoginSucceeded);
  CHECK(succeeded->header.actor_id == teacher);
  w.fx().Reopen();  // flush to files
  CHECK_FALSE(AnyFileContains(w.fx().store().path(), "Tr0ub4dor"));
}
