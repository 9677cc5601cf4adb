// Audit: the audit-first primitive every read of student data goes through
// (invariant 3), and the privacy officer's view of it.
//
// Writers (HTTP handlers, the CLI) call RecordAccess *before* sending any
// student data: it appends a RecordViewed event and returns only once the
// event is durable. If it fails the caller gets kUnavailable and must answer
// 503 without data. Refused requests append AccessDenied via RecordDenied.
//
// The audit projection (column families "a_*", docs/storage-format.md, "Audit projection")
// indexes those events by student, by actor and by action, and derives
// alerts (break-glass uses, bulk access, denial bursts) deterministically
// from the log. Queries and breach reports read the committed projection;
// names and guardian contacts come from the Roster and are decrypted only
// while a breach report is built.
//
// Thread-safety: every method is safe to call concurrently. Audit holds no
// mutable in-memory state; reads see committed events only.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "projections/projection.h"
#include "projections/services.h"

namespace backpack {

// The audited read scopes (SPEC §3 RecordViewed). kUnknown only for denials
// of requests that were not reads.
enum class AccessScope : uint8_t {
  kUnknown = 0,
  kProfile,
  kProfileHistory,
  kRestrictedNote,
  kHistory,
  kExport,
  kSearch,
  kAuditQuery,
  kBreachReport,
};

// "profile", "profile_history", ...; "" for kUnknown.
std::string_view AccessScopeName(AccessScope scope);
// The scope spelled exactly as AccessScopeName does; nullopt otherwise.
std::optional<AccessScope> ParseAccessScope(std::string_view name);

// What the caller is about to receive. Denials go through RecordDenied.
enum class AccessOutcome : uint8_t {
  kAllowed,  // the data is served
  kGone,     // the record was shredded; only non-personal history is served
};

// One student a read covers, with the access reason (SPEC §1 reason string,
// or a role such as "guardian" or "privacy_officer").
struct StudentAccess {
  std::string student_id;  // opaque id (stu_...)
  std::string reason;
};

// The queries of reads of named views, recorded instead of filters. A
// home-feed page's (scope kSearch) shows its students' notes, services and
// voice, so it counts towards bulk access.
inline constexpr std::string_view kFeedReadQuery = "view=feed";
inline constexpr std::string_view kFamilyRequestsReadQuery = "view=family_requests";
inline constexpr std::string_view kAccessListReadQuery = "view=access_list";
inline constexpr std::string_view kAlertsReadQuery = "view=alerts";
inline constexpr std::string_view kUnreviewedAlertsReadQuery = "view=alerts&unreviewed=true";

// Optional details of a read. Never free text typed by a user.
struct AccessExtra {
  // The reason of the read as a whole (e.g. the caller's role for audit
  // queries). Single-student reads default to the student's reason.
  std::string reason;
  std::string note_id;  // scope kRestrictedNote
  // Filters of an audit query or breach report, made only of ids and times,
  // e.g. "actor_id=usr_..&since=2026-09-01T00:00:00.000Z".
  std::string query;
  Bytes search_digest;  // scope kSearch: Audit::DigestSearchText(query text)
  uint64_t result_count = 0;
};

// Why a login failed. Never shown to the caller.
enum class LoginFailure : uint8_t { kNone, kNoSuchUser, kBadPassword, kDisabled, kRateLimited };

// Derived-alert thresholds. They are part of the projection's definition:
// changing them changes what a rebuild derives (rebuild --check then differs
// until `backpack rebuild` is run). The product keeps the defaults; a
// district changes the bulk-access threshold with an AuditSettingsChanged
// event (Audit::ChangeBulkAccessThreshold), which a rebuild replays.
struct AuditOptions {
  // Bulk access: an actor reading more than this many distinct students
  // within a sliding hour raises one alert per actor-hour.
  size_t bulk_access_threshold = 50;
  // Denial burst: this many AccessDenied by one actor within the window.
  size_t denial_burst_threshold = 10;
  int64_t denial_burst_window_us = 10 * 60 * 1'000'000LL;
};

// A break-glass alert about a student without its texts: what the student's
// RecordShredded keeps of it, since its reason and review note (and the
// events it was derived from) are sealed under the key the shred destroys.
struct KeptBreakGlassAlert {
  uint64_t alert_seq = 0;  // the BreakGlassStarted's seq (the alert's id)
  std::string actor_id;    // the educator
  int64_t at_us = 0;
  int64_t expires_at_us = 0;
  std::string break_glass_id;
  bool reviewed = false;
  std::string reviewed_by;
  int64_t reviewed_at_us = 0;
  uint64_t review_seq = 0;
};

// Filters of an audit query (GET /api/audit/events, `backpack audit query`).
// Every filter is optional; results are newest first.
struct AuditQuery {
  std::string student_id;           // opaque id
  std::string actor_id;             // user id (resolve usernames with ResolveActor)
  std::optional<int64_t> since_us;  // inclusive
  std::optional<int64_t> until_us;  // exclusive
  // An action ("RecordViewed", "AccessDenied", "RecordDisclosed",
  // "RecordShredded", "LoginSucceeded", "LoginFailed", "AlertReviewed",
  // "AuditSettingsChanged"), or a scope name ("profile", ...) which matches
  // both RecordViewed and AccessDenied of that scope.
  std::string action;
  size_t limit = 100;  // clamped to kMaxQueryLimit; 0 is invalid
  std::string cursor;  // next_cursor of the previous page, or ""
};
inline constexpr size_t kMaxQueryLimit = 1000;
inline constexpr size_t kMaxBulkAccessThreshold = 1'000'000;
// The longest alert review note, in characters (code points), as every
// free text of the API is measured; the API refuses a longer one with 422.
inline constexpr size_t kMaxReviewNoteChars = 2000;

class Audit {
 public:
  // `services` must outlive the Audit; its members are read when used.
  explicit Audit(Services& services, AuditOptions options = {});
  ~Audit();
  // The projection to register with the Projector.
  Projection* projection();
  // The families keyed by a group and an event's sequence number
  // (StoreOptions::sequenced_families).
  static std::vector<std::string> SequencedFamilies();

