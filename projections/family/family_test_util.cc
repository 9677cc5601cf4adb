#include "projections/family/family_test_util.h"

#include <catch2/catch.hpp>

#include "events/schema/payloads_generated.h"
#include "projections/family/export.h"
#include "projections/ids.h"
#include "projections/rebuild.h"

namespace backpack::family_testing {
namespace {

// When the world's clock starts (the fixture's default: 2026-09-21).
constexpr int64_t kWorldStartUs = 1'790'000'000'000'000;

NewEvent Make(EventType type, const std::string& actor, const std::string& subject,
              flatbuffers::FlatBufferBuilder& fbb, bool personal) {
  NewEvent e;
  e.type = type;
  e.actor_id = actor;
  e.subject_id = subject;
  e.request_id = "req_test";
  e.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  e.personal = personal;
  return e;
}

}  // namespace

NewEvent StudentImported(const AeadKey& index_key, const std::string& sourced_id,
                         const std::string& given, const std::string& family) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateStudentImportedPayloadDirect(fbb, sourced_id.c_str(), given.c_str(),
                                                    family.c_str(), "", "", "07", "SCH-1", nullptr,
                                                    "", "", "", "", "", "", true, 0, "imp_1"));
  return Make(EventType::StudentImported, "usr_importer", StudentIdFor(index_key, sourced_id), fbb,
              true);
}

NewEvent GuardianLinked(const std::string& student, const std::string& guardian_sourced_id,
                        const std::string& student_sourced_id, const std::string& email,
                        const std::string& phone, const std::string& given,
                        const std::string& family) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateGuardianLinkedPayloadDirect(
      fbb, guardian_sourced_id.c_str(), student_sourced_id.c_str(), given.c_str(), family.c_str(),
      email.c_str(), phone.c_str(), phone.c_str(), "parent", "imp_1"));
  return Make(EventType::GuardianLinked, "usr_importer", student, fbb, true);
}

NewEvent UserCreated(const std::string& user_id, const std::string& username, fb::UserRole role,
                     const std::string& display_name, const std::vector<std::string>& flags) {
  flatbuffers::FlatBufferBuilder fbb;
  auto flag_vector = fbb.CreateVectorOfStrings(flags);
  auto payload =
      fb::CreateUserCreatedPayload(fbb, fbb.CreateString(user_id), fbb.CreateString(username), role,
                                   fbb.CreateString(display_name), flag_vector);
  fbb.Finish(payload);
  return Make(EventType::UserCreated, "system", user_id, fbb, true);
}

NewEvent Note(const std::string& student, const std::string& author, const std::string& kind,
              const std::string& text, bool restricted, const std::string& note_id) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteWrittenPayloadDirect(fbb, note_id.c_str(), kind.c_str(), text.c_str(),
                                                restricted));
  return Make(EventType::NoteWritten, author, student, fbb, true);
}

NewEvent NoteRestricted(const std::string& student, const std::string& by,
                        const std::string& note_id) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteRestrictedPayloadDirect(fbb, note_id.c_str(), by.c_str()));
  return Make(EventType::NoteRestricted, by, student, fbb, false);
}

NewEvent Viewed(const std::string& subject, const std::string& actor, fb::ReadScope scope,
                const std::string& reason,
                const std::vector<std::pair<std::string, std::string>>& students,
                const std::string& query) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::AccessedStudent>> listed;
  for (const auto& [id, why] : students) {
    listed.push_back(fb::CreateAccessedStudentDirect(fbb, id.c_str(), why.c_str()));
  }
  fbb.Finish(fb::CreateRecordViewedPayloadDirect(
      fbb, scope, reason.c_str(), fb::AccessOutcome::Allowed, "", "", query.c_str(), nullptr,
      students.empty() ? nullptr : &listed, students.size()));
  return Make(EventType::RecordViewed, actor, subject, fbb, false);
}

NewEvent RestrictedNoteViewed(const std::string& student, const std::string& actor,
                              const std::string& note_id) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordViewedPayloadDirect(fbb, fb::ReadScope::RestrictedNote, "districtwide",
                                                 fb::AccessOutcome::Allowed, "", note_id.c_str()));
  return Make(EventType::RecordViewed, actor, student, fbb, false);
}

