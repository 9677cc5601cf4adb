#include "projections/audit/audit_csv.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace backpack;
namespace json = boost::json;

TEST_CASE("CsvField quotes only what RFC 4180 requires") {
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("") == "");
  CHECK(CsvField("Smith, Ana") == "\"Smith, Ana\"");
  CHECK(CsvField("the \"best\"") == "\"the \"\"best\"\"\"");
  CHECK(CsvField("two\nlines") == "\"two\nlines\"");
  CHECK(CsvField("cr\rhere") == "\"cr\rhere\"");
}

TEST_CASE("CsvField keeps a spreadsheet from reading a cell as a formula") {
  CHECK(CsvField("=HYPERLINK(\"http://x.example\")") == "\"'=HYPERLINK(\"\"http://x.example\"\")\"");
  CHECK(CsvField("+SUM(1+1)") == "\"'+SUM(1+1)\"");
  CHECK(CsvField("-2+3") == "\"'-2+3\"");
  CHECK(CsvField("@SUM(1)") == "\"'@SUM(1)\"");
  CHECK(CsvField("\t=1+1") == "\"'\t=1+1\"");
  CHECK(CsvField("\r=1") == "\"'\r=1\"");
  CHECK(CsvField("a=1") == "a=1");  // only the first character makes a formula
}

TEST_CASE("BreachReportCsv writes one quoted row per access") {
  json::object report = json::parse(R"({
    "students": [
      {"id": "stu_1", "name": "Ana \"Annie\" Diaz",
       "guardians": [{"name": "Rosa Diaz", "email": "rosa@example.test"},
                     {"name": "Luis Diaz, Jr.", "email": "luis@example.test"}],
       "accesses": [{"seq": 7, "at": "2026-09-21T08:00:00.000Z", "scope": "profile",
                     "reason": "class:C1"},
                    {"seq": 9, "at": "2026-09-21T09:00:00.000Z", "scope": "history",
                     "reason": "class:C1"}]},
      {"id": "stu_2", "name": "Bo Li", "guardians": [],
       "accesses": [{"seq": 8, "at": "2026-09-21T08:30:00.000Z", "scope": "search",
                     "reason": "schoolwide:S1"}]}]})")
                            .as_object();
  CHECK(BreachReportCsv(report) ==
        "student_id,student_name,guardian_names,guardian_emails,at,scope,reason\r\n"
        "stu_1,\"Ana \"\"Annie\"\" Diaz\",\"Rosa Diaz; Luis Diaz, Jr.\","
        "rosa@example.test; luis@example.test,2026-09-21T08:00:00.000Z,profile,class:C1\r\n"
        "stu_1,\"Ana \"\"Annie\"\" Diaz\",\"Rosa Diaz; Luis Diaz, Jr.\","
        "rosa@example.test; luis@example.test,2026-09-21T09:00:00.000Z,history,class:C1\r\n"
        "stu_2,Bo Li,,,2026-09-21T08:30:00.000Z,search,schoolwide:S1\r\n");
}

TEST_CASE("AuditEventsCsv gives a multi-student read one row per student") {
  json::object page = json::parse(R"({"events": [
      {"seq": 12, "at": "2026-09-21T08:00:00.000Z",
       "actor": {"id": "usr_1", "username": "teacher", "role": "educator"},
       "action": "RecordViewed", "scope": "search", "student_id": "", "reason": "",
       "outcome": "allowed", "request_id": "req_1", "ip": "10.0.0.1",
       "students": [{"id": "stu_1", "reason": "class:C1"}, {"id": "stu_2", "reason": "grade:S:7"}]},
      {"seq": 11, "at": "2026-09-21T07:00:00.000Z",
       "actor": {"id": "usr_2", "username": "", "role": ""},
       "action": "AccessDenied", "scope": "profile", "student_id": "stu_3",
       "reason": "denied:no_relationship", "outcome": "denied", "request_id": "req_2", "ip": ""}],
      "next_cursor": null})")
                          .as_object();
  CHECK(AuditEventsCsv(page) ==
        "seq,at,actor_id,actor_username,actor_role,action,scope,student_id,reason,outcome,"
        "request_id,ip\r\n"
        "12,2026-09-21T08:00:00.000Z,usr_1,teacher,educator,RecordViewed,search,stu_1,class:C1,"
        "allowed,req_1,10.0.0.1\r\n"
        "12,2026-09-21T08:00:00.000Z,usr_1,teacher,educator,RecordViewed,search,stu_2,grade:S:7,"
        "allowed,req_1,10.0.0.1\r\n"
        "11,2026-09-21T07:00:00.000Z,usr_2,,,AccessDenied,profile,stu_3,denied:no_relationship,"
        "denied,req_2,\r\n");
}
