#include <catch2/catch.hpp>
#include <map>

#include "events/verifier.h"
#include "projections/family/export.h"
#include "projections/family/family_test_util.h"
#include "projections/family/internal/layout.h"
#include "projections/rebuild.h"
#include "projections/records/records.h"
#include "projections/roster/roster.h"

namespace backpack::family_testing {
namespace {

namespace json = boost::json;

const std::string kNoteText = "Anxious before presentations, Zanzibar-Pumpernickel (synthetic)";

struct Shredded {
  World w;
  uint64_t note = 0, view = 0, ben_note = 0;
  Shredded() {
    note = w.WriteNote(w.ana, "counseling", kNoteText);
    view = w.ViewProfile(w.ana, "districtwide");
    ben_note = w.WriteNote(w.ben, "general", "Ben note (synthetic)");
    REQUIRE(w.family().Shred(w.As(w.admin), w.ana, "retention schedule").ok());
  }
};

// Ana's RecordShredded, as Family::Shred appends it before destroying her key.
NewEvent ShreddedMarker(const World& w) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordShreddedPayloadDirect(fbb, "retention schedule", "", 0));
  NewEvent shredded;
  shredded.type = EventType::RecordShredded;
  shredded.actor_id = w.admin;
  shredded.subject_id = w.ana;
  shredded.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  shredded.personal = false;
  return shredded;
}

TEST_CASE("only a privacy officer or district admin may shred, once, with a reason") {
  World w;
  CHECK(w.family().Shred(w.As(w.educator), w.ana, "x").code() == StatusCode::kPermissionDenied);
  CHECK(w.family().Shred(w.As(w.guardian), w.ana, "x").code() == StatusCode::kPermissionDenied);
  CHECK(w.family().Shred(w.As(w.privacy), w.ana, "").code() == StatusCode::kInvalidArgument);
  CHECK(w.family().Shred(w.As(w.privacy), "stu_00000000000000000000", "x").code() ==
        StatusCode::kNotFound);
  REQUIRE(w.family().Shred(w.As(w.privacy), w.ana, "retention schedule").ok());
  CHECK(w.family().Shred(w.As(w.privacy), w.ana, "again").code() == StatusCode::kGone);
}

TEST_CASE("after a shred the history shows personal events as type and time only") {
  Shredded s;
  auto history = s.w.family().History(s.w.ana);
  REQUIRE(history);
  CHECK(history->at("shredded").as_bool());
  const json::array& events = history->at("events").as_array();
  REQUIRE(events.size() == 5);  // imported, linked, note, view, RecordShredded
  for (const auto& e : events) {
    CHECK(e.as_object().contains("type"));
    CHECK(e.as_object().contains("at"));
    // The encrypted ones are unreadable; the access records, which hold no
    // personal data, still say who did what (who shredded the record, too).
    const bool personal = e.at("type") != "RecordViewed" && e.at("type") != "RecordShredded";
    CAPTURE(e);
    CHECK(e.as_object().contains("shredded") == personal);
    CHECK(e.as_object().contains("summary") == !personal);
    CHECK(e.as_object().contains("who") == !personal);
  }
  CHECK(events.back().at("type").as_string() == "RecordShredded");
  CHECK(events.back().at("who").at("name").as_string() == "Ada Admin");
  CHECK(history->at("disclosures").as_array().empty());
}

TEST_CASE("after a shred roster and records data about the student are gone") {
  Shredded s;
  Roster& roster = *s.w.fx().services().roster;
  auto student = roster.FindStudent(s.w.ana);
  REQUIRE_FALSE(student);
  CHECK(student.error().code() == StatusCode::kGone);
  CHECK(roster.GuardiansOf(s.w.ana).empty());
  CHECK_FALSE(roster.IsGuardianOf(s.w.guardian, s.w.ana));
  auto viewer = roster.FindUser(s.w.educator);
  REQUIRE(viewer);
  auto profile = s.w.fx().services().records->Profile(s.w.ana, false, s.w.fx().clock().NowMicros(),
                                                      "districtwide", *viewer);
  REQUIRE_FALSE(profile);
  CHECK(profile.error().code() == StatusCode::kGone);
  CHECK(s.w.fx().data_keys().IsShredded(s.w.ana));
}

