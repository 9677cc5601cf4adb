// Full exports retract missing roster rows; shredded students stay gone;
// an import is one append; the intake projection rebuilds identically.
#include <catch2/catch.hpp>
#include <set>

#include "projections/ids.h"
#include "projections/intake/intake_test_util.h"
#include "projections/intake/internal/rows.h"
#include "projections/rebuild.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "tests/forwarding_log.h"

using namespace backpack;
using namespace backpack::intake::testing;
using Counts = std::map<std::string, int>;

namespace {

// Every file of SmallDistrict() without the lines naming student s-101 (its
// user row, its guardian's row, its enrollment and its records).
imports::FileSet WithoutFirstStudent() {
  imports::FileSet files = SmallDistrict();
  for (const auto& [name, content] : SmallDistrict()) files = DropLines(files, name, "s-101");
  return files;
}

// The in_rows keys owned by `owner`.
int RowsOwnedBy(Store& store, const std::string& owner) {
  auto it = store.NewIterator(intake::kRowsFamily);
  REQUIRE(it);
  int owned = 0;
  for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
    if (intake::RowKeyOwner((*it)->key()) == owner) ++owned;
  }
  return owned;
}

// Appends what the family module appends when it shreds `student`.
void Shred(IntakeFixture& f, const std::string& student) {
  REQUIRE(f.domain().data_keys().Shred(student).ok());
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordShreddedPayloadDirect(fbb, "test", "", 0));
  NewEvent e{EventType::RecordShredded,
             "system",
             student,
             "req_test",
             Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()),
             false};
  REQUIRE(f.log().Append({e}));
}

// Signs up the guardian of s-101 (matched to the imported g-201 by email).
std::string AddGuardianOfFirstStudent(IntakeFixture& f) {
  AddUserRequest r;
  r.username = "gq@example.org";
  r.role = Role::kGuardian;
  r.display_name = "Synthetic guardian";
  r.password_cost = PasswordCost::kMinimal;
  auto id = RosterCommands(f.domain().services())
                .AddUser(Actor{"usr_admin", "req_1", ""}, r, "correct horse battery");
  REQUIRE(id);
  return *id;
}

}  // namespace

TEST_CASE("a full export without a student retracts it and keeps its events") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  const std::string guardian = AddGuardianOfFirstStudent(f);
  Roster& roster = *f.domain().services().roster;
  uint64_t size = f.log().size();
  ImportReport report = f.ImportOk(WithoutFirstStudent());
  CHECK(report.retracted == 3);
  CHECK(f.CountsFrom(size) == Counts{{"RecordRetracted", 3}, {"ImportCompleted", 1}});
  std::string student = StudentIdFor(f.domain().keys().index_key, "s-101");
  std::map<fb::RecordKind, std::string> retracted;  // kind -> sourced id
  for (const auto& e : f.EventsFrom(size)) {
    if (e.header.type != EventType::RecordRetracted) continue;
    CHECK(e.header.subject_id == student);
    CHECK(e.header.payload_encrypted);
    auto* p = PayloadAs<fb::RecordRetractedPayload>(e);
    retracted[p->kind()] = p->sourced_id()->str();
    CHECK(p->import_id()->str() == report.import_id);
    auto imported = f.log().Read(p->row_seq());  // the original is still there
    REQUIRE(imported);
    CHECK_FALSE(imported->payload.empty());
  }
  CHECK(retracted == std::map<fb::RecordKind, std::string>{{fb::RecordKind::Student, "s-101"},
                                                           {fb::RecordKind::Guardian, "g-201"},
                                                           {fb::RecordKind::Enrollment, "e-1"}});
  // The family left with the student: the district still holds the record,
  // and the guardian keeps their rights to it (FERPA §§99.10-99.20).
  CHECK(roster.IsGuardianOf(guardian, student));
  CHECK(f.ImportOk(WithoutFirstStudent()).events_appended == 0);

  size = f.log().size();  // the student returns: re-imported, records unchanged
  f.ImportOk(SmallDistrict());
  CHECK(f.CountsFrom(size) == Counts{{"StudentImported", 1},
                                     {"GuardianLinked", 1},
                                     {"EnrollmentImported", 1},
                                     {"ImportCompleted", 1}});
  CHECK(roster.IsGuardianOf(guardian, student));
}

