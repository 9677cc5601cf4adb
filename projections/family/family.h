// Family: a family's rights over a student's record (FERPA §99.10
// inspection, §99.20 correction, §99.32 record of disclosures) and
// crypto-shredding (invariant 5).
//
// Owns the family projection (column families "f_*", docs/storage-format.md, "Family projection"):
// a per-student index of every event about the record (so history and
// export are prefix scans, never log scans), the disclosure record, the
// family requests, and shred markers.
//
// Reads are pure: the caller (HTTP handler, CLI) appends the audit event
// (Audit::RecordAccess) before sending what they return. Commands check the
// actor's role through the Roster, append their events and return once they
// are durable.
//
// Thread-safety: every method is safe to call concurrently. Commands that
// depend on the legal hold (inspection requests, shredding) are serialised
// by an internal mutex so no inspection request slips in between the check
// and the shred.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "projections/projection.h"
#include "projections/records/records.h"
#include "projections/services.h"

namespace backpack {

// A school must let the family inspect the record within 45 days (§99.10(b)).
inline constexpr int64_t kInspectionDueMicros = 45 * kMicrosPerDay;
// Longest family text accepted (correction text, statement, reasons).
inline constexpr size_t kMaxFamilyTextChars = 20'000;
// The plaintext RecordShredded's reason when its actor typed one (Shred): the
// typed text is in the ShredReasonRecorded appended just before, sealed under
// the actor's key.
inline constexpr std::string_view kShredReasonSealed = "stated in ShredReasonRecorded";

enum class FamilyRequestKind { kInspection, kCorrection, kDeletion };
// "inspection", "correction", "deletion".
std::string_view FamilyRequestKindName(FamilyRequestKind kind);

enum class CorrectionDecision { kAmend, kRefuse };
// The status of a correction decided kAmend.
inline constexpr std::string_view kCorrectionAmended = "amended";

// Every status a family request can have (FamilyRequest::status).
inline constexpr std::string_view kFamilyRequestStatuses[] = {"pending", "fulfilled", "amended",
                                                              "refused", "approved"};

// A family request as the projection holds it. `status` is "pending", then
// "fulfilled" (inspection), "amended" or "refused" (correction), or
// "approved" or "refused" (deletion).
struct FamilyRequest {
  std::string id;  // insp_..., corr_..., del_...
  FamilyRequestKind kind = FamilyRequestKind::kInspection;
  std::string student_id;
  std::string status;
  std::string requested_by;  // user id
  int64_t requested_at_us = 0;
  uint64_t requested_seq = 0;
  int64_t due_by_us = 0;   // inspection: requested_at + 45 days
  uint64_t about_seq = 0;  // correction: the disputed event
  std::string text;        // correction: the requested change; deletion: the reason
  std::string decided_by;  // who fulfilled, decided, approved or refused
  int64_t decided_at_us = 0;
  uint64_t decided_seq = 0;
  std::string decision_reason;  // correction decisions, deletion refusals
  uint64_t as_of_seq = 0;       // inspection: the log size the family was shown
  // The family's statement after a refused correction; "" if none. Shown
  // with the record from then on.
  std::string statement;
  std::string statement_by;
  int64_t statement_at_us = 0;
  uint64_t statement_seq = 0;
};

// The status of a request a shred closed unread (ShreddedFamilyRequest).
inline constexpr std::string_view kShreddedRequestStatus = "shredded";

// A family request whose student's record was shredded, as far as it stays
// known once the student's key is gone: ids, kind and outcome, nothing
// personal (f_shredded_requests and the shred marker, both derived from the
// plaintext RecordShredded alone). What the family asked for, and who, went
// with the key.
struct ShreddedFamilyRequest {
  std::string id;
  FamilyRequestKind kind = FamilyRequestKind::kInspection;  // from the id (insp_, corr_, del_)
  std::string student_id;
  // "approved": the deletion request the shred carried out;
  // kShreddedRequestStatus: any other request, closed unread by the shred.
  std::string status;
  uint64_t shredded_seq = 0;  // the RecordShredded
  int64_t shredded_at_us = 0;
};

// {id, student_id, kind, status, shredded: true, shredded_seq, shredded_at}.
boost::json::object ShreddedFamilyRequestJson(const ShreddedFamilyRequest& request);

// The request as the API shows it: {id, student_id, kind, status,
// requested_by, requested_at, requested_seq, due_by | about_seq, text |
// reason, decided_*, statement...}.
boost::json::object FamilyRequestJson(const FamilyRequest& request);

// A disclosure to a party outside the district's staff, as recorded.
struct DisclosureRecord {
  std::string recipient;            // e.g. "Lincoln High School (transfer)"
  std::string legitimate_interest;  // why the party may have it
  std::string description;          // what was disclosed
};

// What a request command returns.
struct RequestReceipt {
  std::string id;
  uint64_t seq = 0;       // of the request's event
  int64_t due_by_us = 0;  // inspections: the event's time + 45 days
};

class Family {
 public:
  // `services` must outlive the Family; its members are read when used.
  explicit Family(Services& services);
  ~Family();
  // The projection to register with the Projector. Its Load() completes
  // interrupted shreds (see Recover).
  Projection* projection();
  // The families keyed by a subject and an event's sequence number
  // (StoreOptions::sequenced_families).
  static std::vector<std::string> SequencedFamilies();

