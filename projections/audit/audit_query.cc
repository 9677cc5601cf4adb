// Audit::Query: access events, newest first, with cursor paging.
#include <charconv>

#include "projections/audit/audit.h"
#include "projections/audit/audit_time.h"
#include "projections/audit/internal/reading.h"

namespace backpack {
namespace json = boost::json;
using namespace audit_internal;

namespace {

constexpr std::string_view kAllScopes[] = {
    "",       "profile", "profile_history", "restricted_note", "history",
    "export", "search",  "audit_query",     "breach_report"};

bool IsAction(std::string_view a) {
  return a == kRecordViewed || a == kAccessDenied || a == kRecordDisclosed ||
         a == kLoginSucceeded || a == kLoginFailed || a == kRecordShredded || a == kAlertReviewed ||
         a == kAuditSettingsChanged;
}

Result<std::optional<uint64_t>> ParseCursor(const std::string& cursor) {
  if (cursor.empty()) return std::optional<uint64_t>();
  uint64_t seq = 0;
  auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), seq);
  if (ec != std::errc() || end != cursor.data() + cursor.size()) {
    return Err(InvalidArgumentError("malformed cursor"));
  }
  return std::optional<uint64_t>(seq);
}

// The index (family and prefixes) that answers `q` with the fewest entries.
std::pair<std::string_view, std::vector<std::string>> ChooseIndex(const AuditQuery& q) {
  if (!q.student_id.empty()) return {kByStudentFamily, {StudentPrefix(q.student_id)}};
  if (!q.actor_id.empty()) return {kByActorFamily, {ActorPrefix(q.actor_id)}};
  if (q.action.empty()) return {kEventsFamily, {""}};
  std::vector<std::string> prefixes;
  if (IsAction(q.action)) {
    for (auto scope : kAllScopes) prefixes.push_back(ActionPrefix(q.action, scope));
  } else {
    prefixes.push_back(ActionPrefix(kRecordViewed, q.action));
    prefixes.push_back(ActionPrefix(kAccessDenied, q.action));
  }
  return {kByActionFamily, prefixes};
}

bool Covers(const AccessEntry& e, std::string_view student_id) {
  for (const auto& s : e.Covered()) {
    if (s.student_id == student_id) return true;
  }
  return false;
}

bool Matches(const AccessEntry& e, const AuditQuery& q) {
  if (!q.actor_id.empty() && e.actor_id != q.actor_id) return false;
  if (!q.action.empty() && e.action != q.action && e.scope != q.action) return false;
  return q.student_id.empty() || Covers(e, q.student_id);
}

void AddIfSet(json::object& o, std::string_view field, const std::string& value) {
  if (!value.empty()) o[field] = value;
}

// The event as the API shows it. With a student filter, a multi-student
// read shows that student and its reason.
json::object EventJson(const AccessEntry& e, const AuditQuery& q, const Services& services,
                       std::map<std::string, json::object>& actors) {
  std::string student_id = e.student_id;
  std::string reason = e.reason;
  if (!q.student_id.empty() && e.student_id.empty()) {
    for (const auto& s : e.students) {
      if (s.student_id == q.student_id) student_id = s.student_id, reason = s.reason;
    }
  }
  json::object o;
  o["seq"] = e.seq;
  o["at"] = FormatIsoTime(e.at_us);
  o["actor"] = ActorJson(services, e.actor_id, actors);
  o["action"] = e.action;
  o["scope"] = e.scope;
  o["student_id"] = student_id;
  o["reason"] = reason;
  o["outcome"] = e.outcome;
  o["request_id"] = e.request_id;
  o["ip"] = e.ip;
  AddIfSet(o, "note_id", e.note_id);
  AddIfSet(o, "route", e.route);
  AddIfSet(o, "target_id", e.target_id);
  AddIfSet(o, "query", e.query);
  AddIfSet(o, "change", e.change);
  if (q.student_id.empty() && !e.students.empty()) {
    json::array students;
    for (const auto& s : e.students) {
      students.push_back(json::object{{"id", s.student_id}, {"reason", s.reason}});
    }
    o["students"] = std::move(students);
  }
  if (e.result_count > 0) o["result_count"] = e.result_count;
  return o;
}

Status ValidateQuery(const AuditQuery& q) {
  if (q.limit == 0) return InvalidArgumentError("limit must be at least 1");
  if (!q.action.empty() && !IsAction(q.action) && !ParseAccessScope(q.action)) {
    return InvalidArgumentError(
        "unknown action: use RecordViewed, AccessDenied, RecordDisclosed, RecordShredded, "
        "LoginSucceeded, LoginFailed, AlertReviewed, AuditSettingsChanged or a scope");
  }
  return CheckAuditWindow(q.since_us, q.until_us);
}

}  // namespace

Result<json::object> Audit::Query(const AuditQuery& q) const {
  RETURN_IF_ERROR(ValidateQuery(q));
  ASSIGN_OR_RETURN(std::optional<uint64_t> below, ParseCursor(q.cursor));
  const size_t limit = std::min(q.limit, kMaxQueryLimit);
  auto [family, prefixes] = ChooseIndex(q);
  ASSIGN_OR_RETURN(SeqScan scan, SeqScan::Open(*services_.store, family, prefixes, below));
  std::map<std::string, json::object> actors;
  json::array events;
  json::value next_cursor = nullptr;
  uint64_t last_seq = 0;
  RETURN_IF_ERROR(scan.ForEach([&](uint64_t seq) -> Result<bool> {
    ASSIGN_OR_RETURN(auto entry, LoadEntry(*services_.store, seq));
    if (!entry || (q.until_us && entry->at_us >= *q.until_us)) return true;
    if (q.since_us && entry->at_us < *q.since_us) return false;  // times ascend with seq
    if (!Matches(*entry, q)) return true;
    if (events.size() == limit) {
      next_cursor = std::to_string(last_seq);
      return false;
    }
    events.push_back(EventJson(*entry, q, services_, actors));
    last_seq = entry->seq;
    return true;
  }));
  return json::object{{"events", std::move(events)}, {"next_cursor", std::move(next_cursor)}};
}

}  // namespace backpack
