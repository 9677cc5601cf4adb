// `backpack audit query`, `audit breach-report` and `audit settings` through
// the real binary: output formats, exit codes, and that the CLI's own reads
// are audited before anything is printed.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "events/schema/payloads_generated.h"
#include "projections/audit/audit.h"
#include "projections/ids.h"
#include "projections/roster/roster_commands.h"
#include "projections/roster/roster_test_events.h"
#include "tests/domain_fixture.h"
#include "tests/small_disk.h"

namespace backpack::testing {
namespace {
namespace json = boost::json;

// Runs `backpack --data DATA <args>`.
CliResult RunCli(const TempDir& tmp, const std::string& args) {
  return RunBackpackWords("--data " + (tmp.path() / "data").string() + " " + args);
}

std::string AddUser(DomainFixture& fx, const std::string& username, Role role = Role::kEducator) {
  AddUserRequest r;
  r.username = username;
  r.role = role;
  r.password_cost = PasswordCost::kMinimal;
  auto id = RosterCommands(fx.services())
                .AddUser(Actor{"system", "req_1", ""}, r, "correct horse battery");
  REQUIRE(id);
  return *id;
}

// A store in `data` where "teacher.one" read stu-a's profile on 2026-09-21
// and "teacher.two" read stu-b's. Returns the store's log size.
uint64_t SeedAt(const std::filesystem::path& data) {
  DomainFixture fx(data);
  const AeadKey& k = fx.keys().index_key;
  REQUIRE(fx.log().Append(
      {OrgEvent("sch-1", "Synthetic School"),
       StudentEvent(k, "stu-a", "Avery", "Quinlan, Jr.", "07", "sch-1"),
       StudentEvent(k, "stu-b", "Blake", "Rowntree", "08", "sch-1"),
       GuardianEvent(k, "gdn-1", "stu-a", "Morgan", "Quinlan", "morgan.q@example.test")}));
  std::string one = AddUser(fx, "teacher.one");
  std::string two = AddUser(fx, "teacher.two");
  Audit& audit = *fx.services().audit;
  REQUIRE(audit
              .RecordAccess(Actor{one, "req_a", "192.0.2.1"}, AccessScope::kProfile,
                            {{StudentIdFor(k, "stu-a"), "class:cls-1"}}, AccessOutcome::kAllowed)
              .ok());
  REQUIRE(audit
              .RecordAccess(Actor{two, "req_b", "192.0.2.2"}, AccessScope::kProfile,
                            {{StudentIdFor(k, "stu-b"), "districtwide"}}, AccessOutcome::kAllowed)
              .ok());
  return fx.log().size();
}

uint64_t Seed(const TempDir& tmp) { return SeedAt(tmp.path() / "data"); }

// The size of the write-ahead log files in `db`, which opening the store
// must have room to replay.
uint64_t WalBytes(const std::filesystem::path& db) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(db)) {
    if (entry.path().extension() == ".log") total += entry.file_size();
  }
  return total;
}

// The last event of the store, read after the CLI has exited.
LoggedEvent LastEvent(const TempDir& tmp) {
  DomainFixture fx(tmp.path() / "data");
  auto event = fx.log().Read(fx.log().size() - 1);
  REQUIRE(event);
  return *event;
}

// Adds the privacy officer "privacy" and break-glasses of stu-a by
// teacher.one (which privacy reviews) and teacher.two (left unreviewed).
void SeedBreakGlass(const TempDir& tmp) {
  DomainFixture fx(tmp.path() / "data");
  std::string officer = AddUser(fx, "privacy", Role::kPrivacyOfficer);
  std::string student = StudentIdFor(fx.keys().index_key, "stu-a");
  RosterCommands commands(fx.services());
  for (const char* username : {"teacher.one", "teacher.two"}) {
    auto educator = fx.services().audit->ResolveActor(username);
    REQUIRE(educator);
    REQUIRE(commands.StartBreakGlass(Actor{*educator, "req_bg", ""}, *educator, student,
                                     "Synthetic: student unwell, the care plan is needed"));
  }
  auto alerts = fx.services().audit->Alerts(false);
  REQUIRE(alerts);
  const json::value& first = alerts->at("alerts").as_array().back();  // teacher.one's
  REQUIRE(fx.services()
              .audit
              ->ReviewAlert(Actor{officer, "req_rv", ""}, std::string(first.at("id").as_string()),
                            "Synthetic review")
              .ok());
}

}  // namespace

