// POST /api/imports end to end (SPEC §6): 201 {import_id, events_appended}
// for every set taken, a repeated set naming the import of the same files;
// 422 with details [{file, line, message}] for one that cannot be taken, with
// nothing appended.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "imports/csv.h"
#include "imports/import_set.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

// The import id of the latest ImportCompleted in the log for the files of
// `zip` (same file_set_hash); "" if none.
std::string LatestImportOf(ApiWorld& w, const std::string& zip) {
  auto set = imports::ParseImportZip(AsBytes(zip));
  REQUIRE(set);
  std::string latest;
  for (const LoggedEvent& e : w.EventsSince(0, EventType::ImportCompleted)) {
    const auto* p = VerifiedRoot<fb::ImportCompletedPayload>(e.payload);
    REQUIRE(p);
    REQUIRE(p->file_set_hash());
    if (std::equal(p->file_set_hash()->begin(), p->file_set_hash()->end(),
                   set->file_set_hash.begin(), set->file_set_hash.end())) {
      latest = p->import_id()->str();
    }
  }
  return latest;
}

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Rewrites the CSV file at `path` without its column `column`.
void DropColumn(const std::filesystem::path& path, std::string_view column) {
  auto table = imports::ParseCsv(testing::ReadFile(path));
  REQUIRE(table);
  const auto at = std::find(table->header.begin(), table->header.end(), column);
  REQUIRE(at != table->header.end());
  const size_t drop = static_cast<size_t>(at - table->header.begin());
  auto line = [drop](const std::vector<std::string>& fields) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i == drop) continue;
      if (!out.empty()) out += ',';
      out += CsvField(fields[i]);
    }
    return out + "\n";
  };
  std::string out = line(table->header);
  for (const imports::CsvRecord& record : table->records) out += line(record.fields);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << out;
}

// Rewrites the CSV file at `path` with CRLF line ends: the same rows in
// other bytes.
void UseCrlf(const std::filesystem::path& path) {
  std::string crlf;
  for (char c : testing::ReadFile(path))
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << crlf;
}

}  // namespace

TEST_CASE("a repeated zip answers 201 naming the import of the same files and appends nothing") {
  ApiWorld& w = SharedWorld();
  const std::string first = LatestImportOf(w, w.DistrictZip());
  REQUIRE_FALSE(first.empty());  // the world imported these files
  uint64_t before = w.LogSize();
  for (int i = 0; i < 2; ++i) {
    auto again = w.Call("POST", "/api/imports", w.admin.token, w.DistrictZip(), "application/zip");
    REQUIRE(again.status == 201);
    const json::value report = ApiWorld::Json(again);
    CHECK(Str(report.at("import_id")) == first);
    REQUIRE(report.at("events_appended") == 0);
    CHECK(report.at("unchanged").to_number<int64_t>() > 0);
    CHECK(report.at("retracted") == 0);
    CHECK(report.at("skipped_deleted") == 0);
    REQUIRE(w.LogSize() == before);
  }
  // The same rows in other files: nothing appended, and no import to name.
  const std::string crlf =
      w.DistrictZip([](const std::filesystem::path& dir) { UseCrlf(dir / "orgs.csv"); });
  auto same_rows = w.Call("POST", "/api/imports", w.admin.token, crlf, "application/zip");
  REQUIRE(same_rows.status == 201);
  CHECK(ApiWorld::Json(same_rows).at("import_id").is_null());
  CHECK(ApiWorld::Json(same_rows).at("events_appended") == 0);
  REQUIRE(w.LogSize() == before);
}