  // --- Audit-first primitives (the events they append are in the header
  // comment). Each returns ok only once its event is durable; append
  // failures come back as kUnavailable; misuse as kInvalidArgument.

  // Records a read. kSearch, kAuditQuery and kBreachReport may cover any
  // number of students (subject ""); every other scope exactly one (subject
  // that student).
  Status RecordAccess(const Actor& actor, AccessScope scope, std::vector<StudentAccess> students,
                      AccessOutcome outcome, const AccessExtra& extra = {});
  // As RecordAccess, but returns at once. `done` runs exactly once: on the
  // log's writer thread once the event is durable or failed, or on the
  // calling thread if the arguments are invalid. `done` must not block.
  void RecordAccessAsync(const Actor& actor, AccessScope scope, std::vector<StudentAccess> students,
                         AccessOutcome outcome, const AccessExtra& extra,
                         std::function<void(Status)> done);

  // Records a refused request. `student_id` is an opaque id or "" (never a
  // raw path segment); `reason` a machine reason (e.g. denied:no_relationship);
  // `route` the method and path pattern; `target_id` the id in the path.
  Status RecordDenied(const Actor& actor, AccessScope scope, std::string_view student_id,
                      std::string_view reason, std::string_view route,
                      std::string_view target_id = "");
  void RecordDeniedAsync(const Actor& actor, AccessScope scope, std::string_view student_id,
                         std::string_view reason, std::string_view route,
                         std::string_view target_id, std::function<void(Status)> done);

  // Records a login attempt: LoginSucceeded (requires `user_id`) or
  // LoginFailed, where the typed username is kept only as a keyed digest.
  Status RecordLogin(std::string_view username, std::optional<std::string> user_id,
                     std::string_view client_ip, bool success, LoginFailure failure,
                     std::string_view request_id = "");

  // The keyed digest of a search query's text for AccessExtra::search_digest.
  Bytes DigestSearchText(std::string_view text) const;

  // --- Queries over committed events (see audit_query.cc, breach_report.cc).