TEST_CASE("after a shred other students are untouched") {
  Shredded s;
  CHECK(s.w.fx().services().roster->FindStudent(s.w.ben));
  auto history = s.w.family().History(s.w.ben);
  REQUIRE(history);
  CHECK_FALSE(history->at("shredded").as_bool());
  CHECK(history->at("events").as_array().back().at("summary").as_string() ==
        "Note written (general)");
  auto bundle = s.w.family().ExportHistory(s.w.ben);
  REQUIRE(bundle);
  CHECK(VerifyExport(json::value(*bundle)));
}

TEST_CASE("after a shred the export verifies and shows encrypted events only as shredded") {
  Shredded s;
  auto bundle = s.w.family().ExportHistory(s.w.ana);
  REQUIRE(bundle);
  auto verified = VerifyExport(json::value(*bundle));
  REQUIRE(verified);
  CHECK(verified->shredded);
  CHECK(verified->events == 5);
  for (const auto& e : bundle->at("events").as_array()) {
    if (!e.at("encrypted").as_bool()) continue;
    CHECK(e.at("shredded").as_bool());
    CHECK(e.at("content").is_null());
    CHECK(e.at("opening_key").is_null());
  }
}

TEST_CASE("after a shred the log still verifies and no file holds the name or the note") {
  Shredded s;
  auto report = VerifyLog(s.w.fx().store(), s.w.log().public_key(), 2);
  REQUIRE(report);
  CHECK(report->ok);
  CHECK(report->events == s.w.log().size());
  s.w.Close();
  CHECK_FALSE(testing::AnyFileContains(s.w.dir(), kAnaFamilyName));
  CHECK_FALSE(testing::AnyFileContains(s.w.dir(), kAnaGivenName));
  CHECK_FALSE(testing::AnyFileContains(s.w.dir(), "Zanzibar-Pumpernickel"));
}

TEST_CASE("a typed shred reason is sealed under the actor, shown in the history, stored nowhere") {
  World w;
  const std::string reason = "Pemberton-Relocation-Custody-83fa (synthetic)";
  REQUIRE(w.family().Shred(w.As(w.privacy), w.ana, reason).ok());
  const uint64_t shred_seq = w.log().size() - 1;
  auto shred = w.log().Read(shred_seq);
  REQUIRE(shred);
  REQUIRE(shred->header.type == EventType::RecordShredded);
  CHECK_FALSE(shred->header.payload_encrypted);
  auto* marker = flatbuffers::GetRoot<fb::RecordShreddedPayload>(shred->payload.data());
  CHECK(marker->reason()->str() == kShredReasonSealed);
  auto stated = w.log().Read(shred_seq - 1);
  REQUIRE(stated);
  CHECK(stated->header.type == EventType::ShredReasonRecorded);
  CHECK(stated->header.subject_id == w.privacy);
  CHECK(stated->header.payload_encrypted);
  // The privacy officer reads the reason in the shredded record's history.
  for (bool reopened : {false, true}) {
    if (reopened) w.Reopen();
    auto history = w.family().History(w.ana);
    REQUIRE(history);
    CHECK(history->at("events").as_array().back().at("summary").as_string() ==
          "Record shredded (" + reason + ")");
  }
  w.CheckRebuildEqualsLive();
  CHECK(testing::AllStoredBytes(w.fx().store()).find(reason) == std::string::npos);
  REQUIRE(w.fx().store().FlushAndCompact(cf::kLog).ok());
  w.Close();
  CHECK_FALSE(testing::AnyFileContains(w.dir(), reason));
}

TEST_CASE("a shred interrupted before the key was destroyed completes on the next start") {
  World w;
  w.WriteNote(w.ana, "counseling", kNoteText);
  w.Append({ShreddedMarker(w)});  // the process "dies" before DataKeyRing::Shred
  CHECK(*w.family().IsShredded(w.ana));
  // The log marked Ana shredded in memory once it wrote the event (no key is
  // handed out), but her key is still stored: the crash forgets the mark.
  CHECK(w.fx().data_keys().IsShredded(w.ana));
  auto complete = w.fx().data_keys().ShredComplete(w.ana);
  REQUIRE(complete);
  CHECK_FALSE(*complete);
  w.Reopen();
  CHECK(w.fx().data_keys().IsShredded(w.ana));
  complete = w.fx().data_keys().ShredComplete(w.ana);
  REQUIRE(complete);
  CHECK(*complete);
  CHECK(w.family().Recover().ok());  // idempotent
}

