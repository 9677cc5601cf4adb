// `backpack export-history`, `verify-export` and `shred` through the real
// binary: exit codes, the audit record written before the bundle, offline
// verification, and the legal hold.
#include <sys/stat.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/keys.h"
#include "events/checkpoint.h"
#include "events/log_layout.h"
#include "projections/family/family_test_util.h"
#include "projections/ids.h"
#include "projections/rebuild.h"

namespace backpack::family_testing {
namespace {

namespace json = boost::json;

using backpack::testing::CliResult;
using backpack::testing::ReadFile;

// A store (data dir "data" inside a temporary directory) and the binary.
class CliWorld {
 public:
  CliWorld() : world_(std::make_unique<World>(tmp_.path() / "data")) {
    ana_note = world_->WriteNote(world_->ana, "counseling", "Synthetic note Tamarind-Gazebo");
    // As `backpack init` leaves a store: the CLI does not rebuild on open.
    REQUIRE(MarkProjectionsCurrent(world_->fx().store()).ok());
    world_->Close();
  }
  World& world() { return *world_; }
  std::filesystem::path Path(const std::string& name) const { return tmp_.path() / name; }

  // Runs `backpack --data DATA <args>` with the store closed.
  CliResult Run(const std::string& args) {
    world_->Close();
    return backpack::testing::RunBackpackWords("--data " + (tmp_.path() / "data").string() + " " +
                                               args);
  }
  // Reopens the store for direct use.
  World& Open() {
    world_->Reopen();
    return *world_;
  }

  uint64_t ana_note = 0;