TEST_CASE("a bulk set lacking most of the students is refused unless allowed") {
  IntakeFixture f;
  f.ImportOk(SmallDistrictWithMoreStudents(27));  // 30 students
  const uint64_t size = f.log().size();
  // Only the three of SmallDistrict: 27 of 30 would be retracted.
  imports::ImportErrors refusal;
  auto refused = Import(f.domain().services(), ParseOk(SmallDistrict()),
                        Actor{"system", "req_test", ""}, {}, &refusal);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == StatusCode::kUnprocessable);
  // One problem, about the whole of users.csv, worded as the Status says it.
  REQUIRE(refusal.errors().size() == 1);
  const imports::ImportError& problem = refusal.errors()[0];
  CHECK(problem.file == "users.csv");
  CHECK(problem.line == 0);
  CHECK(
      problem.message.starts_with("would retract more than half of what is held: "
                                  "27 of the 30 students. Is it a partial export?"));
  CHECK(problem.message.find("--allow-mass-retraction") != std::string::npos);
  CHECK(problem.message.find("?allow_mass_retraction=true") != std::string::npos);
  CHECK(refused.error().message() == problem.ToString());
  CHECK(f.log().size() == size);
  // Half of them missing is an ordinary export.
  auto half = Import(f.domain().services(), ParseOk(SmallDistrictWithMoreStudents(12)),
                     Actor{"system", "req_test", ""});
  REQUIRE(half);
  CHECK(half->retracted == 15);
  auto allowed = Import(f.domain().services(), ParseOk(SmallDistrict()),
                        Actor{"system", "req_test", ""}, ImportOptions{true});
  REQUIRE(allowed);
  CHECK(allowed->retracted == 12);
}

TEST_CASE("a bulk set lacking most of the enrollments or guardian links is refused, naming them") {
  IntakeFixture f;
  // 23 students, 22 guardian links, 23 enrollments (22 students, 1 teacher).
  const imports::FileSet full = SmallDistrictWithFamilies(20);
  f.ImportOk(full);
  const uint64_t size = f.log().size();
  auto import = [&](const imports::FileSet& files, ImportOptions options = {}) {
    return Import(f.domain().services(), ParseOk(files), Actor{"system", "req_test", ""}, options);
  };
  imports::FileSet no_enrollments = full;  // a partial export: the header line only
  no_enrollments["enrollments.csv"].resize(no_enrollments["enrollments.csv"].find('\n') + 1);
  auto refused = import(no_enrollments);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == StatusCode::kUnprocessable);
  const std::string& message = refused.error().message();
  CHECK(
      message.starts_with("enrollments.csv: would retract more than half of what is held: "
                          "23 of the 23 enrollments."));
  CHECK(message.find("students") == std::string::npos);  // each kind on its own
  CHECK(message.find("new school year") != std::string::npos);
  CHECK(message.find("--allow-mass-retraction") != std::string::npos);
  CHECK(f.log().size() == size);

  const imports::FileSet no_links = DropColumn(full, "users.csv", "agentSourcedIds");
  refused = import(no_links);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message().starts_with(
      "users.csv: would retract more than half of what is held: 22 of the 22 guardian links."));
  // Two files trip the guard: one problem each, in file name order.
  imports::ImportErrors refusal;
  refused = Import(f.domain().services(),
                   ParseOk(DropColumn(no_enrollments, "users.csv", "agentSourcedIds")),
                   Actor{"system", "req_test", ""}, {}, &refusal);
  REQUIRE_FALSE(refused);
  REQUIRE(refusal.errors().size() == 2);
  CHECK(refusal.errors()[0].file == "enrollments.csv");
  CHECK(refusal.errors()[0].message.find("23 of the 23 enrollments.") != std::string::npos);
  CHECK(refusal.errors()[1].file == "users.csv");
  CHECK(refusal.errors()[1].message.find("22 of the 22 guardian links.") != std::string::npos);
  CHECK(refused.error().message() == refusal.ToStatus().message());
  // Students and guardian links both come from users.csv: one problem names both.
  refusal = imports::ImportErrors();
  refused = Import(f.domain().services(), ParseOk(SmallDistrict()), Actor{"system", "req_test", ""},
                   {}, &refusal);
  REQUIRE_FALSE(refused);
  REQUIRE(refusal.errors().size() == 2);
  CHECK(refusal.errors()[1].file == "users.csv");
  CHECK(refusal.errors()[1].message.find(": 20 of the 23 students, 20 of the 22 guardian links.") !=
        std::string::npos);
  CHECK(f.log().size() == size);

  // Half of the enrollments missing is an ordinary export.
  imports::FileSet half = full;
  for (int i = 0; i < 11; ++i) {
    half = DropLines(half, "enrollments.csv", "e-" + std::to_string(500 + i) + ",");
  }
  auto imported = import(half);
  REQUIRE(imported);
  CHECK(imported->retracted == 11);
  auto allowed = import(no_enrollments, ImportOptions{true});  // a new school year
  REQUIRE(allowed);
  CHECK(allowed->retracted == 12);
}

TEST_CASE("orgs and classes missing from a full export are retracted without a subject") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  uint64_t size = f.log().size();
  auto files = DropLines(SmallDistrict(), "orgs.csv", "Birchfield");
  files = DropLines(files, "users.csv", "sch-b");  // its student and guardian
  for (auto name : {"attendance.csv", "services.csv"}) files = DropLines(files, name, "s-103");
  f.ImportOk(files);
  int orgs = 0;
  for (const auto& e : f.EventsFrom(size)) {
    if (e.header.type != EventType::RecordRetracted) continue;
    auto* p = PayloadAs<fb::RecordRetractedPayload>(e);
    if (p->kind() != fb::RecordKind::Org) continue;
    ++orgs;
    CHECK(p->sourced_id()->str() == "sch-b");
    CHECK(e.header.subject_id.empty());
    CHECK_FALSE(e.header.payload_encrypted);
  }
  CHECK(orgs == 1);
  CHECK(f.CountsFrom(size)["RecordRetracted"] == 3);  // org, student, guardian link
}

