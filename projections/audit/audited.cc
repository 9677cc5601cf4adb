// The audit-first wrappers of the audit reads, and their helpers.
#include <set>

#include "projections/audit/audit.h"
#include "projections/audit/audit_time.h"
#include "projections/roster/roster.h"

namespace backpack {
namespace json = boost::json;

namespace {

void AddId(std::vector<StudentAccess>& out, std::set<std::string>& seen, const json::value* id,
           std::string_view reason) {
  if (!id || !id->is_string() || id->get_string().empty()) return;
  std::string value(id->get_string());
  if (seen.insert(value).second) out.push_back({value, std::string(reason)});
}

// The array `field` of `o`, or null.
const json::array* ArrayField(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

// Records the audited read of `result` by `actor`, then hands it back.
Result<json::object> AfterRecording(Audit& audit, const Actor& actor, AccessScope scope,
                                    json::object result, std::string_view reason, std::string query,
                                    uint64_t count) {
  AccessExtra extra;
  extra.reason = std::string(reason);
  extra.query = std::move(query);
  extra.result_count = count;
  RETURN_IF_ERROR(audit.RecordAccess(actor, scope, StudentsInResult(result, reason),
                                     AccessOutcome::kAllowed, extra));
  return result;
}

size_t ArraySize(const json::object& o, std::string_view field) {
  const json::array* a = ArrayField(o, field);
  return a ? a->size() : 0;
}

}  // namespace

std::vector<StudentAccess> StudentsInResult(const json::object& result, std::string_view reason) {
  std::vector<StudentAccess> out;
  std::set<std::string> seen;
  for (std::string_view field : {"events", "students", "alerts", "requests"}) {
    const json::array* items = ArrayField(result, field);
    if (!items) continue;
    for (const json::value& item : *items) {
      if (!item.is_object()) continue;
      const json::object& o = item.get_object();
      AddId(out, seen, o.if_contains(field == "students" ? "id" : "student_id"), reason);
      if (const json::array* listed = ArrayField(o, "students")) {
        for (const json::value& s : *listed) {
          if (s.is_object()) AddId(out, seen, s.get_object().if_contains("id"), reason);
        }
      }
    }
  }
  return out;
}

std::string QueryFilterString(const AuditQuery& q) {
  std::string out;
  auto add = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    if (!out.empty()) out += '&';
    out += std::string(name) + "=" + value;
  };
  add("student_id", q.student_id);
  add("actor_id", q.actor_id);
  add("since", q.since_us ? FormatIsoTime(*q.since_us) : "");
  add("until", q.until_us ? FormatIsoTime(*q.until_us) : "");
  add("action", q.action);
  add("limit", std::to_string(q.limit));
  add("cursor", q.cursor);
  return out;
}

Result<json::object> Audit::QueryAudited(const Actor& actor, const AuditQuery& query,
                                         std::string_view reason) {
  ASSIGN_OR_RETURN(json::object page, Query(query));
  size_t count = ArraySize(page, "events");
  return AfterRecording(*this, actor, AccessScope::kAuditQuery, std::move(page), reason,
                        QueryFilterString(query), count);
}

Result<json::object> Audit::BreachReportAudited(const Actor& actor, std::string_view actor_id,
                                                int64_t since_us, int64_t until_us,
                                                std::string_view reason) {
  ASSIGN_OR_RETURN(json::object report, BreachReport(actor_id, since_us, until_us));
  size_t count = ArraySize(report, "students");
  std::string query = "actor_id=" + std::string(actor_id) + "&since=" + FormatIsoTime(since_us) +
                      "&until=" + FormatIsoTime(until_us);
  return AfterRecording(*this, actor, AccessScope::kBreachReport, std::move(report), reason,
                        std::move(query), count);
}

Result<json::object> Audit::AlertsAudited(const Actor& actor, bool unreviewed_only, size_t limit,
                                          std::string_view cursor, std::string_view reason) {
  ASSIGN_OR_RETURN(json::object alerts, Alerts(unreviewed_only, limit, cursor));
  size_t count = ArraySize(alerts, "alerts");
  return AfterRecording(
      *this, actor, AccessScope::kAuditQuery, std::move(alerts), reason,
      std::string(unreviewed_only ? kUnreviewedAlertsReadQuery : kAlertsReadQuery), count);
}

Result<std::string> Audit::ResolveActor(std::string_view username_or_id) const {
  if (username_or_id.empty()) return Err(InvalidArgumentError("no actor given"));
  // The built-in actors first: an account named like one (made before such
  // names were refused) must not take over the filter for its events.
  if (auto built_in = BuiltInActor(username_or_id)) return std::string(*built_in);
  if (services_.roster) {
    if (services_.roster->FindUser(username_or_id)) return std::string(username_or_id);
    if (auto user = services_.roster->FindUserByUsername(username_or_id)) return user->id;
  }
  // Ids of accounts the roster does not know still act in the log.
  if (username_or_id.substr(0, 4) == "usr_") return std::string(username_or_id);
  return Err(NotFoundError("no such user: " + std::string(username_or_id)));
}

}  // namespace backpack