TEST_CASE("after a shred the trail by student and the break-glass alerts stay, rebuilt alike") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp);
  SeedBreakGlass(tmp);
  CliResult shredded = RunCli(tmp, "shred --student stu-a --reason retention --actor privacy");
  INFO(shredded.err);
  REQUIRE(shredded.exit_code == 0);

  CliResult trail = RunCli(tmp, "audit query --student stu-a");
  INFO(trail.err);
  REQUIRE(trail.exit_code == 0);
  json::value page = json::parse(trail.out);
  const json::array& events = page.at("events").as_array();
  REQUIRE(events.size() == 2);  // newest first
  CHECK(events[0].at("action").as_string() == "RecordShredded");
  CHECK(events[0].at("actor").at("username").as_string() == "privacy");
  CHECK(events[1].at("action").as_string() == "RecordViewed");
  CHECK(events[1].at("actor").at("username").as_string() == "teacher.one");

  CliResult listed = RunCli(tmp, "audit alerts");
  REQUIRE(listed.exit_code == 0);
  json::value alerts = json::parse(listed.out);
  REQUIRE(alerts.at("alerts").as_array().size() == 2);
  int reviewed = 0;
  for (const json::value& alert : alerts.at("alerts").as_array()) {
    CHECK(alert.at("student_shredded") == true);
    CHECK(alert.at("reason").is_null());
    reviewed += alert.at("reviewed") == true ? 1 : 0;
  }
  CHECK(reviewed == 1);
  CliResult check = RunCli(tmp, "rebuild --check");
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
}

TEST_CASE("audit query prints the trail as JSON and audits the CLI's read first") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  uint64_t size = Seed(tmp);

  CliResult result = RunCli(tmp, "audit query --student stu-a");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  json::error_code ec;
  json::value page = json::parse(result.out, ec);
  REQUIRE_FALSE(ec);
  const json::array& events = page.at("events").as_array();
  REQUIRE(events.size() == 1);
  CHECK(events[0].at("actor").at("username").as_string() == "teacher.one");
  CHECK(events[0].at("scope").as_string() == "profile");
  CHECK(events[0].at("reason").as_string() == "class:cls-1");

  LoggedEvent audited = LastEvent(tmp);
  CHECK(audited.header.seq == size);
  CHECK(audited.header.type == EventType::RecordViewed);
  CHECK(audited.header.actor_id == "cli");
  auto* p = flatbuffers::GetRoot<fb::RecordViewedPayload>(audited.payload.data());
  CHECK(p->scope() == fb::ReadScope::AuditQuery);
}

TEST_CASE("audit query filters by actor and time and prints CSV") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp);
  CliResult csv = RunCli(tmp,
                         "audit query --actor teacher.two --since 2026-09-21 "
                         "--until 2026-09-21 --format csv");
  INFO(csv.err);
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.starts_with("seq,at,actor_id,actor_username,actor_role,action,scope,"));
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 2);
  CHECK(csv.out.find(",teacher.two,educator,RecordViewed,profile,") != std::string::npos);

  CliResult before = RunCli(tmp, "audit query --until 2026-09-20 --format csv");
  REQUIRE(before.exit_code == 0);
  CHECK(std::count(before.out.begin(), before.out.end(), '\n') == 1);  // header only
  CHECK(before.err.find("more events follow") == std::string::npos);

  // CSV has no room for the cursor: stderr says how to get the next page.
  CliResult paged = RunCli(tmp, "audit query --limit 1 --format csv");
  REQUIRE(paged.exit_code == 0);
  CHECK(std::count(paged.out.begin(), paged.out.end(), '\n') == 2);
  const std::string marker = "run again with --cursor ";
  const size_t at = paged.err.find(marker);
  REQUIRE(at != std::string::npos);
  std::string cursor = paged.err.substr(at + marker.size());
  cursor = cursor.substr(0, cursor.find('\n'));
  CliResult next = RunCli(tmp, "audit query --limit 1 --format csv --cursor " + cursor);
  REQUIRE(next.exit_code == 0);
  CHECK(next.out != paged.out);
}

