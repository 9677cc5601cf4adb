#include "http/api/audited.h"

#include <memory>

#include "projections/family/family.h"
#include "projections/roster/roster.h"

namespace backpack::api {
namespace {

http::HttpResponse AuditUnavailable() {
  return http::JsonError(503, "audit_unavailable",
                         "the access could not be recorded; no data was sent");
}

// What a refused caller is told: why, in words, without naming anything the
// request did not (SPEC §1's reasons; the exact code is in the AccessDenied event).
std::string DenialMessage(std::string_view reason, Role role) {
  if (reason == kDeniedNoRelationship && role == Role::kGuardian) {
    return "you are not a guardian of this student";
  }
  static const std::pair<std::string_view, std::string_view> kMessages[] = {
      {kDeniedNoRelationship,
       "you have no access to this student: no class, grade, school or grant of yours covers "
       "them (in an emergency, an educator may use break-glass, which alerts the privacy "
       "officer)"},
      {kDeniedNotEducator, "only educators may do this"},
      {kDeniedWrongRole, "your role may not do this"},
      {kDeniedNotAuthor, "only the note's author may do this"},
      {kDeniedOwnAlert,
       "the alert is about your own account: another privacy officer must review it"},
      {kDeniedDisabled, "your account is disabled"},
      {kDeniedUnknownUser, "your account is not known"},
      {kDeniedRetractedStudent, "the student's record was retracted by a later import"},
      {kDeniedNoRestrictedNotesFlag,
       "reading restricted notes needs the can_view_restricted_notes flag"}};
  for (const auto& [code, message] : kMessages) {
    if (reason == code) return std::string(message);
  }
  return "you may not do this";
}

http::HttpResponse Forbidden(const std::string& message) {
  return http::JsonError(403, "forbidden", message);
}

}  // namespace

std::string OnlyRolesMessage(std::initializer_list<Role> roles) {
  auto plural = [](Role role) -> std::string {
    switch (role) {
      case Role::kEducator:
        return "educators";
      case Role::kPrivacyOfficer:
        return "privacy officers";
      case Role::kDistrictAdmin:
        return "district admins";
      case Role::kGuardian:
        return "guardians";
    }
    return "other roles";
  };
  std::string who;
  size_t i = 0;
  for (Role role : roles) {
    if (i > 0) who += i + 1 == roles.size() ? " or " : ", ";
    who += plural(role);
    ++i;
  }
  return "only " + who + " may do this";
}

void Deny(const Exchange& exchange, Denial denial, std::string message) {
  Audit* audit = exchange.services().audit;
  if (!audit) {
    exchange.Reply(AuditUnavailable());
    return;
  }
  audit->RecordDeniedAsync(
      exchange.caller.actor, denial.scope, denial.student_id, denial.reason, exchange.route,
      denial.target_id,
      [exchange, message = message.empty() ? DenialMessage(denial.reason, exchange.role())
                                           : std::move(message)](Status recorded) {
        exchange.Reply(recorded.ok() ? Forbidden(message) : AuditUnavailable());
      });
}

void SendAfterAudit(const Exchange& exchange, AuditedRead read, http::HttpResponse response) {
  Audit* audit = exchange.services().audit;
  if (!audit) {
    exchange.Reply(AuditUnavailable());
    return;
  }
  // The Responder is a std::function (copyable), so the held response is
  // shared rather than moved into the completion.
  auto held = std::make_shared<http::HttpResponse>(std::move(response));
  audit->RecordAccessAsync(exchange.caller.actor, read.scope, std::move(read.students),
                           read.outcome, read.extra, [exchange, held](Status recorded) {
                             if (recorded.ok()) {
                               exchange.Reply(std::move(*held));
                             } else {
                               exchange.Reply(AuditUnavailable());
                             }
                           });
}

void ServeDecided(const Exchange& exchange, const AccessDecision& decision, StudentRead read,
                  const Producer& produce) {
  if (!decision.allowed) {
    Deny(exchange, Denial{read.scope, read.student_id, decision.reason, read.target_id});
    return;
  }
  Result<http::HttpResponse> response = produce();
  if (!response && response.error().code() == StatusCode::kGone) {
    return ReplyGone(exchange, std::move(read), response.error());  // shredded meanwhile
  }
  if (!response) {
    exchange.ReplyError(response.error());
    return;
  }
  AuditedRead audited{
      read.scope, {{read.student_id, decision.reason}}, read.outcome, std::move(read.extra)};
  SendAfterAudit(exchange, std::move(audited), std::move(*response));
}

void ServeDecidedOnReadPool(const Exchange& exchange, const AccessDecision& decision,
                            StudentRead read, Producer produce) {
  if (!decision.allowed) {
    Deny(exchange, Denial{read.scope, read.student_id, decision.reason, read.target_id});
    return;
  }
  OffloadRead(exchange, [exchange, decision, read = std::move(read),
                         produce = std::move(produce)](const ReadSlot&) mutable {
    ServeDecided(exchange, decision, std::move(read), produce);
  });
}

void ServeDecidedRecordFirst(const Exchange& exchange, const AccessDecision& decision,
                             StudentRead read, Producer produce) {
  if (!decision.allowed) {
    Deny(exchange, Denial{read.scope, read.student_id, decision.reason, read.target_id});
    return;
  }
  Audit* audit = exchange.services().audit;
  if (!audit) {
    exchange.Reply(AuditUnavailable());
    return;
  }
  // The slot is taken before the access is recorded (a refusal reads and
  // records nothing) and held until the answer is produced. `done` runs on
  // the log's writer thread, which must not wait: the answer is produced on
  // the read pool.
  OffloadRead(exchange, [exchange, decision, read = std::move(read),
                         produce = std::move(produce)](const ReadSlot& slot) {
    exchange.services().audit->RecordAccessAsync(
        exchange.caller.actor, read.scope, {{read.student_id, decision.reason}}, read.outcome,
        read.extra, [exchange, produce, slot](Status recorded) {
          if (!recorded.ok()) return exchange.Reply(AuditUnavailable());
          ContinueRead(exchange, slot, [exchange, produce] {
            Result<http::HttpResponse> response = produce();
            if (!response) return exchange.ReplyError(response.error());
            exchange.Reply(std::move(*response));
          });
        });
  });
}

void ReplyCommandError(const Exchange& exchange, const Status& status, Denial denial) {
  if (status.code() == StatusCode::kPermissionDenied) {
    Deny(exchange, std::move(denial));
  } else if (status.code() == StatusCode::kGone) {
    ReplyGone(exchange,
              {denial.scope, denial.student_id, denial.target_id, AccessOutcome::kGone, {}},
              status);
  } else {
    exchange.ReplyError(status);
  }
}

void ReplyGone(const Exchange& exchange, StudentRead request, const Status& gone) {
  Audit* audit = exchange.services().audit;
  if (!audit) return exchange.Reply(AuditUnavailable());
  auto answer = [exchange, gone](Status recorded) {
    exchange.Reply(recorded.ok() ? ApiError(gone) : AuditUnavailable());
  };
  if (request.scope == AccessScope::kUnknown) {
    return audit->RecordDeniedAsync(exchange.caller.actor, AccessScope::kUnknown,
                                    request.student_id, kDeniedGone, exchange.route,
                                    request.target_id, std::move(answer));
  }
  const std::string role(RoleName(exchange.role()));
  request.extra.reason = role;
  audit->RecordAccessAsync(exchange.caller.actor, request.scope, {{request.student_id, role}},
                           AccessOutcome::kGone, request.extra, std::move(answer));
}

namespace {

// Whether the caller had a right to the shredded record of `student` that
// can still be decided: a guardian linked to the child at the shred.
bool HadRightToShredded(const Exchange& exchange, const std::string& student) {
  if (exchange.role() != Role::kGuardian || student.empty()) return false;
  Result<bool> was = exchange.services().family->WasGuardianAtShred(student, exchange.user_id());
  return was && *was;  // unknown cases are denied
}

}  // namespace

void AnswerMissing(const Exchange& exchange, RouteReach reach, RecordKind kind,
                   const Status& missing, StudentRead request, std::string_view as_if) {
  const StatusCode code = missing.code();
  if (code != StatusCode::kNotFound && code != StatusCode::kGone) {
    return exchange.ReplyError(missing);
  }
  const MissingRecord state =
      code == StatusCode::kGone ? MissingRecord::kShredded : MissingRecord::kUnknown;
  const bool had_right =
      state == MissingRecord::kShredded && HadRightToShredded(exchange, request.student_id);
  const MissingDecision decision =
      DecideMissing(exchange.role(), exchange.caller.user.flags, reach, kind, state, had_right);
  switch (decision.answer) {
    case MissingAnswer::kNotFound:
      return exchange.ReplyError(missing);
    case MissingAnswer::kGone:
      return ReplyGone(exchange, std::move(request), missing);
    case MissingAnswer::kForbidden:
      break;
  }
  Denial denial{request.scope, request.student_id, decision.reason, request.target_id};
  if (state == MissingRecord::kUnknown) {
    if (denial.target_id.empty()) denial.target_id = request.student_id;
    denial.student_id.clear();  // no such student: the trail names the id as the target
  }
  // Without the restricted-notes flag, refused for it as for every note.
  const bool flag = decision.reason == kDeniedNoRestrictedNotesFlag;
  Deny(exchange, std::move(denial), DenialMessage(flag ? decision.reason : as_if, exchange.role()));
}

bool CheckStudentFound(const Exchange& exchange, RouteReach reach, AccessScope scope,
                       const std::string& id, const AccessExtra& extra, std::string_view as_if) {
  Result<StudentInfo> found = exchange.services().roster->FindStudent(id);
  if (found) return true;
  AnswerMissing(exchange, reach, RecordKind::kStudent, found.error(),
                {scope, id, "", AccessOutcome::kGone, extra}, as_if);
  return false;
}

std::string KnownStudent(const Exchange& exchange, std::string_view id) {
  Roster* roster = exchange.services().roster;
  if (!roster) return "";
  Result<StudentInfo> found = roster->FindStudent(id);
  if (found || found.error().code() == StatusCode::kGone) return std::string(id);
  return "";
}

bool CheckStudentRoute(const Exchange& exchange, std::string_view id,
                       std::initializer_list<Role> roles, AccessScope scope) {
  if (!CheckPathId(exchange, id, "stu", "student")) return false;
  if (HasRole(exchange, roles)) return true;
  Deny(exchange, {scope, KnownStudent(exchange, id), std::string(kDeniedWrongRole), ""},
       OnlyRolesMessage(roles));
  return false;
}

}  // namespace backpack::api
