// Family commands: requests, decisions and statements (shredding: family_shred.cc).
#include <flatbuffers/flatbuffers.h>

#include "events/schema/payloads_generated.h"
#include "projections/family/family.h"
#include "projections/family/internal/command_util.h"
#include "projections/family/internal/iso_time.h"
#include "projections/family/internal/layout.h"
#include "projections/ids.h"

namespace backpack {
namespace {

using family::ActingUser;
using family::AppendOne;
using family::AppendStatus;
using family::CheckStudent;
using family::CheckText;
using family::RequestIn;
using family::RequireGuardianOr;
using family::RequireRole;

}  // namespace

Result<RequestReceipt> Family::RequestInspection(const Actor& actor, std::string_view student_id) {
  std::lock_guard lock(hold_mu_);
  ASSIGN_OR_RETURN(UserInfo user, ActingUser(services_, actor));
  RETURN_IF_ERROR(CheckStudent(services_, student_id));
  RETURN_IF_ERROR(RequireGuardianOr(services_, user, student_id, Role::kPrivacyOfficer,
                                    "request an inspection"));
  ASSIGN_OR_RETURN(auto pending, PendingRequest(student_id, FamilyRequestKind::kInspection));
  if (pending) {
    return Err(FailedPreconditionError("an inspection request is already pending (" + pending->id +
                                       ", due " + family::IsoDate(pending->due_by_us) + ")"));
  }
  std::string id = NewId("insp");
  flatbuffers::FlatBufferBuilder fbb;
  int64_t due_by = services_.clock->NowMicros() + kInspectionDueMicros;
  fbb.Finish(fb::CreateInspectionRequestedPayloadDirect(fbb, id.c_str(), user.id.c_str(), due_by));
  ASSIGN_OR_RETURN(AppendResult appended,
                   AppendOne(services_, MakeEvent(EventType::InspectionRequested, actor, student_id,
                                                  fbb, /*personal=*/false)));
  return RequestReceipt{id, appended.first_seq, appended.recorded_at_us + kInspectionDueMicros};
}

Status Family::FulfillInspection(const Actor& actor, std::string_view request_id) {
  std::lock_guard lock(hold_mu_);  // the status checked below holds until the append
  ASSIGN_OR_RETURN(UserInfo user, ActingUser(services_, actor));
  RETURN_IF_ERROR(RequireRole(user, {Role::kPrivacyOfficer}, "fulfil inspection requests"));
  ASSIGN_OR_RETURN(FamilyRequest request,
                   RequestIn(*this, request_id, FamilyRequestKind::kInspection, "pending"));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateInspectionFulfilledPayloadDirect(fbb, request.id.c_str(), user.id.c_str(),
                                                        services_.log ? services_.log->size() : 0));
  return AppendStatus(services_, MakeEvent(EventType::InspectionFulfilled, actor,
                                           request.student_id, fbb, /*personal=*/false));
}

Result<RequestReceipt> Family::RequestCorrection(const Actor& actor, std::string_view student_id,
                                                 std::string_view text, uint64_t about_seq) {
  std::lock_guard lock(hold_mu_);  // a shred lists the student's requests
  ASSIGN_OR_RETURN(UserInfo user, ActingUser(services_, actor));
  RETURN_IF_ERROR(CheckStudent(services_, student_id));
  RETURN_IF_ERROR(
      RequireGuardianOr(services_, user, student_id, std::nullopt, "request a correction"));
  RETURN_IF_ERROR(CheckText(text, "the correction text"));
  ASSIGN_OR_RETURN(auto about, services_.store->Get(family::kSubjectEvents,
                                                    family::IdSeqKey(student_id, about_seq)));
  if (!about)
    return Err(
        InvalidArgumentError("event " + std::to_string(about_seq) + " is not about this student"));
  std::string id = NewId("corr");
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateCorrectionRequestedPayloadDirect(fbb, id.c_str(), user.id.c_str(),
                                                        std::string(text).c_str(), about_seq));
  ASSIGN_OR_RETURN(AppendResult appended,
                   AppendOne(services_, MakeEvent(EventType::CorrectionRequested, actor, student_id,
                                                  fbb, /*personal=*/true)));
  return RequestReceipt{id, appended.first_seq, 0};
}

Status Family::DecideCorrection(const Actor& actor, std::string_view request_id,
                                CorrectionDecision decision, std::string_view reason) {
  std::lock_guard lock(hold_mu_);  // the status checked below holds until the append
  ASSIGN_OR_RETURN(UserInfo user, ActingUser(services_, actor));
  RETURN_IF_ERROR(RequireRole(user, {Role::kPrivacyOfficer}, "decide correction requests"));
  RETURN_IF_ERROR(CheckText(reason, "the reason"));
  ASSIGN_OR_RETURN(FamilyRequest request,
                   RequestIn(*this, request_id, FamilyRequestKind::kCorrection, "pending"));
  auto fb_decision = decision == CorrectionDecision::kAmend ? fb::CorrectionDecision::Amend
                                                            : fb::CorrectionDecision::Refuse;
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateCorrectionDecidedPayloadDirect(
      fbb, request.id.c_str(), fb_decision, std::string(reason).c_str(), user.id.c_str()));
  return AppendStatus(services_, MakeEvent(EventType::CorrectionDecided, actor, request.student_id,
                                           fbb, /*personal=*/true));
}

