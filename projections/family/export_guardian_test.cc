// What a history export bundle made for a guardian withholds of other people:
// other guardians' reads and contact details, and what staff audits looked
// into (docs/history-export.md).
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <map>

#include "projections/family/export.h"
#include "projections/family/family_test_util.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"

namespace backpack::family_testing {
namespace {

namespace json = boost::json;

// A plain (unencrypted) event whose payload `fbb` holds.
NewEvent PlainEvent(EventType type, const std::string& actor, const std::string& subject,
                    const flatbuffers::FlatBufferBuilder& fbb) {
  return NewEvent{type,
                  actor,
                  subject,
                  "req_test",
                  Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()),
                  false};
}

// A RecordViewed of `student` by `actor`, from `ip`, as the audit writes it.
NewEvent ReadFrom(const std::string& student, const std::string& actor, const std::string& ip,
                  fb::ReadScope scope = fb::ReadScope::History,
                  const std::string& reason = "guardian") {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordViewedPayloadDirect(fbb, scope, reason.c_str(),
                                                 fb::AccessOutcome::Allowed, ip.c_str()));
  return PlainEvent(EventType::RecordViewed, actor, student, fbb);
}

// An AccessDenied of a profile read of `student` by `actor`, from `ip`.
NewEvent DeniedFrom(const std::string& student, const std::string& actor, const std::string& ip) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAccessDeniedPayloadDirect(fbb, fb::ReadScope::Profile,
                                                 "denied:no_relationship",
                                                 "GET /api/students/{id}/profile", "", ip.c_str()));
  return PlainEvent(EventType::AccessDenied, actor, student, fbb);
}

// A privacy officer's audit query or breach report (`scope`) that found only
// `student`, from `ip`, with the filters `query`.
NewEvent Investigated(const std::string& student, const std::string& officer, fb::ReadScope scope,
                      const std::string& query, const std::string& ip) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::AccessedStudent>> listed{
      fb::CreateAccessedStudentDirect(fbb, student.c_str(), "privacy_officer")};
  fbb.Finish(fb::CreateRecordViewedPayloadDirect(fbb, scope, "privacy_officer",
                                                 fb::AccessOutcome::Allowed, ip.c_str(), "",
                                                 query.c_str(), nullptr, &listed, 1));
  return PlainEvent(EventType::RecordViewed, officer, "", fbb);
}

TEST_CASE("a guardian's bundle shows another guardian's reads only as their place in the log") {
  World w;
  const std::string second = UserIdFor(w.fx().keys().index_key, "G-2");
  w.Append({GuardianLinked(w.ana, "G-2", "S-1"),
            UserCreated(second, "jordan", fb::UserRole::Guardian, "Jordan Q."),
            ReadFrom(w.ana, second, "203.0.113.77"), ReadFrom(w.ana, w.guardian, "198.51.100.5"),
            ReadFrom(w.ana, w.educator, "10.1.2.3"), Denied(w.ana, second, "denied:test")});

  json::object bundle = VerifiedGuardianExport(w);
  const std::string text = json::serialize(bundle);
  CHECK(text.find("203.0.113.77") == std::string::npos);
  CHECK(text.find("198.51.100.5") != std::string::npos);  // their own read
  CHECK(text.find("10.1.2.3") != std::string::npos);      // staff's reads are theirs to see
  std::vector<std::string> withheld;  // types of the events withheld as other_guardian
  for (const json::value& v : bundle.at("events").as_array()) {
    if (v.at("withheld") != "other_guardian") continue;
    withheld.emplace_back(v.at("type").as_string());
    CHECK(v.at("actor_id") == second.c_str());
    CHECK(v.at("stored").is_null());
    CHECK(v.at("content").is_null());
  }
  CHECK(withheld == std::vector<std::string>{"RecordViewed", "AccessDenied"});

  SECTION("the privacy officer's bundle withholds none of it") {
    auto full = w.family().ExportHistory(w.ana);
    REQUIRE(full);
    CHECK(json::serialize(*full).find("203.0.113.77") != std::string::npos);
    CHECK(Verifies(*full));
  }
  SECTION("a staff read, or a note, re-marked as another guardian's does not verify") {
    for (json::value& v : bundle["events"].as_array()) {
      const bool staff_read =
          v.at("type") == "RecordViewed" && v.at("actor_id") == w.educator.c_str();
      if (!staff_read && v.at("type") != "GuardianLinked") continue;
      json::object copy = bundle;
      for (json::value& c : copy["events"].as_array()) {
        if (c.at("seq") != v.at("seq")) continue;
        c.as_object()["withheld"] = "other_guardian";
        c.as_object()["stored"] = nullptr;
        c.as_object()["content"] = nullptr;
        c.as_object()["opening_key"] = nullptr;
      }
      CHECK_FALSE(Verifies(copy));
    }
  }
}