 private:
  testing::TempDir tmp_;
  std::unique_ptr<World> world_;
};

TEST_CASE("export-history writes an audited bundle that verify-export accepts offline") {
  CliWorld cli;
  std::string out = cli.Path("ana.json").string();
  std::ofstream(out) << "an older file anyone could read";
  REQUIRE(::chmod(out.c_str(), 0644) == 0);
  CliResult exported = cli.Run("export-history --student S-1 --out " + out);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out.find("exported 4 events") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // The export's own RecordViewed (scope export, by the CLI) is its last event.
  json::value bundle = json::parse(ReadFile(out));
  const json::object& last = bundle.at("events").as_array().back().as_object();
  CHECK(last.at("type").as_string() == "RecordViewed");
  CHECK(last.at("actor_id").as_string() == "cli");
  CHECK(last.at("content").at("scope").as_string() == "Export");
  // Offline: a data directory that does not exist is never opened.
  std::string bin = std::getenv("BACKPACK_BIN");
  int status = std::system((bin + " --data " + cli.Path("nowhere").string() + " verify-export " +
                            out + " > " + cli.Path("offline").string())
                               .c_str());
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(ReadFile(cli.Path("offline")).starts_with("verified 4 events"));
  CHECK_FALSE(std::filesystem::exists(cli.Path("nowhere")));
}

TEST_CASE("verify-export fails with the reason on a changed bundle or another key") {
  CliWorld cli;
  std::string out = cli.Path("ana.json").string();
  REQUIRE(cli.Run("export-history --student S-1 --out " + out).exit_code == 0);
  std::string text = ReadFile(out);
  size_t at = text.find("\"stored\":\"") + 20;
  text[at] = text[at] == 'A' ? 'B' : 'A';
  std::ofstream(cli.Path("tampered.json"), std::ios::binary) << text;
  CliResult tampered = cli.Run("verify-export " + cli.Path("tampered.json").string());
  CHECK(tampered.exit_code == 1);
  CHECK(tampered.err.find("verification failed: event 0") != std::string::npos);
  CliResult other_key = cli.Run("verify-export " + out + " --public-key " + std::string(64, '1'));
  CHECK(other_key.exit_code == 1);
  CHECK(other_key.err.find("not the key given to verify with") != std::string::npos);
  CHECK(cli.Run("verify-export " + out + " --public-key xyz").exit_code == 2);
  // The verifier key GET /api/log/public-key gives works too, if it names the bundle's log.
  auto bundle = boost::json::parse(ReadFile(out)).as_object();
  auto key_bytes = FromHex(std::string(bundle.at("public_key").as_string()));
  Ed25519PublicKey store_key{};
  std::copy(key_bytes->begin(), key_bytes->end(), store_key.begin());
  const std::string origin(bundle.at("origin").as_string());
  CHECK(cli.Run("verify-export " + out + " --public-key " + NoteVerifierKey(origin, store_key))
            .exit_code == 0);
  CliResult other_log =
      cli.Run("verify-export " + out + " --public-key " + NoteVerifierKey("elsewhere", store_key));
  CHECK(other_log.exit_code == 1);
  CHECK(other_log.err.find("not the verifier key's elsewhere") != std::string::npos);
  CliResult missing = cli.Run("verify-export " + cli.Path("missing.json").string());
  CHECK(missing.exit_code == 2);  // a usage error: nothing was verified
  CHECK(missing.err.find("cannot read") != std::string::npos);
  CHECK(missing.err.find("verification failed") == std::string::npos);
  // A file over the limit is refused without being read (sparse: no disk).
  const std::filesystem::path huge = cli.Path("huge.json");
  { std::ofstream(huge).put('{'); }
  std::filesystem::resize_file(huge, (uintmax_t{1} << 30) + 1);
  CliResult too_large = cli.Run("verify-export " + huge.string());
  CHECK(too_large.exit_code == 2);
  CHECK(too_large.err.find("too large") != std::string::npos);
}

TEST_CASE("verify trusts a pinned public key without the key files and catches a rollback") {
  CliWorld cli;
  std::string out = cli.Path("ana.json").string();
  REQUIRE(cli.Run("export-history --student S-1 --out " + out).exit_code == 0);
  auto bundle = boost::json::parse(ReadFile(out)).as_object();
  const std::string key_hex(bundle.at("public_key").as_string());
  const std::string origin(bundle.at("origin").as_string());
  auto key_bytes = FromHex(key_hex);
  Ed25519PublicKey store_key{};
  std::copy(key_bytes->begin(), key_bytes->end(), store_key.begin());
  CliResult saved = cli.Run("checkpoint");
  REQUIRE(saved.exit_code == 0);
  const std::string pinned = cli.Path("pinned.txt").string();
  std::ofstream(pinned) << saved.out;

  // An auditor holds only the public key: the key files are not read.
  const std::filesystem::path keys = cli.Path("data") / "keys";
  std::filesystem::rename(keys, cli.Path("keys.elsewhere"));
  CliResult by_key = cli.Run("verify --public-key " + key_hex + " --checkpoint " + pinned);
  CHECK(by_key.exit_code == 0);
  CHECK(by_key.out.starts_with("verified "));
  CHECK(cli.Run("verify --public-key " + NoteVerifierKey(origin, store_key)).exit_code == 0);
  // Another key fails at seq 0, with the key ID the events name as a hint.
  CliResult other_key = cli.Run("verify --public-key " + std::string(64, '1'));
  CHECK(other_key.exit_code == 1);
  CHECK(other_key.out.starts_with("tampered at seq 0: "));
  CHECK(other_key.out.find("the log's events name key ID " + SigningKeyId(store_key) +
                           ", not key ID ") != std::string::npos);
  CliResult other_log = cli.Run("verify --public-key " + NoteVerifierKey("elsewhere", store_key));
  CHECK(other_log.exit_code == 1);
  CHECK(other_log.err.find("not the verifier key's elsewhere") != std::string::npos);
  CHECK(cli.Run("verify --public-key xyz").exit_code == 2);
  CHECK(cli.Run("verify --checkpoint " + cli.Path("missing.txt").string()).exit_code == 2);
  std::filesystem::rename(cli.Path("keys.elsewhere"), keys);

  // Roll the log back by its last two events, its checkpoints and its
  // recorded size, as someone with the files but not the signing key can.
  {
    auto store = Store::Open((cli.Path("data") / "db").string(), StoreOptions{});
    REQUIRE(store);
    auto size = (*store)->Get(cf::kMeta, AsBytes(layout::kMetaSize));
    REQUIRE(size);
    REQUIRE(*size);
    const uint64_t events = DecodeBigEndian64(**size);
    WriteBatch rollback;
    for (uint64_t seq = events - 2; seq < events; ++seq) {
      rollback.Delete(cf::kLog, layout::LogKey(seq));
    }
    for (uint64_t at = events - 1; at <= events + 1; ++at) {
      rollback.Delete(cf::kCheckpoints, layout::CheckpointKey(at));
    }
    rollback.Put(cf::kMeta, AsBytes(layout::kMetaSize), EncodeBigEndian64(events - 2));
    REQUIRE((*store)->Write(rollback, true).ok());
  }
  CHECK(cli.Run("verify").exit_code == 0);  // consistent with itself
  CliResult rolled_back = cli.Run("verify --checkpoint " + pinned);
  CHECK(rolled_back.exit_code == 1);
  CHECK(rolled_back.out.find("log ends before the pinned checkpoint") != std::string::npos);
}

TEST_CASE("export-history of an unknown student writes nothing") {
  CliWorld cli;
  CliResult result = cli.Run("export-history --student NOPE --out " + cli.Path("x.json").string());
  CHECK(result.exit_code == 1);
  CHECK_FALSE(std::filesystem::exists(cli.Path("x.json")));
}

TEST_CASE("export-history to a path it cannot write is a usage error and records no export") {
  CliWorld cli;
  const uint64_t size = cli.Open().log().size();
  // A missing folder, and a folder: the user's argument, not the store, is wrong.
  for (const std::filesystem::path& out : {cli.Path("no/such/dir/x.json"), cli.Path("")}) {
    INFO(out);
    CliResult refused = cli.Run("export-history --student S-1 --out " + out.string());
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.starts_with("backpack: --out: cannot write "));
    CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  }
  CHECK(cli.Open().log().size() == size);  // no RecordViewed for an export never made
}

TEST_CASE("disclose records an outside disclosure that the history lists") {
  CliWorld cli;
  const std::string args =
      " --student S-1 --recipient Synthetic-Transfer-School --interest enrolment "
      "--description transcript";
  CliResult refused = cli.Run("disclose" + args + " --actor rivera");
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("may not record disclosures") != std::string::npos);
  CHECK(cli.Run("disclose" + args + " --actor nobody").exit_code == 1);
  CliResult recorded = cli.Run("disclose" + args + " --actor privacy");
  INFO(recorded.err);
  REQUIRE(recorded.exit_code == 0);
  CHECK(recorded.out.find("recorded the disclosure") != std::string::npos);
  World& w = cli.Open();
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  const auto& disclosures = history->at("disclosures").as_array();
  REQUIRE_FALSE(disclosures.empty());
  CHECK(disclosures.back().at("recipient").as_string() == "Synthetic-Transfer-School");
  // The API's field name works as the option's long name too.
  CHECK(cli.Run("disclose --student S-1 --recipient Synthetic-Court --legitimate-interest "
                "subpoena --description attendance --actor privacy")
            .exit_code == 0);
}