Status Family::AttachStatement(const Actor& actor, std::string_view request_id,
                               std::string_view text) {
  std::lock_guard lock(hold_mu_);  // the status checked below holds until the append
  ASSIGN_OR_RETURN(UserInfo user, ActingUser(services_, actor));
  RETURN_IF_ERROR(CheckText(text, "the statement"));
  ASSIGN_OR_RETURN(FamilyRequest request, FindRequest(request_id));
  RETURN_IF_ERROR(
      RequireGuardianOr(services_, user, request.student_id, std::nullopt, "attach a statement"));
  if (request.kind != FamilyRequestKind::kCorrection || request.status != "refused") {
    return FailedPreconditionError("a statement may be attached only to a refused correction");
  }
  if (!request.statement.empty()) return AlreadyExistsError("a statement is already attached");
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateStatementAttachedPayloadDirect(fbb, request.id.c_str(),
                                                      std::string(text).c_str(), user.id.c_str()));
  return AppendStatus(services_, MakeEvent(EventType::StatementAttached, actor, request.student_id,
                                           fbb, /*personal=*/true));
}

Result<RequestReceipt> Family::RequestDeletion(const Actor& actor, std::string_view student_id,
                                               std::string_view reason) {
  std::lock_guard lock(hold_mu_);  // the pending check below holds until the append
  ASSIGN_OR_RETURN(UserInfo user, ActingUser(services_, actor));
  RETURN_IF_ERROR(CheckStudent(services_, student_id));
  RETURN_IF_ERROR(
      RequireGuardianOr(services_, user, student_id, Role::kDistrictAdmin, "request a deletion"));
  RETURN_IF_ERROR(CheckText(reason, "the reason"));
  ASSIGN_OR_RETURN(auto pending, PendingRequest(student_id, FamilyRequestKind::kDeletion));
  if (pending) {
    return Err(FailedPreconditionError("a deletion request is already pending (" + pending->id +
                                       "); a privacy officer decides it for the whole record"));
  }
  std::string id = NewId("del");
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateDeletionRequestedPayloadDirect(fbb, id.c_str(), std::string(reason).c_str(),
                                                      user.id.c_str()));
  ASSIGN_OR_RETURN(AppendResult appended,
                   AppendOne(services_, MakeEvent(EventType::DeletionRequested, actor, student_id,
                                                  fbb, /*personal=*/true)));
  return RequestReceipt{id, appended.first_seq, 0};
}

Status Family::RefuseDeletion(const Actor& actor, std::string_view request_id,
                              std::string_view reason) {
  std::lock_guard lock(hold_mu_);  // the status checked below holds until the append
  ASSIGN_OR_RETURN(UserInfo user, ActingUser(services_, actor));
  RETURN_IF_ERROR(RequireRole(user, {Role::kPrivacyOfficer}, "refuse deletions"));
  RETURN_IF_ERROR(CheckText(reason, "the reason"));
  ASSIGN_OR_RETURN(FamilyRequest request,
                   RequestIn(*this, request_id, FamilyRequestKind::kDeletion, "pending"));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateDeletionRefusedPayloadDirect(fbb, request.id.c_str(),
                                                    std::string(reason).c_str(), user.id.c_str()));
  return AppendStatus(services_, MakeEvent(EventType::DeletionRefused, actor, request.student_id,
                                           fbb, /*personal=*/true));
}

Result<uint64_t> Family::RecordDisclosure(const Actor& actor, std::string_view student_id,
                                          const DisclosureRecord& disclosure) {
  ASSIGN_OR_RETURN(UserInfo user, ActingUser(services_, actor));
  RETURN_IF_ERROR(
      RequireRole(user, {Role::kPrivacyOfficer, Role::kDistrictAdmin}, "record disclosures"));
  RETURN_IF_ERROR(CheckStudent(services_, student_id));
  RETURN_IF_ERROR(CheckText(disclosure.recipient, "the recipient"));
  RETURN_IF_ERROR(CheckText(disclosure.legitimate_interest, "the legitimate interest"));
  RETURN_IF_ERROR(CheckText(disclosure.description, "the description"));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordDisclosedPayloadDirect(
      fbb, disclosure.recipient.c_str(), disclosure.legitimate_interest.c_str(),
      disclosure.description.c_str(), actor.client_ip.c_str()));
  ASSIGN_OR_RETURN(AppendResult appended,
                   AppendOne(services_, MakeEvent(EventType::RecordDisclosed, actor, student_id,
                                                  fbb, /*personal=*/true)));
  return appended.first_seq;
}

}  // namespace backpack