  // --- Reads (committed state only).

  // {student_id, shredded, as_of_seq, events:[{seq,type,at,at_us,who{id,role,
  // name},summary}] oldest first, disclosures:[...], statements:[...],
  // requests:[...]}. Once the student is shredded, an encrypted event is
  // {seq,type,at,at_us,shredded:true} only; a plain one (a read, a denial, the
  // shred itself) keeps who and summary, and `requests` lists what is left of
  // the student's requests (ShreddedFamilyRequestJson). kNotFound if nothing
  // is known.
  // `for_guardian`: the guardian the history is for, if one is; then a
  // guardian account never linked to the student (another family's, refused
  // the record) is who{role: "guardian", name: "another guardian"}, without
  // id, wherever it appears (events, summaries, disclosures), and the
  // student's other guardians are never named by username (WhoResolver),
  // and another guardian account's requests show no text or reason
  // (withheld: "private_text"; a statement stays, shown with the record).
  Result<boost::json::object> History(std::string_view student_id,
                                      std::string_view for_guardian = {}) const;
  // The self-contained, offline-verifiable bundle of every event about the
  // student (docs/history-export.md; check with VerifyExport in export.h).
  // Writes a fresh checkpoint first. kNotFound as History. `for_guardian`:
  // the guardian the bundle is for, if one is; then another guardian's reads
  // and refusals (other_guardian), and staff audit queries and breach
  // reports, whose filters say whom the privacy officer looked into
  // (audit_investigation), show only their place in the log; the other
  // guardians' GuardianLinked, which hold their email and phone, keep their
  // signed bytes but not their content (other_guardian_contact), and so do
  // another guardian's correction and deletion requests and every
  // GuardianUnlinked, whose texts are another adult's words (private_text).
  // Staff's other reads and refusals are shown in full, address and all.
  Result<boost::json::object> ExportHistory(std::string_view student_id,
                                            std::string_view for_guardian = {}) const;

  // kNotFound for unknown requests, kGone for those of a shredded student.
  Result<FamilyRequest> FindRequest(std::string_view request_id) const;
  // The student of `request_id` if shredding the student's record made the
  // request unreadable (only its id and student stay known); else nullopt.
  Result<std::optional<std::string>> ShreddedRequestStudent(std::string_view request_id) const;
  // True if `user_id` was linked as a guardian of `student_id` when the
  // student's record was shredded (RecordShredded.guardian_ids); false for
  // anyone else, for a student not shredded, and for shreds recorded before
  // the shred listed guardians.
  Result<bool> WasGuardianAtShred(std::string_view student_id, std::string_view user_id) const;
  // The student's requests, by id.
  Result<std::vector<FamilyRequest>> Requests(std::string_view student_id) const;
  // Every student's requests of `kind` (any if nullopt) whose status is
  // `status` (any if ""), oldest first: a privacy officer's work list.
  Result<std::vector<FamilyRequest>> ListRequests(std::optional<FamilyRequestKind> kind,
                                                  std::string_view status) const;
  // The requests of shredded records of `kind` (any if nullopt) whose status
  // is `status` (any if ""), by shred, then id; of `student_id` only if given.
  Result<std::vector<ShreddedFamilyRequest>> ListShreddedRequests(
      std::optional<FamilyRequestKind> kind, std::string_view status,
      std::string_view student_id = {}) const;
  // Of a student's `requests`: the refused corrections that carry a
  // statement, in attach order.
  static std::vector<FamilyRequest> Statements(std::vector<FamilyRequest> requests);
  // Of a student's `requests`: the corrections decided `amend` (FERPA §99.20:
  // the record was found inaccurate), in decision order.
  static std::vector<FamilyRequest> Amendments(std::vector<FamilyRequest> requests);
  // What is shown with the record (the profile), from one read of the
  // student's requests: `statements` [{request_id, about_seq, seq, at,
  // by{id,role,name}, text}] and `amendments` [{request_id, about_seq, seq, at,
  // by, requested_change, reason}], so that a reader knows what the family
  // disputes and which entries were found inaccurate; and `marks`, the
  // profile entries they are about (a note's entry for any event of the
  // note). One about a restricted note (family::AboutRestrictedNote) is only
  // {request_id, about_seq, note_id, seq, at, restricted: true}, for every
  // reader: what the family and the privacy officer wrote about the note
  // describes it, and is served only with the note's own audited read
  // (NoteAnnotations).
  struct ShownWithRecord {
    boost::json::array statements;
    boost::json::array amendments;
    EntryMarks marks;
  };
  Result<ShownWithRecord> RecordAnnotations(std::string_view student_id) const;
  // The statements and amendments about `note_id` (any of its events), in
  // full, for the note's restricted read; `marks` is empty.
  Result<ShownWithRecord> NoteAnnotations(std::string_view student_id,
                                          std::string_view note_id) const;
  // True while an inspection request is pending (FERPA §99.10 legal hold).
  Result<bool> HasLegalHold(std::string_view student_id) const;
  // The oldest pending request of `kind` about the student, if any (one
  // pending inspection is a legal hold; one pending deletion is the family's
  // request for the whole record: no second of either kind is taken).
  Result<std::optional<FamilyRequest>> PendingRequest(std::string_view student_id,
                                                      FamilyRequestKind kind) const;
  // True once RecordShredded about the student is committed.
  Result<bool> IsShredded(std::string_view student_id) const;

