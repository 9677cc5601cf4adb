// CSV renderings of the audit results (RFC 4180: comma-separated, CRLF line
// ends, fields holding a comma, quote, CR or LF in double quotes with quotes
// doubled). Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace backpack {

// `value` as one RFC 4180 field. A value a spreadsheet would read as a
// formula (starting with = + - @, tab or CR) is quoted with a leading `'`,
// which spreadsheets show as text; the data is otherwise unchanged.
std::string CsvField(std::string_view value);

// An Audit::Query page: a header, then one row per event and student
// (a read of several students gives one row for each; a read of none, one
// row with an empty student_id):
// seq,at,actor_id,actor_username,actor_role,action,scope,student_id,reason,
// outcome,request_id,ip,note_id,query,route,target_id,change
// (columns after ip were added later, at the end; "" where the event has none).
std::string AuditEventsCsv(const boost::json::object& page);

// An Audit::BreachReport: a header, then one row per access:
// student_id,student_name,guardian_names,guardian_emails,at,scope,reason,
// seq,outcome,query,note_id,student_shredded
// (several guardians are joined with "; "; student_shredded is "true" for a
// shredded student, whose name and guardians are gone, else "false").
std::string BreachReportCsv(const boost::json::object& report);

}  // namespace backpack
