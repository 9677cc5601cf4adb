// Audit-first answers (SPEC §2 invariant 3): every read of student data is
// recorded durably (RecordViewed) before its first byte is sent, and every
// refusal is recorded (AccessDenied) before the 403 goes out. If the record
// cannot be made, the answer is 503 audit_unavailable and no data.
//
// The data of a read is produced on the calling thread (an I/O thread, or
// the read pool for reads whose cost grows with the stored data) *before* the
// append, held in memory, and sent only from the append's completion: the
// completion runs on the log's writer thread and must not block, and the
// event can then name exactly the students the answer holds (search, audit
// queries). Nothing is sent if the append fails.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/api/route.h"
#include "projections/access_policy.h"
#include "projections/audit/audit.h"

namespace backpack::api {

// A refused request, for its AccessDenied event.
struct Denial {
  AccessScope scope = AccessScope::kUnknown;  // the read refused; kUnknown for writes
  std::string student_id;                     // the known student it concerns (opaque id), or ""
  std::string reason;                         // a machine reason: kDenied*
  std::string target_id;  // the validated id in the path (note, grant, request), or ""
};

// Appends AccessDenied (by the caller, on the exchange's route) and, once it
// is durable, answers 403 forbidden with `message` (a generic one if "");
// 503 audit_unavailable if it failed.
void Deny(const Exchange& exchange, Denial denial, std::string message = "");
// The message of a refusal for the caller's role: "only privacy officers may
// do this", "only guardians or privacy officers may do this".
std::string OnlyRolesMessage(std::initializer_list<Role> roles);

// A read about to be served.
struct AuditedRead {
  AccessScope scope = AccessScope::kUnknown;
  std::vector<StudentAccess> students;
  AccessOutcome outcome = AccessOutcome::kAllowed;
  AccessExtra extra;
};

// Appends RecordViewed for `read`; sends `response` only once that is
// durable, else answers 503 audit_unavailable and drops `response`.
void SendAfterAudit(const Exchange& exchange, AuditedRead read, http::HttpResponse response);

// A read of one student's data, as the access decision admits it.
struct StudentRead {
  AccessScope scope = AccessScope::kUnknown;
  std::string student_id;
  std::string target_id;  // for the denial: e.g. the note id; "" for the student itself
  AccessOutcome outcome = AccessOutcome::kAllowed;
  AccessExtra extra;
};

// Produces the answer to an allowed read. An error is answered as it is
// (ErrorResponse) and, since nothing was read, nothing is recorded.
using Producer = std::function<Result<http::HttpResponse>()>;

// The whole audited flow of a single-student read: a denied `decision` ->
// Deny (its reason in the event); allowed -> `produce`, then
// SendAfterAudit with the decision's reason as the student's access reason.
void ServeDecided(const Exchange& exchange, const AccessDecision& decision, StudentRead read,
                  const Producer& produce);
// As ServeDecided, for a read whose cost grows with the stored data (a
// record's history): a refusal is recorded and answered from the calling
// thread; an allowed read is produced and recorded on the read pool
// (OffloadRead: 429 beyond the caller's reads in progress, nothing recorded).
void ServeDecidedOnReadPool(const Exchange& exchange, const AccessDecision& decision,
                            StudentRead read, Producer produce);
// As ServeDecidedOnReadPool, but the access is recorded before `produce`
// runs (on the read pool), for an answer that must contain the record of its
// own making (a history export). If `produce` then fails, its error is
// answered and the record stays: the read was attempted.
void ServeDecidedRecordFirst(const Exchange& exchange, const AccessDecision& decision,
                             StudentRead read, Producer produce);

// Answers a failed command: kPermissionDenied is a refusal (Deny with
// `denial`), kGone a request about a shredded record (ReplyGone with
// `denial`'s scope, student and target), anything else goes out through
// ErrorResponse.
void ReplyCommandError(const Exchange& exchange, const Status& status, Denial denial);

// Answers 410 gone (`gone`'s message) to a request about the shredded
// student `request.student_id`, once the request is recorded (SPEC §2
// invariant 3: a privacy officer must see who asked for a deleted record):
// a read (a scope) as RecordViewed of that scope with outcome gone, like a
// privacy officer's reads of what is left of such a record, its reason the
// caller's role (the relationship to the record can no longer be checked);
// anything else (scope kUnknown: a write) as AccessDenied with reason
// denied:gone, the route and `request.target_id`. Opaque ids only: the
// student's data went with the key. 503 audit_unavailable if it failed.
void ReplyGone(const Exchange& exchange, StudentRead request, const Status& gone);

// Answers a request that names no live record, `missing` the lookup's
// kNotFound (an unknown id) or kGone (a shredded student's), as DecideMissing
// (projections/access_policy.h) decides for the caller on a route of `reach`
// about an id of `kind`: 404, ReplyGone (of `request`), or a refusal (403,
// AccessDenied) worded as the one for a live record the caller may not see
// (the message of `as_if`, a kDenied* reason; "" for a generic one). The
// refusal of an unknown id names it as `target_id` (the request's, else its
// `student_id`) and no student; of a shredded one, the student. A guardian
// linked to the child at the shred (Family::WasGuardianAtShred) had a right
// to the record. Any other error is answered as it is.
void AnswerMissing(const Exchange& exchange, RouteReach reach, RecordKind kind,
                   const Status& missing, StudentRead request,
                   std::string_view as_if = kDeniedNoRelationship);

// For a route of `reach` about the student `id`, after its role check: true
// if the roster knows the student and the record is not shredded; false,
// having answered as AnswerMissing does (a read of `scope`, with `extra`).
bool CheckStudentFound(const Exchange& exchange, RouteReach reach, AccessScope scope,
                       const std::string& id, const AccessExtra& extra = {},
                       std::string_view as_if = kDeniedNoRelationship);

// The student `id` names if the roster knows it (even shredded), else "":
// for denials decided before the student's existence is checked.
std::string KnownStudent(const Exchange& exchange, std::string_view id);

// For a route about the student `id` from the path, open to `roles` only:
// false, having answered, for a malformed id (400, nothing recorded) or
// another role (403 "only ... may do this", recorded as AccessDenied in
// `scope`, naming the student if known).
bool CheckStudentRoute(const Exchange& exchange, std::string_view id,
                       std::initializer_list<Role> roles,
                       AccessScope scope = AccessScope::kUnknown);

}  // namespace backpack::api
