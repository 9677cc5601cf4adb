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
  CHECK(CsvField("=HYPERLINK(\"http://x.example\")") ==
        "\"'=HYPERLINK(\"\"http://x.example\"\")\"");
  CHECK(CsvField("+SUM(1+1)") == "\"'+SUM(1+1)\"");
  CHECK(CsvField("-2+3") == "\"'-2+3\"");
  CHECK(CsvField("@SUM(1)") == "\"'@SUM(1)\"");
  CHECK(CsvField("\t=1+1") == "\"'\t=1+1\"");
  CHECK(CsvField("\r=1") == "\"'\r=1\"");
  CHECK(CsvField("a=1") == "a=1");  // only the first character makes a formula
}

TEST_CASE("BreachReportCsv writes one quoted row per access, saying what it was and if shredded") {
  json::object report = json::parse(R"({
    "students": [
      {"id": "stu_1", "name": "Ana \"Annie\" Diaz",
       "guardians": [{"name": "Rosa Diaz", "email": "rosa@example.test"},
                     {"name": "Luis Diaz, Jr.", "email": "luis@example.test"}],
       "accesses": [{"seq": 7, "at": "2026-09-21T08:00:00.000Z", "scope": "profile",
                     "reason": "class:C1", "outcome": "allowed"},
                    {"seq": 9, "at": "2026-09-21T09:00:00.000Z", "scope": "restricted_note",
                     "reason": "class:C1", "outcome": "allowed", "note_id": "note_1"}]},
      {"id": "stu_2", "name": "Bo Li", "guardians": [],
       "accesses": [{"seq": 8, "at": "2026-09-21T08:30:00.000Z", "scope": "search",
                     "reason": "schoolwide:S1", "outcome": "allowed", "query": "view=feed"}]},
      {"id": "stu_3", "name": "", "shredded": true, "guardians": [],
       "accesses": [{"seq": 10, "at": "2026-09-21T10:00:00.000Z", "scope": "history",
                     "reason": "privacy_officer", "outcome": "gone"}]}]})")
                            .as_object();
  CHECK(BreachReportCsv(report) ==
        "student_id,student_name,guardian_names,guardian_emails,at,scope,reason,"
        "seq,outcome,query,note_id,student_shredded\r\n"
        "stu_1,\"Ana \"\"Annie\"\" Diaz\",\"Rosa Diaz; Luis Diaz, Jr.\","
        "rosa@example.test; luis@example.test,2026-09-21T08:00:00.000Z,profile,class:C1,"
        "7,allowed,,,false\r\n"
        "stu_1,\"Ana \"\"Annie\"\" Diaz\",\"Rosa Diaz; Luis Diaz, Jr.\","
        "rosa@example.test; luis@example.test,2026-09-21T09:00:00.000Z,restricted_note,class:C1,"
        "9,allowed,,note_1,false\r\n"
        "stu_2,Bo Li,,,2026-09-21T08:30:00.000Z,search,schoolwide:S1,8,allowed,view=feed,,false\r\n"
        "stu_3,,,,2026-09-21T10:00:00.000Z,history,privacy_officer,10,gone,,,true\r\n");
}

TEST_CASE("the columns added at the end are neutralised against formulas like the rest") {
  json::object report = json::parse(R"({"students": [{"id": "stu_1", "name": "=1+1",
      "guardians": [], "accesses": [{"seq": 1, "at": "t", "scope": "search", "reason": "r",
                                     "outcome": "allowed", "query": "=cmd", "note_id": "@x"}]}]})")
                            .as_object();
  CHECK(BreachReportCsv(report).ends_with(
      "stu_1,\"'=1+1\",,,t,search,r,1,allowed,\"'=cmd\",\"'@x\",false\r\n"));
  json::object page = json::parse(R"({"events": [{"seq": 2, "actor": {}, "student_id": "",
      "note_id": "-n", "query": "+q", "route": "=r", "target_id": "@t", "change": "-c"}]})")
                          .as_object();
  CHECK(AuditEventsCsv(page).ends_with(",\"'-n\",\"'+q\",\"'=r\",\"'@t\",\"'-c\"\r\n"));
}

TEST_CASE("AuditEventsCsv gives a multi-student read one row per student, details at the end") {
  json::object page = json::parse(R"({"events": [
      {"seq": 12, "at": "2026-09-21T08:00:00.000Z",
       "actor": {"id": "usr_1", "username": "teacher", "role": "educator"},
       "action": "RecordViewed", "scope": "search", "student_id": "", "reason": "",
       "outcome": "allowed", "request_id": "req_1", "ip": "10.0.0.1", "query": "view=feed",
       "students": [{"id": "stu_1", "reason": "class:C1"}, {"id": "stu_2", "reason": "grade:S:7"}]},
      {"seq": 11, "at": "2026-09-21T07:00:00.000Z",
       "actor": {"id": "usr_2", "username": "", "role": ""},
       "action": "AccessDenied", "scope": "profile", "student_id": "stu_3",
       "reason": "denied:no_relationship", "outcome": "denied", "request_id": "req_2", "ip": "",
       "route": "GET /api/students/{id}/profile", "target_id": "stu_3"},
      {"seq": 10, "at": "2026-09-21T06:00:00.000Z",
       "actor": {"id": "usr_3", "username": "teacher", "role": "educator"},
       "action": "RecordViewed", "scope": "restricted_note", "student_id": "stu_4",
       "reason": "class:C1", "outcome": "allowed", "request_id": "req_3", "ip": "10.0.0.2",
       "note_id": "note_9"},
      {"seq": 9, "at": "2026-09-21T05:00:00.000Z",
       "actor": {"id": "usr_4", "username": "privacy", "role": "privacy_officer"},
       "action": "AuditSettingsChanged", "scope": "", "student_id": "", "reason": "",
       "outcome": "changed", "request_id": "req_4", "ip": "",
       "change": "bulk_access_threshold=20"}],
      "next_cursor": null})")
                          .as_object();
  CHECK(AuditEventsCsv(page) ==
        "seq,at,actor_id,actor_username,actor_role,action,scope,student_id,reason,outcome,"
        "request_id,ip,note_id,query,route,target_id,change\r\n"
        "12,2026-09-21T08:00:00.000Z,usr_1,teacher,educator,RecordViewed,search,stu_1,class:C1,"
        "allowed,req_1,10.0.0.1,,view=feed,,,\r\n"
        "12,2026-09-21T08:00:00.000Z,usr_1,teacher,educator,RecordViewed,search,stu_2,grade:S:7,"
        "allowed,req_1,10.0.0.1,,view=feed,,,\r\n"
        "11,2026-09-21T07:00:00.000Z,usr_2,,,AccessDenied,profile,stu_3,denied:no_relationship,"
        "denied,req_2,,,,GET /api/students/{id}/profile,stu_3,\r\n"
        "10,2026-09-21T06:00:00.000Z,usr_3,teacher,educator,RecordViewed,restricted_note,stu_4,"
        "class:C1,allowed,req_3,10.0.0.2,note_9,,,,\r\n"
        "9,2026-09-21T05:00:00.000Z,usr_4,privacy,privacy_officer,AuditSettingsChanged,,,,changed,"
        "req_4,,,,,,bulk_access_threshold=20\r\n");
}