TEST_CASE("audit breach-report lists the students and guardians to notify") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp);
  CliResult report = RunCli(tmp,
                            "audit breach-report --actor teacher.one --since 2026-09-21 "
                            "--until 2026-09-21T23:59:59Z --format csv");
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  CHECK(report.out.starts_with(
      "student_id,student_name,guardian_names,guardian_emails,at,scope,reason,seq,outcome,query,"
      "note_id,student_shredded\r\n"));
  CHECK(report.out.find(",\"Avery Quinlan, Jr.\",Morgan Quinlan,morgan.q@example.test,") !=
        std::string::npos);
  CHECK(report.out.find("Rowntree") == std::string::npos);
  LoggedEvent audited = LastEvent(tmp);
  CHECK(audited.header.actor_id == "cli");
  auto* p = flatbuffers::GetRoot<fb::RecordViewedPayload>(audited.payload.data());
  CHECK(p->scope() == fb::ReadScope::BreachReport);

  CliResult as_json = RunCli(tmp,
                             "audit breach-report --actor teacher.one --since 2026-09-21 "
                             "--until 2026-09-22");
  REQUIRE(as_json.exit_code == 0);
  json::value parsed = json::parse(as_json.out);
  CHECK(parsed.at("totals").at("students").to_number<int>() == 1);
  CHECK(parsed.at("totals").at("guardians").to_number<int>() == 1);
}

TEST_CASE("a CLI read that cannot be recorded prints nothing, writes nothing, and exits 3") {
  TempDir tmp;  // invariant 3
  SmallDisk disk(tmp.path() / "disk", "64m");
  if (!disk.mounted()) {
    WARN("skipped: mounting a tmpfs needs root (as in CI)");
    return;
  }
  const std::filesystem::path data = tmp.path() / "disk" / "data";
  auto run = [&](const std::string& args) {
    return RunBackpackWords("--data " + data.string() + " " + args);
  };
  REQUIRE(run("init").exit_code == 0);
  const uint64_t size = SeedAt(data);
  const std::filesystem::path bundle = tmp.path() / "bundle.zip";  // off the small disk
  const std::string commands[] = {
      "audit breach-report --actor teacher.one --since 2026-09-21 --until 2026-09-22 "
      "--format csv",
      "audit query --since 2026-09-21 --until 2026-09-22",
      "export-history --student stu-a --out " + bundle.string()};
  for (const std::string& command : commands) {
    INFO(command);
    // Room for the store to open (its free-space guard and the write-ahead
    // log to replay) and no more: opening uses some, so the append of the
    // command's own read finds the disk full.
    disk.FillLeavingExactly(StoreOptions().min_free_bytes + WalBytes(data / "db"));
    CliResult refused = run(command);
    disk.Free();
    INFO(refused.err);
    CHECK(refused.exit_code == 3);
    // The read was refused, not the opening of the store.
    CHECK(refused.err.find("the access could not be recorded") != std::string::npos);
    CHECK(refused.err.find("writes are refused until space returns") != std::string::npos);
    // Nothing on stdout (the log's error line is on stderr): no data.
    CHECK(refused.out.empty());
    CHECK_FALSE(std::filesystem::exists(bundle));
    CHECK(DomainFixture(data).log().size() == size);
  }
  // With the space back the same commands print (and write) the data.
  CliResult report = run(commands[0]);
  CHECK(report.exit_code == 0);
  CHECK(report.out.find("morgan.q@example.test") != std::string::npos);
  CHECK(run(commands[1]).exit_code == 0);
  CHECK(run(commands[2]).exit_code == 0);
  CHECK(std::filesystem::exists(bundle));
}

TEST_CASE("audit commands exit 2 on usage errors and 1 for unknown people") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp);
  CHECK(RunCli(tmp, "audit query --since yesterday").exit_code == 2);
  CHECK(RunCli(tmp, "audit query --format xml").exit_code == 2);
  CHECK(RunCli(tmp, "audit query --limit 5000").exit_code == 2);
  CHECK(RunCli(tmp, "audit query --limit 0").exit_code == 2);
  CHECK(RunCli(tmp, "audit alerts --limit 1001").exit_code == 2);
  CHECK(RunCli(tmp, "audit breach-report --since 2026-09-21 --until 2026-09-22").exit_code == 2);
  CliResult unknown = RunCli(tmp,
                             "audit breach-report --actor nobody --since 2026-09-21 "
                             "--until 2026-09-22");
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no such user") != std::string::npos);
  CHECK(RunCli(tmp, "audit query --student sis-unknown").exit_code == 1);
}

