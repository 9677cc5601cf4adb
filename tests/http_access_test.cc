// Who may read a student, over HTTP: grants and their revocation,
// break-glass, enrollments ending through an import, and guardian links.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "projections/audit/audit_time.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

TEST_CASE("break-glass opens an hour of access and raises an alert") {
  ApiWorld& w = SharedWorld();
  std::string target = "/api/students/" + w.spare_student + "/break-glass";
  auto refused = w.Call("GET", Profile(w.spare_student), w.outsider.token);
  REQUIRE(refused.status == 403);
  CHECK(Str(ApiWorld::Json(refused).at("error").at("message"))
            .starts_with("you have no access to this student"));
  auto r = w.Call("POST", target, w.outsider.token,
                  R"({"reason":"Synthetic emergency: student unwell on a field trip"})");
  REQUIRE(r.status == 201);
  REQUIRE(ApiWorld::Json(r).at("expires_at").is_string());
  auto profile = w.Call("GET", Profile(w.spare_student), w.outsider.token);
  REQUIRE(profile.status == 200);
  REQUIRE(std::string(ApiWorld::Json(profile).at("access_reason").as_string())
              .starts_with("break_glass:"));
  auto alerts = w.Call("GET", "/api/audit/alerts", w.privacy.token);
  REQUIRE(alerts.status == 200);
  REQUIRE(alerts.body.find(w.outsider.user_id) != std::string::npos);
  w.clock().Advance(3601 * kMicrosPerSecond);
  REQUIRE(w.Call("GET", Profile(w.spare_student), w.outsider.token).status == 403);
}

TEST_CASE("a grant gives access, shows in the access list, and its revocation ends it") {
  ApiWorld& w = SharedWorld();
  const std::string grant =
      GrantStudent(w, w.outsider.user_id, w.other_student, "Synthetic tutoring arrangement");
  REQUIRE(w.Call("GET", Profile(w.other_student), w.outsider.token).status == 200);
  auto note =
      w.Call("POST", "/api/students/" + w.other_student + "/notes", w.outsider.token,
             R"({"kind":"other","text":"Synthetic note under a grant","restricted":false})");
  REQUIRE(note.status == 201);
  std::string revisions = "/api/notes/" + Str(ApiWorld::Json(note).at("id")) + "/revisions";
  uint64_t listed_at = w.LogSize();
  auto access = w.Call("GET", "/api/students/" + w.other_student + "/access", w.privacy.token);
  REQUIRE(access.status == 200);
  REQUIRE(access.body.find("grant:" + grant) != std::string::npos);
  // Who may read the student, and why, is itself a read about the student.
  auto viewed = w.EventsSince(listed_at, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  CHECK(DecodeViewed(viewed[0]).scope == "AuditQuery");
  CHECK(DecodeViewed(viewed[0]).students == std::vector<std::string>{w.other_student});
  REQUIRE(w.Call("DELETE", "/api/grants/" + grant, w.admin.token).status == 200);
  REQUIRE(w.Call("GET", Profile(w.other_student), w.outsider.token).status == 403);
  // The note's author, with access ended, may no longer revise it.
  uint64_t before = w.LogSize();
  REQUIRE(w.Call("POST", revisions, w.outsider.token, R"({"text":"Synthetic late edit"})").status ==
          403);
  REQUIRE(w.CountSince(before, EventType::NoteRevised) == 0);
  auto denied = w.EventsSince(before, EventType::AccessDenied);
  REQUIRE(denied.size() == 1);
  REQUIRE(denied[0].header.subject_id == w.other_student);
  REQUIRE(w.Call("DELETE", "/api/grants/grant_00000000000000000000", w.admin.token).status == 404);
}

TEST_CASE("a grant given a bare date lasts through that day") {
  ApiWorld& w = SharedWorld();
  const int64_t tomorrow = (w.clock().NowMicros() / kMicrosPerDay + 1) * kMicrosPerDay;
  const std::string date = FormatIsoTime(tomorrow).substr(0, 10);
  json::object body{{"educator_id", w.outsider.user_id},
                    {"scope", json::object{{"student_id", w.other_student}}},
                    {"expires_at", date},
                    {"reason", "Synthetic cover for one day"}};
  REQUIRE(w.Call("POST", "/api/grants", w.admin.token, json::serialize(body)).status == 201);
  const int64_t end_of_day = tomorrow + kMicrosPerDay;
  w.clock().Advance(end_of_day - kMicrosPerSecond - w.clock().NowMicros());
  CHECK(w.Call("GET", Profile(w.other_student), w.outsider.token).status == 200);
  w.clock().Advance(2 * kMicrosPerSecond);
  CHECK(w.Call("GET", Profile(w.other_student), w.outsider.token).status == 403);
}

// Sets endDate to `end_date` on every `student` row of `student_id` in the
// enrollments.csv at `path` (the demo quotes none of its fields).
void EndStudentEnrollments(const std::filesystem::path& path, const AeadKey& index_key,
                           const std::string& student_id, const std::string& end_date) {
  std::istringstream in(testing::ReadFile(path));
  std::string out, line;
  std::vector<std::string> header;
  size_t changed = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    if (line.ends_with(',')) fields.emplace_back();
    if (header.empty()) header = fields;
    auto at = [&](std::string_view column) {
      return static_cast<size_t>(std::find(header.begin(), header.end(), column) - header.begin());
    };
    REQUIRE(fields.size() == header.size());
    if (fields[at("role")] == "student" &&
        StudentIdFor(index_key, fields[at("userSourcedId")]) == student_id) {
      fields[at("endDate")] = end_date;
      ++changed;
    }
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
    out += "\n";
  }
  REQUIRE(changed > 0);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << out;
}

