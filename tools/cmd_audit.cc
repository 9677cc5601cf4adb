// audit query, audit breach-report, audit alerts (SPEC §5). CLI reads are
// audited like any other: each appends its RecordViewed (actor "cli")
// durably before printing.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <iostream>

#include "projections/audit/audit.h"
#include "projections/audit/audit_csv.h"
#include "projections/audit/audit_time.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"
#include "tools/commands.h"

namespace backpack {
namespace {
namespace json = boost::json;

constexpr std::string_view kCliReason = "cli";

struct AuditCliOptions {
  std::string student, actor, since, until, action, cursor;
  std::string format = "json";
  size_t limit = 100;
  bool unreviewed = false;
  std::optional<size_t> bulk_access_threshold;
};

Actor CliActor() { return Actor{std::string(kCliActorId), NewId("req"), ""}; }

// Indented JSON for people at a terminal (Boost.JSON prints one line).
void PrintPretty(std::ostream& out, const json::value& v, int indent = 0) {
  std::string pad(indent + 2, ' ');
  if (v.is_object() && !v.get_object().empty()) {
    out << "{\n";
    size_t i = 0;
    for (const auto& [key, value] : v.get_object()) {
      out << pad << json::serialize(json::string(key)) << ": ";
      PrintPretty(out, value, indent + 2);
      out << (++i < v.get_object().size() ? ",\n" : "\n");
    }
    out << std::string(indent, ' ') << "}";
  } else if (v.is_array() && !v.get_array().empty()) {
    out << "[\n";
    size_t i = 0;
    for (const auto& item : v.get_array()) {
      out << pad;
      PrintPretty(out, item, indent + 2);
      out << (++i < v.get_array().size() ? ",\n" : "\n");
    }
    out << std::string(indent, ' ') << "]";
  } else {
    out << json::serialize(v);
  }
}

// A student id from a OneRoster sourcedId or a stu_ id, resolved as every
// command does (ResolveStudentId: shredded students included). The stu_
// id of a student the roster never knew is still a valid filter.
Result<std::string> ResolveStudentFilter(App& app, const std::string& text) {
  auto id = ResolveStudentId(app, text);
  if (id || id.error().code() != StatusCode::kNotFound) return id;
  if (text.starts_with("stu_")) return text;
  return Err(NotFoundError("no such student: " + text));
}

Result<AuditQuery> BuildQuery(App& app, const AuditCliOptions& o) {
  Services& services = app.services();
  AuditQuery q;
  if (!o.student.empty()) {
    ASSIGN_OR_RETURN(q.student_id, ResolveStudentFilter(app, o.student));
  }
  if (!o.actor.empty()) {
    ASSIGN_OR_RETURN(q.actor_id, services.audit->ResolveActor(o.actor));
  }
  if (!o.since.empty()) {
    ASSIGN_OR_RETURN(q.since_us, ParseIsoTime(o.since));
  }
  if (!o.until.empty()) {
    ASSIGN_OR_RETURN(q.until_us, ParseIsoTimeUntil(o.until));
  }
  q.action = o.action;
  q.limit = o.limit;
  q.cursor = o.cursor;
  return q;
}

void Print(const json::object& result, const std::string& format,
           std::string (*as_csv)(const json::object&)) {
  if (format == "csv") {
    std::cout << as_csv(result);
  } else {
    PrintPretty(std::cout, result);
    std::cout << "\n";
  }
}

void RunQuery(const GlobalOptions& global, const AuditCliOptions& o, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto query = BuildQuery(*app, o);
  if (!query) {
    *exit_code = Fail(query.error());
    return;
  }
  auto page = app->services().audit->QueryAudited(CliActor(), *query, kCliReason);
  if (!page) {
    *exit_code = Fail(page.error());
    return;
  }
  Print(*page, o.format, &AuditEventsCsv);
  // CSV has no room for the cursor: say on stderr that there is more.
  const json::value* next = page->if_contains("next_cursor");
  if (o.format == "csv" && next && next->is_string()) {
    std::cerr << "backpack: more events follow; run again with --cursor "
              << std::string(next->get_string()) << "\n";
  }
}

void RunBreachReport(const GlobalOptions& global, const AuditCliOptions& o, int* exit_code) {
  auto since = ParseIsoTime(o.since);
  if (!since) {
    *exit_code = Fail(since.error());
    return;
  }
  auto until = ParseIsoTimeUntil(o.until);
  if (!until) {
    *exit_code = Fail(until.error());
    return;
  }
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  Audit& audit = *app->services().audit;
  auto actor = audit.ResolveActor(o.actor);
  if (!actor) {
    *exit_code = Fail(actor.error());
    return;
  }
  auto report = audit.BreachReportAudited(CliActor(), *actor, *since, *until, kCliReason);
  if (!report) {
    *exit_code = Fail(report.error());
    return;
  }
  Print(*report, o.format, &BreachReportCsv);
}

void RunAlerts(const GlobalOptions& global, const AuditCliOptions& o, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto alerts =
      app->services().audit->AlertsAudited(CliActor(), o.unreviewed, o.limit, o.cursor, kCliReason);
  if (!alerts) {
    *exit_code = Fail(alerts.error());
    return;
  }
  PrintPretty(std::cout, *alerts);
  std::cout << "\n";
}

// The account (username or user id) that changes a setting: an account, not
// a built-in actor or an unknown id. Its role is checked by the change.
Result<std::string> SettingsActor(App& app, const std::string& name) {
  auto id = app.services().roster->ResolveUser(name);
  if (!id) {
    return Err(NotFoundError("--actor " + name +
                             " names no account; a change needs an enabled privacy_officer"));
  }
  return id;
}

// Prints the alert settings, with who changed each and when; with
// --bulk-access-threshold, first changes it (an AuditSettingsChanged event by
// --actor, an enabled privacy officer, in the audit trail).
void RunSettings(const GlobalOptions& global, const AuditCliOptions& o, int* exit_code) {
  if (o.bulk_access_threshold && o.actor.empty()) {
    *exit_code = Fail(InvalidArgumentError("--bulk-access-threshold needs --actor"));
    return;
  }
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  Audit& audit = *app->services().audit;
  if (o.bulk_access_threshold) {
    auto actor = SettingsActor(*app, o.actor);
    Status changed = actor ? audit.ChangeBulkAccessThreshold(Actor{*actor, NewId("req"), ""},
                                                             *o.bulk_access_threshold)
                           : actor.error();
    if (!changed.ok()) {
      *exit_code = Fail(changed);
      return;
    }
  }
  auto settings = audit.Settings();
  if (!settings) {
    *exit_code = Fail(settings.error());
    return;
  }
  PrintPretty(std::cout, *settings);
  std::cout << "\n";
}

void AddFormat(CLI::App* command, AuditCliOptions& o) {
  command->add_option("--format", o.format, "json or csv")
      ->check(CLI::IsMember({"json", "csv"}))
      ->capture_default_str();
}

}  // namespace

void AddAuditCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  static AuditCliOptions o;
  auto* audit = cli.add_subcommand("audit", "audit trail, breach reports and alerts");
  audit->require_subcommand(1);

