// Crypto-shredding (invariant 5): RecordShredded first, then the key.
//
// The event is appended before the key is destroyed, so a crash in between
// leaves a committed shred marker with a live key, which Recover() (run by
// the projection's Load at startup) completes. The other order could lose
// the record without any trace in the log. From the moment the RecordShredded
// is written the log refuses (kGone) every personal event about the student,
// one sealed just before the shred included, and the key ring hands out no
// key for it (events/internal/shred_order.h): a write that loses the race
// resurrects nothing the key's destruction is meant to take.
#include "events/schema/payloads_generated.h"
#include "projections/audit/audit.h"
#include "projections/family/family.h"
#include "projections/family/internal/command_util.h"
#include "projections/family/internal/reads.h"
#include "projections/records/records.h"
#include "projections/roster/roster.h"

namespace backpack {
namespace {

// What the shred makes unreadable whose ids stay known, for an answer
// "gone" to a later request about one: the student's family requests and notes.
struct TakenIds {
  std::vector<std::string> requests;
  std::vector<std::string> notes;
  std::vector<std::string> guardians;  // accounts: who may still be told "gone"
};

std::vector<flatbuffers::Offset<flatbuffers::String>> Strings(flatbuffers::FlatBufferBuilder& fbb,
                                                              const std::vector<std::string>& ids) {
  std::vector<flatbuffers::Offset<flatbuffers::String>> out;
  for (const std::string& id : ids) out.push_back(fbb.CreateString(id));
  return out;
}

NewEvent ShreddedEvent(const Services& services, const Actor& actor, std::string_view student,
                       std::string_view reason, std::string_view request_id, const TakenIds& taken,
                       const std::vector<KeptBreakGlassAlert>& alerts) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::ShreddedBreakGlassAlert>> kept;
  for (const KeptBreakGlassAlert& a : alerts) {
    kept.push_back(fb::CreateShreddedBreakGlassAlertDirect(
        fbb, a.alert_seq, a.actor_id.c_str(), a.at_us, a.expires_at_us, a.break_glass_id.c_str(),
        a.reviewed, a.reviewed_by.c_str(), a.reviewed_at_us, a.review_seq));
  }
  const auto requests = Strings(fbb, taken.requests);
  const auto notes = Strings(fbb, taken.notes);
  const auto guardians = Strings(fbb, taken.guardians);
  fbb.Finish(fb::CreateRecordShreddedPayloadDirect(
      fbb, std::string(reason).c_str(), std::string(request_id).c_str(),
      services.clock->NowMicros(), kept.empty() ? nullptr : &kept, actor.client_ip.c_str(),
      requests.empty() ? nullptr : &requests, notes.empty() ? nullptr : &notes,
      guardians.empty() ? nullptr : &guardians));
  return MakeEvent(EventType::RecordShredded, actor, student, fbb, /*personal=*/false);
}

// The reason an actor typed, sealed under the actor's own data key: it is
// their account of the shred (FERPA accountability), kept readable after the
// student's key is gone, and out of the plaintext RecordShredded.
NewEvent ShredReasonEvent(const UserInfo& actor_user, const Actor& actor, std::string_view student,
                          std::string_view reason) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateShredReasonRecordedPayloadDirect(fbb, std::string(student).c_str(),
                                                        std::string(reason).c_str()));
  return MakeEvent(EventType::ShredReasonRecorded, actor, actor_user.id, fbb,
                   /*personal=*/true);
}