// The `withheld` of each event of `bundle`, by seq ("" for null).
std::map<uint64_t, std::string> WithheldBySeq(const json::object& bundle) {
  std::map<uint64_t, std::string> out;
  for (const json::value& v : bundle.at("events").as_array()) {
    const json::value& withheld = v.at("withheld");
    out[v.at("seq").to_number<uint64_t>()] =
        withheld.is_string() ? std::string(withheld.as_string()) : "";
  }
  return out;
}

TEST_CASE("a guardian's bundle withholds what an audit looked into, not where staff read from") {
  World w;
  const std::string query = "actor_id=usr_rivera&since=2026-09-01T00:00:00Z";
  const uint64_t first = w.Append(
      {ReadFrom(w.ana, w.educator, "10.1.2.3", fb::ReadScope::Profile, "districtwide"),
       DeniedFrom(w.ana, w.educator, "10.1.2.4"),
       Investigated(w.ana, w.privacy, fb::ReadScope::AuditQuery, query, ""),
       Investigated(w.ana, w.privacy, fb::ReadScope::BreachReport, query + "&until=x", "10.7.7.7"),
       Viewed(w.ana, "cli", fb::ReadScope::Export, "cli"),
       ReadFrom(w.ana, w.guardian, "198.51.100.5"),
       NoteRestricted(w.ana, w.educator, NewId("note"))});  // plain, but not a read

  json::object bundle = VerifiedGuardianExport(w);
  const std::string text = json::serialize(bundle);
  for (const char* hidden : {"10.7.7.7", "usr_rivera&since"}) {
    CHECK(text.find(hidden) == std::string::npos);
  }
  std::map<uint64_t, std::string> withheld = WithheldBySeq(bundle);
  CHECK(withheld[first] == "");
  CHECK(withheld[first + 1] == "");
  CHECK(withheld[first + 2] == "audit_investigation");
  CHECK(withheld[first + 3] == "audit_investigation");
  CHECK(withheld[first + 4] == "");
  CHECK(withheld[first + 5] == "");
  for (const json::value& v : bundle.at("events").as_array()) {
    if (v.at("withheld").is_null()) continue;
    CHECK(v.at("stored").is_null());
    CHECK(v.at("content").is_null());
    CHECK(v.at("leaf_hash").is_string());
  }
  // The staff read and refusal, and the guardian's own read, are there in
  // full: their signed bytes, and content (address included) checked against
  // them.
  const std::map<uint64_t, std::string> shown_from{
      {first, "10.1.2.3"}, {first + 1, "10.1.2.4"}, {first + 5, "198.51.100.5"}};
  int shown = 0;
  for (const json::value& e : bundle.at("events").as_array()) {
    auto ip = shown_from.find(e.at("seq").to_number<uint64_t>());
    if (ip == shown_from.end()) continue;
    ++shown;
    CHECK(e.at("stored").is_string());
    CHECK(e.at("content").at("client_ip") == ip->second.c_str());
  }
  CHECK(shown == 3);

  SECTION("a staff read's address is checked against its signed bytes") {
    for (json::value& v : bundle["events"].as_array()) {
      if (v.at("seq").to_number<uint64_t>() != first) continue;
      v.as_object()["content"].as_object()["client_ip"] = "10.9.9.9";
    }
    CHECK_FALSE(Verifies(bundle));
  }
  SECTION("a staff read re-marked as withheld, for any reason, does not verify") {
    for (const char* reason : {"audit_investigation", "other_guardian", "staff_read"}) {
      json::object copy = bundle;
      for (json::value& c : copy["events"].as_array()) {
        if (c.at("seq").to_number<uint64_t>() != first) continue;
        c.as_object()["withheld"] = reason;
        c.as_object()["stored"] = nullptr;
        c.as_object()["content"] = nullptr;
      }
      INFO(reason);
      CHECK_FALSE(Verifies(copy));
    }
  }
  SECTION("the privacy officer's bundle withholds none of it") {
    auto full = w.family().ExportHistory(w.ana);
    REQUIRE(full);
    const std::string all = json::serialize(*full);
    for (const char* value : {"10.1.2.3", "10.1.2.4", "10.7.7.7", "usr_rivera&since"}) {
      CHECK(all.find(value) != std::string::npos);
    }
    for (const auto& [seq, reason] : WithheldBySeq(*full)) CHECK(reason == "");
    CHECK(Verifies(*full));
  }
  SECTION("only a plain read or refusal may be withheld as audit_investigation") {
    for (const char* type : {"GuardianLinked", "NoteRestricted"}) {  // sealed; plain
      json::object copy = bundle;
      for (json::value& c : copy["events"].as_array()) {
        if (c.at("type") != type) continue;
        c.as_object()["withheld"] = "audit_investigation";
        c.as_object()["stored"] = nullptr;
        c.as_object()["content"] = nullptr;
        c.as_object()["opening_key"] = nullptr;
      }
      auto refused = VerifyExport(json::value(copy));
      REQUIRE_FALSE(refused);
      CHECK_THAT(refused.error().message(),
                 Catch::Contains("only a plain read or refusal may be withheld as "
                                 "audit_investigation"));
    }
  }
}