  auto* query = audit->add_subcommand("query", "access events, newest first");
  query->add_option("--student", o.student, "student id (stu_...) or SIS sourcedId");
  query->add_option("--actor", o.actor, "username or user id");
  query->add_option("--since", o.since, "ISO 8601 date or datetime (inclusive)");
  query->add_option("--until", o.until, "ISO 8601 date (inclusive) or datetime (exclusive)");
  query->add_option("--action", o.action,
                    "RecordViewed, AccessDenied, RecordDisclosed, RecordShredded, LoginSucceeded, "
                    "LoginFailed, AlertReviewed, AuditSettingsChanged or a scope name");
  query->add_option("--limit", o.limit, "events per page (1 to 1000)")
      ->check(CLI::Range(size_t{1}, kMaxQueryLimit))
      ->capture_default_str();
  query->add_option("--cursor", o.cursor, "next_cursor of the previous page");
  AddFormat(query, o);
  query->callback([&global, exit_code] { RunQuery(global, o, exit_code); });

  auto* breach = audit->add_subcommand("breach-report", "everything an account read in a window");
  breach->add_option("--actor", o.actor, "username or user id")->required();
  breach->add_option("--since", o.since, "ISO 8601 date or datetime (inclusive)")->required();
  breach->add_option("--until", o.until, "ISO 8601 date (inclusive) or datetime (exclusive)")
      ->required();
  AddFormat(breach, o);
  breach->callback([&global, exit_code] { RunBreachReport(global, o, exit_code); });

  auto* alerts = audit->add_subcommand("alerts", "break-glass uses, bulk access, denial bursts");
  alerts->add_flag("--unreviewed", o.unreviewed, "only alerts not yet reviewed");
  alerts->add_option("--limit", o.limit, "alerts to list (1 to 1000)")
      ->check(CLI::Range(size_t{1}, kMaxQueryLimit))
      ->capture_default_str();
  alerts->add_option("--cursor", o.cursor, "next_cursor of the previous page");
  alerts->callback([&global, exit_code] { RunAlerts(global, o, exit_code); });

  auto* settings = audit->add_subcommand("settings", "show or change how alerts are derived");
  settings->add_option("--bulk-access-threshold", o.bulk_access_threshold,
                       "distinct students an account may read in an hour before an alert");
  settings->add_option("--actor", o.actor, "username or user id (privacy officer) of a change");
  settings->callback([&global, exit_code] { RunSettings(global, o, exit_code); });
}

}  // namespace backpack