  // --- Commands. kPermissionDenied for the wrong role or relationship,
  // kNotFound / kGone for unknown / shredded students or requests,
  // kFailedPrecondition when the request is not in the right state,
  // kInvalidArgument for empty or over-long text, kUnavailable if the
  // append failed.

  // By a guardian of the student (or a privacy officer on the family's
  // behalf). kFailedPrecondition while one is pending.
  Result<RequestReceipt> RequestInspection(const Actor& actor, std::string_view student_id);
  // By a privacy officer; records the log size the family was shown.
  Status FulfillInspection(const Actor& actor, std::string_view request_id);
  // By a guardian; `about_seq` must be an event about the student.
  Result<RequestReceipt> RequestCorrection(const Actor& actor, std::string_view student_id,
                                           std::string_view text, uint64_t about_seq);
  // By a privacy officer, once per request.
  Status DecideCorrection(const Actor& actor, std::string_view request_id,
                          CorrectionDecision decision, std::string_view reason);
  // By a guardian, once, after the correction was refused.
  Status AttachStatement(const Actor& actor, std::string_view request_id, std::string_view text);
  // By a guardian of the student or a district admin. kFailedPrecondition
  // while one (by anyone) is pending: approving it shreds the whole record
  // (after a refusal, a new one may be made).
  Result<RequestReceipt> RequestDeletion(const Actor& actor, std::string_view student_id,
                                         std::string_view reason);
  // By a privacy officer: appends DeletionApproved and RecordShredded, then
  // destroys the key. kFailedPrecondition during a legal hold.
  Status ApproveDeletion(const Actor& actor, std::string_view request_id);
  // By a privacy officer, instead of approving: appends DeletionRefused
  // (`reason`, encrypted under the student's key); the record is kept and
  // the family may ask again. kFailedPrecondition unless the request is pending.
  Status RefuseDeletion(const Actor& actor, std::string_view request_id, std::string_view reason);
  // By a privacy officer or district admin: records that the student's
  // record was disclosed outside the district's own staff (FERPA §99.32(a):
  // the party, its legitimate interest, and what was disclosed), appending
  // RecordDisclosed, encrypted under the student's key. The family sees it
  // among the history's `disclosures`. Returns its seq.
  Result<uint64_t> RecordDisclosure(const Actor& actor, std::string_view student_id,
                                    const DisclosureRecord& disclosure);
  // By a privacy officer or district admin: appends, in one commit,
  // ShredReasonRecorded (`reason`, sealed under the actor's data key) and
  // RecordShredded (reason kShredReasonSealed), then destroys the student's
  // data key (flushed and compacted away). kFailedPrecondition during a legal
  // hold; kGone if already shredded.
  Status Shred(const Actor& actor, std::string_view student_id, std::string_view reason);

  // Destroys the data key of every student whose RecordShredded is
  // committed but whose key survived (the process died in between).
  // Idempotent; run at startup by the projection's Load().
  Status Recover();

 private:
  struct Impl;
  Services& services_;
  std::unique_ptr<Impl> impl_;
  // Serialises every command that checks a request's status (or a legal
  // hold) with its append: requests, shredding (which lists the student's
  // requests), decisions and statements. Appends are durable, with their
  // projection, on return.
  std::mutex hold_mu_;
};

}  // namespace backpack