TEST_CASE("audit breach-report and audit query refuse a window whose until is not after since") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  const uint64_t size = Seed(tmp);
  const std::string windows[] = {
      "--since 2026-09-21T08:00:00Z --until 2026-09-21T08:00:00Z",  // empty
      "--since 2026-09-21T08:00:00Z --until 2026-09-21T07:00:00Z",  // reversed
      "--since 2026-09-22 --until 2026-09-20",
  };
  for (const std::string& window : windows) {
    for (const std::string command : {"audit breach-report --actor teacher.one ", "audit query "}) {
      CliResult refused = RunCli(tmp, command + window);
      INFO(command << window << ": " << refused.err);
      CHECK(refused.exit_code == 2);
      CHECK(refused.err == "backpack: until must be after since\n");
      CHECK(refused.out.empty());
    }
  }
  // A one-day window, --until being a bare date, is not empty.
  CHECK(RunCli(tmp, "audit query --since 2026-09-21 --until 2026-09-21").exit_code == 0);
  DomainFixture fx(tmp.path() / "data");
  CHECK(fx.log().size() == size + 1);  // that query's read: the refusals recorded none
}

TEST_CASE("audit settings shows the bulk threshold, a privacy officer's change is an event") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp);
  {
    DomainFixture fx(tmp.path() / "data");
    AddUser(fx, "privacy", Role::kPrivacyOfficer);
  }
  CliResult shown = RunCli(tmp, "audit settings");
  REQUIRE(shown.exit_code == 0);
  CHECK(json::parse(shown.out).at("bulk_access_threshold").to_number<int>() == 50);
  CHECK(RunCli(tmp, "audit settings --bulk-access-threshold 20").exit_code == 2);  // no --actor
  CHECK(RunCli(tmp, "audit settings --bulk-access-threshold 0 --actor privacy").exit_code == 2);
  CliResult refused = RunCli(tmp, "audit settings --bulk-access-threshold 20 --actor teacher.one");
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("privacy officer") != std::string::npos);

  CliResult changed = RunCli(tmp, "audit settings --bulk-access-threshold 20 --actor privacy");
  REQUIRE(changed.exit_code == 0);
  CHECK(json::parse(changed.out).at("bulk_access_threshold").to_number<int>() == 20);
  CHECK(LastEvent(tmp).header.type == EventType::AuditSettingsChanged);
}

TEST_CASE("audit settings says who changed the threshold, and the change is in the trail") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp);
  {
    DomainFixture fx(tmp.path() / "data");
    AddUser(fx, "privacy", Role::kPrivacyOfficer);
  }
  CHECK(
      json::parse(RunCli(tmp, "audit settings").out).at("bulk_access_threshold_change").is_null());
  // Only an account may change it: not a built-in actor, not an unknown id.
  for (const char* actor : {"cli", "system", "usr_0000000000000000", "nobody"}) {
    CliResult refused =
        RunCli(tmp, std::string("audit settings --bulk-access-threshold 20 --actor ") + actor);
    INFO(actor);
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("names no account") != std::string::npos);
  }
  REQUIRE(RunCli(tmp, "audit settings --bulk-access-threshold 20 --actor privacy").exit_code == 0);
  const uint64_t change_seq = LastEvent(tmp).header.seq;

  json::value shown = json::parse(RunCli(tmp, "audit settings").out);
  CHECK(shown.at("bulk_access_threshold").to_number<int>() == 20);
  const json::value& change = shown.at("bulk_access_threshold_change");
  CHECK(change.at("by").at("username").as_string() == "privacy");
  CHECK(change.at("seq").to_number<uint64_t>() == change_seq);
  CHECK(change.at("at").is_string());

  CliResult trail = RunCli(tmp, "audit query --action AuditSettingsChanged --actor privacy");
  INFO(trail.err);
  REQUIRE(trail.exit_code == 0);
  const json::value page = json::parse(trail.out);
  const json::array& events = page.at("events").as_array();
  REQUIRE(events.size() == 1);
  CHECK(events[0].at("seq").to_number<uint64_t>() == change_seq);
  CHECK(events[0].at("change").as_string() == "bulk_access_threshold=20");
  CHECK(RunCli(tmp, "audit query --action AlertReviewed").exit_code == 0);
}

}  // namespace backpack::testing