// Ana's second guardian "G-2", linked with contact details of their own.
constexpr char kCoEmail[] = "jordan.coparent@example.test";
constexpr char kCoPhone[] = "+1-555-0142";

// The GuardianLinked events of `bundle`, by the guardian's sourcedId; a
// withheld one (no content) under "".
std::map<std::string, json::object*> LinksBySourcedId(json::object& bundle) {
  std::map<std::string, json::object*> out;
  for (json::value& v : bundle["events"].as_array()) {
    if (v.at("type") != "GuardianLinked") continue;
    const json::value& content = v.at("content");
    out[content.is_object() ? std::string(content.at("guardian_sourced_id").as_string()) : ""] =
        &v.as_object();
  }
  return out;
}

// `bundle` with the event at `seq` marked withheld as `reason`, with no
// opening key or content, as an export withholds a co-guardian's link.
json::object Remarked(const json::object& bundle, const json::value& seq, const char* reason) {
  json::object copy = bundle;
  for (json::value& c : copy["events"].as_array()) {
    if (c.at("seq") != seq) continue;
    c.as_object()["withheld"] = reason;
    c.as_object()["opening_key"] = nullptr;
    c.as_object()["content"] = nullptr;
  }
  return copy;
}

TEST_CASE("a guardian's bundle withholds another guardian's contact details, not their link") {
  World w;
  const std::string second = UserIdFor(w.fx().keys().index_key, "G-2");
  w.Append({GuardianLinked(w.ana, "G-2", "S-1", kCoEmail, kCoPhone),
            UserCreated(second, "jordan", fb::UserRole::Guardian, "Jordan Q.")});

  json::object bundle = VerifiedGuardianExport(w);
  CHECK(VerifyExportText(json::serialize(bundle)));
  const std::string text = json::serialize(bundle);
  CHECK(text.find(kCoEmail) == std::string::npos);
  CHECK(text.find("555-0142") == std::string::npos);
  CHECK(text.find("guardian@example.test") != std::string::npos);  // their own
  auto links = LinksBySourcedId(bundle);
  REQUIRE(links.size() == 2);
  REQUIRE(links.contains("G-1"));
  REQUIRE(links.contains(""));
  const json::object& own = *links["G-1"];
  CHECK(own.at("withheld").is_null());
  CHECK(own.at("opening_key").is_string());
  const json::object& other = *links[""];
  CHECK(other.at("withheld") == "other_guardian_contact");
  CHECK(other.at("stored").is_string());  // its place and signature still verify
  CHECK(other.at("opening_key").is_null());
  CHECK(other.at("content").is_null());

  SECTION("the other guardian's bundle withholds the first one's, not their own") {
    auto theirs = w.family().ExportHistory(w.ana, second);
    REQUIRE(theirs);
    const std::string their_text = json::serialize(*theirs);
    CHECK(their_text.find(kCoEmail) != std::string::npos);
    CHECK(their_text.find("guardian@example.test") == std::string::npos);
    CHECK(Verifies(*theirs));
  }
  SECTION("the privacy officer's bundle withholds neither") {
    auto full = w.family().ExportHistory(w.ana);
    REQUIRE(full);
    CHECK(json::serialize(*full).find(kCoEmail) != std::string::npos);
    for (const auto& [seq, reason] : WithheldBySeq(*full)) CHECK(reason == "");
    CHECK(Verifies(*full));
  }
  SECTION("the guardian's own link, or a staff note, re-marked as withheld does not verify") {
    w.WriteNote(w.ana, "general", "Synthetic open note");
    json::object later = VerifiedGuardianExport(w);
    for (const json::value& v : later.at("events").as_array()) {
      if (!v.at("withheld").is_null() || !v.at("encrypted").as_bool()) continue;
      INFO(v.at("type").as_string().c_str());
      CHECK_FALSE(Verifies(Remarked(later, v.at("seq"), "other_guardian_contact")));
    }
  }
  SECTION("a withheld link shown as not withheld does not verify") {
    json::object copy = bundle;
    LinksBySourcedId(copy)[""]->insert_or_assign("withheld", nullptr);
    CHECK_FALSE(Verifies(copy));
  }
}