TEST_CASE("nothing about a student marked tobedeleted is imported, and the report counts it") {
  IntakeFixture f;
  const std::string student = StudentIdFor(f.domain().keys().index_key, "s-101");
  // s-101's guardian link, enrollment and 6 supplemental rows: not imported,
  // for the log would hold data about a student it has no record of.
  ImportReport report =
      f.ImportOk(Edit(SmallDistrict(), "users.csv", "s-101,,", "s-101,tobedeleted,"));
  CHECK(report.skipped_deleted == 8);
  for (const auto& e : f.EventsFrom(0)) {
    INFO(EventTypeName(e.header.type));
    CHECK(e.header.subject_id != student);
  }
  CHECK(f.CountsFrom(0)["StudentImported"] == 2);
  CHECK(f.CountsFrom(0)["AttendanceRecorded"] == 1);
}

TEST_CASE("a student imported before and now tobedeleted is retracted with their roster rows") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  const uint64_t size = f.log().size();
  const imports::FileSet deleted =
      Edit(SmallDistrict(), "users.csv", "s-101,,", "s-101,tobedeleted,");
  ImportReport report = f.ImportOk(deleted);
  CHECK(report.skipped_deleted == 8);
  // As if the student were missing: retracted with their link and
  // enrollment; their earlier records stay, and no new ones are added.
  CHECK(f.CountsFrom(size) == Counts{{"RecordRetracted", 3}, {"ImportCompleted", 1}});
  std::set<fb::RecordKind> kinds;
  for (const auto& e : f.EventsFrom(size)) {
    if (e.header.type == EventType::RecordRetracted) {
      kinds.insert(PayloadAs<fb::RecordRetractedPayload>(e)->kind());
    }
  }
  CHECK(kinds == std::set<fb::RecordKind>{fb::RecordKind::Student, fb::RecordKind::Guardian,
                                          fb::RecordKind::Enrollment});
  CHECK(f.ImportOk(deleted).events_appended == 0);
}

TEST_CASE("files a manifest declares absent retract nothing") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  uint64_t size = f.log().size();
  auto files =
      Edit(SmallDistrict(), "manifest.csv", "file.enrollments,bulk", "file.enrollments,absent");
  files.erase("enrollments.csv");
  CHECK(f.ImportOk(files).events_appended == 0);
  CHECK(f.log().size() == size);
}

TEST_CASE("shredding a student deletes its rows, and later imports skip it") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  std::string student = StudentIdFor(f.domain().keys().index_key, "s-101");
  CHECK(RowsOwnedBy(f.domain().store(), student) > 0);
  Shred(f, student);
  CHECK(RowsOwnedBy(f.domain().store(), student) == 0);
  uint64_t size = f.log().size();
  ImportReport report = f.ImportOk(SmallDistrict());
  CHECK(report.events_appended == 0);
  CHECK(report.skipped_shredded > 0);
  CHECK(f.log().size() == size);
  // A full export without the shredded student retracts nothing either.
  CHECK(f.ImportOk(WithoutFirstStudent()).events_appended == 0);
}

namespace {

// An EventLog whose Append fails after recording what it was asked to do.
class FailingAppendLog final : public backpack::testing::ForwardingEventLog {
 public:
  using ForwardingEventLog::ForwardingEventLog;
  int appends = 0;
  size_t events = 0;

  Result<AppendResult> Append(std::vector<NewEvent> batch) override {
    ++appends;
    events += batch.size();
    return Err(UnavailableError("disk full"));
  }
  void AppendAsync(std::vector<NewEvent>, std::function<void(Result<AppendResult>)> done) override {
    done(Err(UnavailableError("disk full")));
  }
};

}  // namespace

TEST_CASE("an import is one append: when it fails nothing is appended and a retry imports all") {
  IntakeFixture f;
  FailingAppendLog failing(f.log());
  Services services = f.domain().services();
  services.log = &failing;
  auto report = Import(services, ParseOk(SmallDistrict()), Actor{"system", "req", ""});
  REQUIRE_FALSE(report);
  CHECK(report.error().code() == StatusCode::kUnavailable);
  CHECK(failing.appends == 1);
  CHECK(failing.events == 25u);
  CHECK(f.log().size() == 0);
  CHECK(f.ImportOk(SmallDistrict()).events_appended == 25u);
}

TEST_CASE("replaying the log rebuilds the intake families byte for byte") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  f.ImportOk(WithoutFirstStudent());
  f.ImportOk(Edit(SmallDistrict(), "teams.csv", "Coach K", "Coach L"));
  Shred(f, StudentIdFor(f.domain().keys().index_key, "s-103"));
  backpack::testing::TempDir scratch_dir;
  std::unique_ptr<Store> scratch = f.domain().Rebuilt(scratch_dir.path() / "db");
  auto difference = FirstDifference(f.domain().store(), *scratch, {"in_rows", "in_imports"});
  REQUIRE(difference);
  CHECK(*difference == std::nullopt);
}
