#include "projections/audit/audit_test_util.h"

#include <flatbuffers/flatbuffers.h>

#include "events/schema/payloads_generated.h"
#include "projections/family/family.h"
#include "projections/ids.h"
#include "projections/rebuild.h"
#include "projections/roster/roster_commands.h"

namespace backpack::testing {
namespace json = boost::json;

namespace {

NewEvent Make(EventType type, std::string subject, flatbuffers::FlatBufferBuilder& fbb,
              bool personal) {
  return NewEvent{type,
                  "system",
                  std::move(subject),
                  "req_import",
                  Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()),
                  personal};
}

}  // namespace

AuditWorld::AuditWorld() : fx_(std::make_unique<DomainFixture>(dir_.path())) {}

void AuditWorld::Append(std::vector<NewEvent> events) {
  auto appended = fx_->log().Append(std::move(events));
  REQUIRE(appended);
}

std::string AuditWorld::AddStudent(const std::string& sourced_id, const std::string& given,
                                   const std::string& family) {
  std::string id = StudentIdFor(fx_->keys().index_key, sourced_id);
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateStudentImportedPayloadDirect(fbb, sourced_id.c_str(), given.c_str(),
                                                    family.c_str(), "", "", "07", "sch-1"));
  Append({Make(EventType::StudentImported, id, fbb, true)});
  return id;
}

void AuditWorld::AddGuardian(const std::string& guardian_sourced_id,
                             const std::string& student_sourced_id, const std::string& given,
                             const std::string& family, const std::string& email) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateGuardianLinkedPayloadDirect(
      fbb, guardian_sourced_id.c_str(), student_sourced_id.c_str(), given.c_str(), family.c_str(),
      email.c_str(), "555-0100", "", "parent", "imp_test"));
  Append({Make(EventType::GuardianLinked, StudentIdFor(fx_->keys().index_key, student_sourced_id),
               fbb, true)});
}

std::string AuditWorld::AddUser(const std::string& username, Role role, IdSet flags) {
  AddUserRequest r;
  r.username = username;
  r.role = role;
  r.display_name = "Synthetic " + username;
  r.flags = std::move(flags);
  r.password_cost = PasswordCost::kMinimal;
  RosterCommands commands(fx_->services());
  auto id = commands.AddUser(Actor{"system", "req_user", ""}, r, "correct horse battery");
  REQUIRE(id);
  return *id;
}

void AuditWorld::Shred(const std::string& student_id) {
  REQUIRE(fx_->data_keys().Shred(student_id).ok());
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordShreddedPayloadDirect(fbb, "test", "", now()));
  Append({Make(EventType::RecordShredded, student_id, fbb, false)});
}

void AuditWorld::ShredAs(const std::string& actor_id, const std::string& student_id) {
  Status shredded = fx_->services().family->Shred(ActorFor(actor_id), student_id, "retention");
  INFO(shredded.message());
  REQUIRE(shredded.ok());
}

Actor AuditWorld::ActorFor(const std::string& user_id, const std::string& ip) {
  return Actor{user_id, "req_" + std::to_string(++request_counter_), ip};
}

void AuditWorld::View(const std::string& user_id, const std::string& student_id, AccessScope scope,
                      const std::string& reason) {
  REQUIRE(
      audit()
          .RecordAccess(ActorFor(user_id), scope, {{student_id, reason}}, AccessOutcome::kAllowed)
          .ok());
}

json::object AuditWorld::Query(const AuditQuery& query) {
  auto page = audit().Query(query);
  REQUIRE(page);
  return *page;
}

std::string AuditWorld::Dump(std::string_view family) {
  auto it = fx_->store().NewIterator(family);
  REQUIRE(it);
  std::string out;
  for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
    out += ToHex((*it)->key()) + "=" + ToHex((*it)->value()) + "\n";
  }
  return out;
}

std::string StartBreakGlass(AuditWorld& w, const std::string& educator,
                            const std::string& student) {
  RosterCommands commands(w.fx().services());
  auto started =
      commands.StartBreakGlass(w.ActorFor(educator), educator, student, kBreakGlassReason);
  REQUIRE(started);
  return started->id;
}

const json::array& AlertsOf(AuditWorld& w, bool unreviewed_only) {
  static json::object last;
  auto alerts = w.audit().Alerts(unreviewed_only);
  REQUIRE(alerts);
  last = std::move(*alerts);
  return last.at("alerts").as_array();
}

void RequireRebuildIdentical(AuditWorld& w) {
  const std::vector<std::string> families = {"a_events",    "a_by_student", "a_by_actor",
                                             "a_by_action", "a_alerts",     "a_alert_text",
                                             "a_windows",   "a_settings"};
  TempDir scratch_dir;
  std::unique_ptr<Store> scratch = w.fx().Rebuilt(scratch_dir.path() / "db");
  auto difference = FirstDifference(w.fx().store(), *scratch, families);
  REQUIRE(difference);
  CHECK(*difference == std::nullopt);
}

const json::array& EventsOf(const json::object& page) {
  static const json::array kEmpty;
  const json::value* v = page.if_contains("events");
  return v && v->is_array() ? v->get_array() : kEmpty;
}

std::string TextOf(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace backpack::testing