TEST_CASE("only a live guardian link may be withheld as another guardian's contact") {
  World w;
  w.WriteNote(w.ana, "general", "Synthetic open note");
  w.Append({NoteRestricted(w.ana, w.educator, NewId("note"))});
  auto exported = w.family().ExportHistory(w.ana);
  REQUIRE(exported);
  for (const char* type : {"StudentImported", "NoteWritten", "NoteRestricted"}) {
    for (const json::value& v : exported->at("events").as_array()) {
      if (v.at("type") != type) continue;
      auto refused =
          VerifyExport(json::value(Remarked(*exported, v.at("seq"), "other_guardian_contact")));
      INFO(type);
      REQUIRE_FALSE(refused);
      CHECK_THAT(refused.error().message(),
                 Catch::Contains("only a live guardian link may be withheld as "
                                 "other_guardian_contact"));
    }
  }
}

TEST_CASE("a guardian account linked after it was made sees its own link in its bundle") {
  World w;
  const std::string later = NewId("usr");  // made without a sourcedId
  w.Append({GuardianLinked(w.ana, "G-2", "S-1", kCoEmail, kCoPhone),
            UserCreated(later, "jordan", fb::UserRole::Guardian, "Jordan Q.")});
  CHECK_FALSE(w.fx().services().roster->IsGuardianOf(later, w.ana));
  auto linked = RosterCommands(w.fx().services()).LinkUser(w.As(w.admin), later, "G-2");
  REQUIRE(linked);
  CHECK(*linked == AccountChange::kChanged);
  CHECK(w.fx().services().roster->IsGuardianOf(later, w.ana));  // at once, in this process

  auto bundle = w.family().ExportHistory(w.ana, later);
  REQUIRE(bundle);
  CHECK(Verifies(*bundle));
  auto links = LinksBySourcedId(*bundle);
  REQUIRE(links.contains("G-2"));
  CHECK(links["G-2"]->at("withheld").is_null());
  REQUIRE(links.contains(""));  // G-1's, the other guardian's
  CHECK(links[""]->at("withheld") == "other_guardian_contact");
  CHECK(json::serialize(*bundle).find("guardian@example.test") == std::string::npos);
  w.CheckRebuildEqualsLive();
}

}  // namespace
}  // namespace backpack::family_testing