TEST_CASE("imports take a zip: garbage gets 422 details, a bad flag 400") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  auto garbage = w.Call("POST", "/api/imports", w.admin.token, "PK not a zip", "application/zip");
  REQUIRE(garbage.status == 422);
  REQUIRE(ApiWorld::Json(garbage).at("error").at("details").as_array().size() >= 1);
  REQUIRE(w.Call("POST", "/api/imports", w.admin.token, "{}", "application/json").status == 400);
  REQUIRE(w.LogSize() == before);
  auto bad_flag = w.Call("POST", "/api/imports?allow_mass_retraction=maybe", w.admin.token,
                         w.DistrictZip(), "application/zip");
  CHECK(bad_flag.status == 400);
  auto no_retraction = w.Call("POST", "/api/imports?allow_mass_retraction=false", w.admin.token,
                              w.DistrictZip(), "application/zip");
  CHECK(no_retraction.status == 201);
  // Signed in by cookie, either zip type passes the cross-site check.
  const std::string cookie = "Cookie: backpack_session=" + w.admin.token + "\r\n";
  for (std::string_view type : {"application/zip", "application/x-zip-compressed"}) {
    INFO(type);
    auto by_cookie = w.Call("POST", "/api/imports", "", w.DistrictZip(), type, cookie);
    REQUIRE(by_cookie.status == 201);
    REQUIRE(ApiWorld::Json(by_cookie).at("events_appended") == 0);
  }
  REQUIRE(w.LogSize() == before);
}

TEST_CASE("a mass retraction answers 422 with a detail for each file and appends nothing") {
  ApiWorld& w = SharedWorld();
  // A partial export: users.csv without the guardians' links, and
  // enrollments.csv with its header only.
  const std::string partial = w.DistrictZip([](const std::filesystem::path& dir) {
    DropColumn(dir / "users.csv", "agentSourcedIds");
    std::string enrollments = testing::ReadFile(dir / "enrollments.csv");
    enrollments.resize(enrollments.find('\n') + 1);
    std::ofstream(dir / "enrollments.csv", std::ios::binary | std::ios::trunc) << enrollments;
  });
  const uint64_t before = w.LogSize();
  auto refused = w.Call("POST", "/api/imports", w.admin.token, partial, "application/zip");
  INFO(refused.body);
  REQUIRE(refused.status == 422);
  const json::value answer = ApiWorld::Json(refused);
  const json::value& error = answer.at("error");
  CHECK(Str(error.at("code")) == "unprocessable");
  const json::array& details = error.at("details").as_array();
  REQUIRE(details.size() == 2);
  CHECK(Str(details[0].at("file")) == "enrollments.csv");
  CHECK(Str(details[1].at("file")) == "users.csv");
  for (const json::value& detail : details) {
    CHECK(detail.at("line") == 0);  // the whole file
    const std::string message = Str(detail.at("message"));
    CHECK(message.starts_with("would retract more than half of what is held: "));
    CHECK(message.find("?allow_mass_retraction=true") != std::string::npos);
  }
  CHECK(Str(details[0].at("message")).find(" enrollments.") != std::string::npos);
  CHECK(Str(details[1].at("message")).find(" guardian links.") != std::string::npos);
  CHECK(w.LogSize() == before);
}

TEST_CASE("an import body over 1 MiB is read only for a signed-in district admin") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  const std::string over_a_mib(1024 * 1024 + 1, 'z');
  // Anyone else is answered by the route without the body being read: 401
  // for no session, 403 (recorded) for the wrong role.
  CHECK(w.Call("POST", "/api/imports", "", over_a_mib, "application/zip").status == 401);
  CHECK(w.LogSize() == before);
  for (const Account* account : {&w.teacher, &w.privacy}) {
    INFO(account->username);
    auto refused = w.Call("POST", "/api/imports", account->token, over_a_mib, "application/zip");
    CHECK(refused.status == 403);
    CHECK(refused.Header("connection") == "close");
    auto denied = w.EventsSince(before, EventType::AccessDenied);
    REQUIRE(denied.size() == 1);
    CHECK(denied[0].header.actor_id == account->user_id);
    before = w.LogSize();
  }
  auto read = w.Call("POST", "/api/imports", w.admin.token, over_a_mib, "application/zip");
  CHECK(read.status == 422);  // read, parsed, and found not to be a zip
  CHECK(w.LogSize() == before);
}

}  // namespace backpack::api_testing