NewEvent Denied(const std::string& student, const std::string& actor, const std::string& reason) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAccessDeniedPayloadDirect(fbb, fb::ReadScope::Profile, reason.c_str(),
                                                 "GET /api/students/{id}/profile", "", ""));
  return Make(EventType::AccessDenied, actor, student, fbb, false);
}

NewEvent Disclosed(const std::string& student, const std::string& actor,
                   const std::string& recipient, const std::string& interest) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordDisclosedPayloadDirect(fbb, recipient.c_str(), interest.c_str(),
                                                    "transcript"));
  return Make(EventType::RecordDisclosed, actor, student, fbb, true);
}

NewEvent Retracted(const std::string& student, fb::RecordKind kind, const std::string& sourced_id,
                   bool replaced) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordRetractedPayloadDirect(fbb, kind, sourced_id.c_str(), 1, "imp_test",
                                                    replaced));
  return Make(EventType::RecordRetracted, "system", student, fbb, true);
}

bool Verifies(const boost::json::object& bundle) {
  return VerifyExport(boost::json::value(bundle)).has_value();
}

boost::json::object VerifiedGuardianExport(World& w) {
  auto bundle = w.family().ExportHistory(w.ana, w.guardian);
  REQUIRE(bundle);
  auto verified = VerifyExport(boost::json::value(*bundle));
  INFO((verified ? std::string() : verified.error().message()));
  REQUIRE(verified);
  return *bundle;
}

World::World() : temp_(std::make_unique<testing::TempDir>()), dir_(temp_->path()) { Populate(); }

World::World(const std::filesystem::path& dir) : dir_(dir) { Populate(); }

World::World(testing::DomainFixtureOptions options)
    : temp_(std::make_unique<testing::TempDir>()),
      dir_(temp_->path()),
      options_(std::move(options)) {
  Populate();
}

void World::Populate() {
  fx_ = std::make_unique<testing::DomainFixture>(dir_, kWorldStartUs, options_);
  const AeadKey& key = fx_->keys().index_key;
  ana = StudentIdFor(key, "S-1");
  ben = StudentIdFor(key, "S-2");
  guardian = UserIdFor(key, "G-1");
  stranger = UserIdFor(key, "G-9");
  privacy = "usr_privacy";
  admin = "usr_admin";
  educator = "usr_rivera";
  Append({StudentImported(key, "S-1", kAnaGivenName, kAnaFamilyName),
          StudentImported(key, "S-2", "Benedikt", "Ortolan"), GuardianLinked(ana, "G-1", "S-1"),
          UserCreated(guardian, "marisol", fb::UserRole::Guardian, "Marisol Q."),
          UserCreated(stranger, "stranger", fb::UserRole::Guardian, "Other Parent"),
          UserCreated(privacy, "privacy", fb::UserRole::PrivacyOfficer, "Pat Privacy"),
          UserCreated(admin, "admin", fb::UserRole::DistrictAdmin, "Ada Admin"),
          UserCreated(educator, "rivera", fb::UserRole::Educator, "Ms. Rivera", {"districtwide"})});
}

World::~World() = default;

void World::Reopen() {
  fx_.reset();
  fx_ = std::make_unique<testing::DomainFixture>(dir_, kWorldStartUs, options_);
}

void World::CheckRebuildEqualsLive() {
  testing::TempDir scratch_dir;
  auto scratch = fx().Rebuilt(scratch_dir.path());
  auto difference =
      FirstDifference(fx().store(), *scratch, family().projection()->ColumnFamilies());
  REQUIRE(difference);
  CHECK(*difference == std::nullopt);
}

uint64_t World::Append(std::vector<NewEvent> events) {
  auto appended = log().Append(std::move(events));
  REQUIRE(appended);
  fx_->clock().Advance(kMicrosPerSecond);
  return appended->first_seq;
}

uint64_t World::WriteNote(const std::string& student, const std::string& kind,
                          const std::string& text) {
  return Append({Note(student, educator, kind, text)});
}

uint64_t World::ViewProfile(const std::string& student, const std::string& reason) {
  return Append({Viewed(student, educator, fb::ReadScope::Profile, reason)});
}

}  // namespace backpack::family_testing