TEST_CASE("shred is refused during a pending inspection and works after fulfilment") {
  CliWorld cli;
  World& w = cli.Open();
  auto inspection = w.family().RequestInspection(w.As(w.guardian), w.ana);
  REQUIRE(inspection);
  CliResult refused = cli.Run("shred --student S-1 --reason retention --actor privacy");
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("legal hold") != std::string::npos);
  CHECK(cli.Run("shred --student S-1 --reason retention --actor rivera").exit_code == 1);
  CHECK(cli.Run("shred --student S-1 --reason retention --actor nobody").exit_code == 1);
  REQUIRE(cli.Open().family().FulfillInspection(w.As(w.privacy), inspection->id).ok());
  CliResult shredded = cli.Run("shred --student S-1 --reason retention --actor privacy");
  CHECK(shredded.exit_code == 0);
  CHECK(shredded.out.find("shredded " + w.ana) != std::string::npos);
  CHECK(cli.Run("shred --student S-1 --reason again --actor privacy").exit_code == 1);
  CHECK(cli.Run("verify").exit_code == 0);
  CliResult check = cli.Run("rebuild --check");
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  // The shredded history stays exportable and verifiable, without content.
  std::string out = cli.Path("after.json").string();
  REQUIRE(cli.Run("export-history --student " + w.ana + " --out " + out).exit_code == 0);
  CliResult verified = cli.Run("verify-export " + out);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.find("(record shredded)") != std::string::npos);
  CHECK(ReadFile(out).find("Tamarind-Gazebo") == std::string::npos);
  // The SIS sourcedId still finds the shredded student's audit trail.
  CliResult trail = cli.Run("audit query --student S-1");
  INFO(trail.err);
  CHECK(trail.exit_code == 0);
  CHECK(trail.out.find(w.ana) != std::string::npos);
  CHECK_FALSE(testing::AnyFileContains(cli.Path("data"), "Tamarind-Gazebo"));
  CHECK_FALSE(testing::AnyFileContains(cli.Path("data"), kAnaFamilyName));
}

TEST_CASE("every command resolves a sourcedId starting with stu_ to the same student") {
  CliWorld cli;
  World& w = cli.Open();
  const std::string student = StudentIdFor(w.fx().keys().index_key, "stu_77");
  w.Append({StudentImported(w.fx().keys().index_key, "stu_77", "Synthetic", "Seventyseven")});
  w.WriteNote(student, "counseling", "Synthetic note Juniper-Lantern");
  CHECK(cli.Run("disclose --student stu_77 --recipient Synthetic-Court --legitimate-interest "
                "subpoena --description notes --actor privacy")
            .exit_code == 0);
  CliResult shredded = cli.Run("shred --student stu_77 --reason retention --actor privacy");
  REQUIRE(shredded.exit_code == 0);
  CHECK(shredded.out.find("shredded " + student) != std::string::npos);
  // After the shred, the sourcedId still names that student, not a student
  // whose Backpack id would be "stu_77".
  std::string out = cli.Path("stu_77.json").string();
  CliResult exported = cli.Run("export-history --student stu_77 --out " + out);
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  json::value bundle = json::parse(ReadFile(out));
  CHECK(bundle.at("student_id").as_string() == student);
  // Imported, noted, disclosed, shredded, and this export.
  CHECK(bundle.at("events").as_array().size() == 5);
  CliResult trail = cli.Run("audit query --student stu_77");
  INFO(trail.err);
  CHECK(trail.exit_code == 0);
  CHECK(trail.out.find(student) != std::string::npos);
  CHECK(trail.out.find("\"stu_77\"") == std::string::npos);
}

}  // namespace
}  // namespace backpack::family_testing