  // {"events":[{seq,at,actor{id,username,role},action,scope,student_id,
  // reason,outcome,request_id,ip,...}], "next_cursor": "..." or null}.
  // kInvalidArgument for a bad limit, cursor or action.
  Result<boost::json::object> Query(const AuditQuery& query) const;
  // {actor, window{since,until}, students:[{id,name,[shredded,]
  // guardians:[{name,email}], accesses:[{seq,at,scope,reason,outcome[,query]
  // [,note_id]}]}], totals{students,accesses,guardians,access_events}}: every
  // student `actor_id` read in [since, until). `accesses` counts one per
  // student a read covered; `access_events`, the reads.
  Result<boost::json::object> BreachReport(std::string_view actor_id, int64_t since_us,
                                           int64_t until_us) const;
  // Alerts newest first: {"alerts":[{id,kind,at,actor{...},...,reviewed}],
  // "settings": Settings()}, and "next_cursor" (the last alert's id) when
  // more follow: passed back as `cursor`, the next page starts after it.
  // Break-glass reasons are decrypted (a read about those students).
  // kInvalidArgument for a cursor that is not an alert id.
  Result<boost::json::object> Alerts(bool unreviewed_only, size_t limit = 100,
                                     std::string_view cursor = {}) const;

  // Query / BreachReport / Alerts, then RecordAccess by `actor` (scope
  // kAuditQuery or kBreachReport, listing the students in the result with
  // `reason`); the result is returned only if that record is durable.
  Result<boost::json::object> QueryAudited(const Actor& actor, const AuditQuery& query,
                                           std::string_view reason);
  Result<boost::json::object> BreachReportAudited(const Actor& actor, std::string_view actor_id,
                                                  int64_t since_us, int64_t until_us,
                                                  std::string_view reason);
  Result<boost::json::object> AlertsAudited(const Actor& actor, bool unreviewed_only, size_t limit,
                                            std::string_view cursor, std::string_view reason);

  // Appends AlertReviewed. kNotFound for an unknown alert, kPermissionDenied
  // if the alert is about `actor`'s own account, kAlreadyExists if it was
  // reviewed, kInvalidArgument for an empty note or one of more than
  // kMaxReviewNoteChars characters.
  Status ReviewAlert(const Actor& actor, std::string_view alert_id, std::string_view note);

  // For shredding: runs `append` (which appends the student's RecordShredded)
  // with the break-glass alerts about `student_id` as they stand, newest
  // first, holding back reviews until it returns, so that none lands between
  // that read and the append. Returns `append`'s status.
  Status WithBreakGlassAlertsAbout(
      std::string_view student_id,
      const std::function<Status(const std::vector<KeptBreakGlassAlert>&)>& append);

  // The alert settings in force: {"bulk_access_threshold": N,
  // "bulk_access_threshold_change": {by{id,username,role}, at, seq}, or null
  // while the default holds}.
  Result<boost::json::object> Settings() const;
  // By a privacy officer: appends AuditSettingsChanged, so that from the
  // next event on, an account reading more than `threshold` distinct
  // students within an hour raises a bulk-access alert (SPEC §6: "N
  // configurable"). Being an event, the change is itself on the record and
  // a rebuild applies it at the same point. kPermissionDenied for any other
  // role, kInvalidArgument outside 1..kMaxBulkAccessThreshold.
  Status ChangeBulkAccessThreshold(const Actor& actor, size_t threshold);

  // The user id for a username or user id. A built-in actor's name
  // (BuiltInActor: "cli", "system", any case) is that actor, whatever account
  // shares the name; ids of accounts unknown to the roster (usr_...) are
  // accepted as they are.
  Result<std::string> ResolveActor(std::string_view username_or_id) const;

  const AuditOptions& options() const { return options_; }

 private:
  struct Impl;
  Services& services_;
  AuditOptions options_;
  std::unique_ptr<Impl> impl_;
  // ReviewAlert's "not reviewed yet" holds until its append; a shred's
  // reading of the alerts it keeps holds until the RecordShredded append.
  std::mutex review_mu_;
};

// The ids of the students a Query page, BreachReport, Alerts or family
// request list ({"requests":[{student_id,...}]}) covers, each once, with
// `reason`, for the RecordAccess that must precede sending it.
std::vector<StudentAccess> StudentsInResult(const boost::json::object& result,
                                            std::string_view reason);
// The ids-and-times filter string of `query` for AccessExtra::query.
std::string QueryFilterString(const AuditQuery& query);

}  // namespace backpack