TEST_CASE("a shred interrupted after the tombstone, before the old key was compacted away") {
  World w;
  w.WriteNote(w.ana, "counseling", kNoteText);
  Store& store = w.fx().store();
  REQUIRE(store.FlushAndCompact(cf::kDataKeys).ok());  // the wrapped key is in a table file
  auto wrapped = store.Get(cf::kDataKeys, AsBytes(w.ana));
  REQUIRE(wrapped);
  REQUIRE(*wrapped);
  const std::string old_value(AsChars(**wrapped));
  w.Append({ShreddedMarker(w)});
  // DataKeyRing::Shred's first step, then the process "dies" before the compaction.
  WriteBatch tombstone;
  tombstone.Put(cf::kDataKeys, AsBytes(w.ana), DataKeyRing::Tombstone());
  REQUIRE(store.Write(tombstone, /*sync=*/true).ok());
  CHECK(*store.CountVersions(cf::kDataKeys, AsBytes(w.ana)) == 2);

  w.Reopen();
  CHECK(*w.fx().data_keys().ShredComplete(w.ana));
  CHECK(*w.fx().store().CountVersions(cf::kDataKeys, AsBytes(w.ana)) == 1);
  w.Close();
  CHECK_FALSE(testing::AnyFileContains(w.dir(), old_value));
}

TEST_CASE("a rebuild reproduces the family projection byte for byte, shreds included") {
  World w;
  uint64_t note = w.WriteNote(w.ana, "behavior", "Left class early (synthetic)");
  w.ViewProfile(w.ana, "districtwide");
  w.Append({Disclosed(w.ben, w.privacy, "State office", "state reporting")});
  w.Append({Viewed("", w.educator, fb::ReadScope::Search, "", {{w.ana, "x"}, {w.ben, "y"}})});
  w.Append({Denied(w.ana, w.stranger, "no_access")});  // a refusal about the shredded student
  auto correction = w.family().RequestCorrection(w.As(w.guardian), w.ana, "Wrong", note);
  REQUIRE(correction);
  REQUIRE(w.family()
              .DecideCorrection(w.As(w.privacy), correction->id, CorrectionDecision::kRefuse, "No")
              .ok());
  REQUIRE(w.family().AttachStatement(w.As(w.guardian), correction->id, "We disagree").ok());
  auto inspection = w.family().RequestInspection(w.As(w.privacy), w.ben);
  REQUIRE(inspection);
  auto deletion = w.family().RequestDeletion(w.As(w.guardian), w.ana, "Moving");
  REQUIRE(deletion);
  REQUIRE(w.family().ApproveDeletion(w.As(w.privacy), deletion->id).ok());
  w.ViewProfile(w.ana, "districtwide");  // a read after the shred (outcome would be gone)
  w.Append({Denied(w.ana, w.stranger, "no_access")});  // and a refusal after it
  // The shred's requests are known as gone, from its payload alone (the
  // rebuilt families, compared below, include f_shredded_requests).
  CHECK(w.family().FindRequest(correction->id).error().code() == StatusCode::kGone);
  CHECK(w.family().FindRequest(deletion->id).error().code() == StatusCode::kGone);
  CHECK(w.family().FindRequest(inspection->id));  // Ben's
  testing::TempDir scratch_dir;
  auto scratch = w.fx().Rebuilt(scratch_dir.path());
  std::vector<std::string> families = w.family().projection()->ColumnFamilies();
  auto difference = FirstDifference(w.fx().store(), *scratch, families);
  REQUIRE(difference);
  CHECK(*difference == std::nullopt);
  // The subject index is rebuilt too, except for the events a shred made
  // unreadable (never replayed), which the live index keeps.
  std::map<std::string, std::string> live, rebuilt;
  for (auto* entries : {&live, &rebuilt}) {
    Store& store = entries == &live ? w.fx().store() : *scratch;
    auto it = store.NewIterator(family::kSubjectEvents);
    REQUIRE(it);
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      (*entries)[std::string(AsChars((*it)->key()))] = std::string(AsChars((*it)->value()));
    }
  }
  size_t kept_only_live = 0;
  for (const auto& [key, value] : live) {
    auto found = rebuilt.find(key);
    if (found != rebuilt.end()) {
      CHECK(found->second == value);
      continue;
    }
    CHECK(key.starts_with(w.ana));
    CHECK(family::DecodeIndexEntry(0, AsBytes(value))->encrypted);
    ++kept_only_live;
  }
  CHECK(rebuilt.size() + kept_only_live == live.size());
  CHECK(kept_only_live > 0);
}

}  // namespace
}  // namespace backpack::family_testing
