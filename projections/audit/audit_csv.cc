#include "projections/audit/audit_csv.h"

#include <boost/json/value.hpp>
#include <vector>

namespace backpack {
namespace json = boost::json;
namespace {

// `field` of `o` as text ("" if absent; numbers in decimal).
std::string Text(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (!v) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  if (v->is_int64()) return std::to_string(v->get_int64());
  return "";
}

const json::array& Array(const json::object& o, std::string_view field) {
  static const json::array kEmpty;
  const json::value* v = o.if_contains(field);
  return v && v->is_array() ? v->get_array() : kEmpty;
}

const json::object& Object(const json::value& v) {
  static const json::object kEmpty;
  return v.is_object() ? v.get_object() : kEmpty;
}

void AppendRow(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvField(fields[i]);
  }
  out += "\r\n";
}

std::string Joined(const json::array& items, std::string_view field) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += "; ";
    out += Text(Object(item), field);
  }
  return out;
}

// The (student id, reason) rows of one audit event.
std::vector<std::pair<std::string, std::string>> StudentRows(const json::object& event) {
  std::vector<std::pair<std::string, std::string>> rows;
  const json::array& listed = Array(event, "students");
  if (Text(event, "student_id").empty() && !listed.empty()) {
    for (const auto& s : listed)
      rows.emplace_back(Text(Object(s), "id"), Text(Object(s), "reason"));
  } else {
    rows.emplace_back(Text(event, "student_id"), Text(event, "reason"));
  }
  return rows;
}

}  // namespace

std::string CsvField(std::string_view value) {
  // A cell a spreadsheet would take for a formula (OWASP's "CSV injection"):
  // names and emails come from imports, usernames from administrators.
  const bool formula =
      !value.empty() && std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos;
  if (!formula && value.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = formula ? "\"'" : "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string AuditEventsCsv(const json::object& page) {
  std::string out;
  AppendRow(out, {"seq", "at", "actor_id", "actor_username", "actor_role", "action", "scope",
                  "student_id", "reason", "outcome", "request_id", "ip", "note_id", "query",
                  "route", "target_id", "change"});
  for (const auto& item : Array(page, "events")) {
    const json::object& e = Object(item);
    const json::value* actor_value = e.if_contains("actor");
    const json::object& actor = actor_value ? Object(*actor_value) : Object(nullptr);
    for (const auto& [student_id, reason] : StudentRows(e)) {
      AppendRow(out, {Text(e, "seq"), Text(e, "at"), Text(actor, "id"), Text(actor, "username"),
                      Text(actor, "role"), Text(e, "action"), Text(e, "scope"), student_id, reason,
                      Text(e, "outcome"), Text(e, "request_id"), Text(e, "ip"), Text(e, "note_id"),
                      Text(e, "query"), Text(e, "route"), Text(e, "target_id"), Text(e, "change")});
    }
  }
  return out;
}

std::string BreachReportCsv(const json::object& report) {
  std::string out;
  AppendRow(out, {"student_id", "student_name", "guardian_names", "guardian_emails", "at", "scope",
                  "reason", "seq", "outcome", "query", "note_id", "student_shredded"});
  for (const auto& item : Array(report, "students")) {
    const json::object& s = Object(item);
    const json::array& guardians = Array(s, "guardians");
    std::string names = Joined(guardians, "name");
    std::string emails = Joined(guardians, "email");
    const json::value* shredded = s.if_contains("shredded");
    const bool gone = shredded && shredded->is_bool() && shredded->get_bool();
    for (const auto& access : Array(s, "accesses")) {
      const json::object& a = Object(access);
      AppendRow(out, {Text(s, "id"), Text(s, "name"), names, emails, Text(a, "at"),
                      Text(a, "scope"), Text(a, "reason"), Text(a, "seq"), Text(a, "outcome"),
                      Text(a, "query"), Text(a, "note_id"), gone ? "true" : "false"});
    }
  }
  return out;
}

}  // namespace backpack