// Id -> reason of every student GET /api/students lists for `token` (all of
// them: the district is smaller than the largest page).
std::map<std::string, std::string> Listed(ApiWorld& w, const std::string& token) {
  auto r = w.Call("GET", "/api/students?q=&limit=200", token);
  REQUIRE(r.status == 200);
  std::map<std::string, std::string> listed;
  const json::value body = ApiWorld::Json(r);
  for (const json::value& s : body.at("students").as_array()) {
    listed[Str(s.at("id"))] = Str(s.at("reason"));
  }
  return listed;
}

TEST_CASE("a student whose enrollments ended is no longer the teacher's, anywhere") {
  ApiWorld& w = SharedWorld();
  std::string student;  // reached through a class, and not one other tests use
  for (const auto& [id, reason] : Listed(w, w.teacher.token)) {
    if (reason.starts_with("class:") && id != w.child && id != w.other_student &&
        id != w.spare_student && student.empty()) {
      student = id;
    }
  }
  REQUIRE_FALSE(student.empty());
  const std::string access = "/api/students/" + student + "/access";
  auto names_teacher = [&] {
    auto r = w.Call("GET", access, w.privacy.token);
    REQUIRE(r.status == 200);
    return r.body.find(w.teacher.user_id) != std::string::npos;
  };
  REQUIRE(names_teacher());

  // The next export has the student transferred out yesterday.
  const int64_t day = 24 * 3600 * kMicrosPerSecond;
  const std::string yesterday = FormatIsoTime(w.clock().NowMicros() - day).substr(0, 10);
  const std::string ended = w.DistrictZip([&](const std::filesystem::path& dir) {
    EndStudentEnrollments(dir / "enrollments.csv", w.services().keys->index_key, student,
                          yesterday);
  });
  auto imported = w.Call("POST", "/api/imports", w.admin.token, ended, "application/zip");
  REQUIRE(imported.status == 201);
  REQUIRE(ApiWorld::Json(imported).at("events_appended").to_number<int64_t>() > 0);

  auto listed = Listed(w, w.teacher.token);
  CHECK_FALSE(listed.contains(student));
  CHECK(listed.contains(w.child));  // the teacher's other students stay
  uint64_t before = w.LogSize();
  CHECK(w.Call("GET", Profile(student), w.teacher.token).status == 403);
  CHECK(w.CountSince(before, EventType::AccessDenied) == 1);
  CHECK_FALSE(names_teacher());
  CHECK(Listed(w, w.principal.token).contains(student));  // districtwide still reaches them

  // The export as before (the student back in class) restores the access.
  auto restored = w.Call("POST", "/api/imports", w.admin.token, w.DistrictZip(), "application/zip");
  REQUIRE(restored.status == 201);
  CHECK(Listed(w, w.teacher.token).contains(student));
  CHECK(names_teacher());
}

TEST_CASE("a district admin ends one guardian's link, and the guardian loses the record at once") {
  ApiWorld& w = SharedWorld();
  auto user = w.services().roster->FindUser(w.other_guardian.user_id);
  REQUIRE(user);
  REQUIRE_FALSE(user->guardian_of.empty());
  const std::string student = user->guardian_of.front();
  const std::string history = "/api/students/" + student + "/history";
  REQUIRE(w.Call("GET", history, w.other_guardian.token).status == 200);
  const std::string target = "/api/students/" + student + "/guardians/unlink";
  const std::string body =
      R"({"guardian_id":")" + w.other_guardian.user_id + R"(","reason":"Synthetic court order"})";
  CHECK(w.Call("POST", target, w.admin.token, R"({"guardian_id":"nobody","reason":"x"})").status ==
        422);
  CHECK(w.Call("POST", target, w.admin.token,
               R"({"guardian_id":")" + w.other_guardian.user_id + R"("})")
            .status == 422);  // no reason
  uint64_t before = w.LogSize();
  auto r = w.Call("POST", target, w.admin.token, body);
  REQUIRE(r.status == 200);
  CHECK(ApiWorld::Json(r).at("unlinked") == true);
  CHECK(w.CountSince(before, EventType::GuardianUnlinked) == 1);
  CHECK(w.Call("GET", history, w.other_guardian.token).status == 403);
  CHECK(w.Call("POST", target, w.admin.token, body).status == 404);  // no longer linked
}

}  // namespace
}  // namespace backpack::api_testing