// Appends `events` and then the student's RecordShredded in one commit, then
// destroys the student's key (flushed and compacted away). The RecordShredded
// keeps the student's break-glass alerts as they stand, with reviews held
// back until it is appended (Audit::WithBreakGlassAlertsAbout). If only the
// append succeeded, the error says that the shred is recorded and when it
// completes. The RecordShredded also lists the student's family requests
// (the caller holds hold_mu_, so none can commit between that read and the
// append) and notes (a note written meanwhile is not listed: a later request
// about it is answered "no such note", as for shreds before notes were listed)
// and guardians (the accounts linked now: the roster's links go with the key).
Status AppendShredThenDestroyKey(const Services& services, const Actor& actor,
                                 std::string_view student, std::string_view reason,
                                 std::string_view request_id, std::vector<NewEvent> events) {
  ASSIGN_OR_RETURN(auto requests, family::ReadRequestStates(*services.store, student));
  TakenIds taken;
  for (const auto& [id, state] : requests) taken.requests.push_back(id);
  if (services.records) {
    ASSIGN_OR_RETURN(taken.notes, services.records->NoteIds(student));
  }
  if (services.roster) taken.guardians = services.roster->GuardianAccountsOf(student);
  auto append = [&](const std::vector<KeptBreakGlassAlert>& alerts) -> Status {
    events.push_back(ShreddedEvent(services, actor, student, reason, request_id, taken, alerts));
    auto appended = family::AppendAll(services, std::move(events));
    return appended ? OkStatus() : appended.error();
  };
  RETURN_IF_ERROR(services.audit ? services.audit->WithBreakGlassAlertsAbout(student, append)
                                 : append({}));
  Status destroyed = services.data_keys->Shred(std::string(student));
  if (destroyed.ok()) return destroyed;
  return Status(destroyed.code(),
                "the shred is recorded and the record can no longer be read, but the key is not "
                "destroyed yet (" +
                    destroyed.message() + "); that completes the next time the store opens");
}

// Requires hold_mu_: no inspection request can commit between this check
// and the RecordShredded append.
Status CheckShreddable(const Family& family, const Services& services, std::string_view student) {
  RETURN_IF_ERROR(family::CheckStudent(services, student));
  ASSIGN_OR_RETURN(auto pending, family.PendingRequest(student, FamilyRequestKind::kInspection));
  if (pending) {
    return FailedPreconditionError("the family has a pending inspection request (" + pending->id +
                                   "; FERPA §99.10 legal hold); fulfil it before shredding");
  }
  return OkStatus();
}

}  // namespace

Status Family::ApproveDeletion(const Actor& actor, std::string_view request_id) {
  std::lock_guard lock(hold_mu_);
  ASSIGN_OR_RETURN(UserInfo user, family::ActingUser(services_, actor));
  RETURN_IF_ERROR(family::RequireRole(user, {Role::kPrivacyOfficer}, "approve deletions"));
  ASSIGN_OR_RETURN(FamilyRequest request,
                   family::RequestIn(*this, request_id, FamilyRequestKind::kDeletion, "pending"));
  RETURN_IF_ERROR(CheckShreddable(*this, services_, request.student_id));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateDeletionApprovedPayloadDirect(fbb, request.id.c_str(), user.id.c_str()));
  std::vector<NewEvent> events;
  events.push_back(MakeEvent(EventType::DeletionApproved, actor, request.student_id, fbb,
                             /*personal=*/false));
  return AppendShredThenDestroyKey(services_, actor, request.student_id,
                                   "deletion request approved", request.id, std::move(events));
}

Status Family::Shred(const Actor& actor, std::string_view student_id, std::string_view reason) {
  std::lock_guard lock(hold_mu_);
  ASSIGN_OR_RETURN(UserInfo user, family::ActingUser(services_, actor));
  RETURN_IF_ERROR(
      family::RequireRole(user, {Role::kPrivacyOfficer, Role::kDistrictAdmin}, "shred records"));
  RETURN_IF_ERROR(family::CheckText(reason, "the reason"));
  RETURN_IF_ERROR(CheckShreddable(*this, services_, student_id));
  std::vector<NewEvent> events;
  events.push_back(ShredReasonEvent(user, actor, student_id, reason));
  return AppendShredThenDestroyKey(services_, actor, student_id, kShredReasonSealed, "",
                                   std::move(events));
}

}  // namespace backpack
