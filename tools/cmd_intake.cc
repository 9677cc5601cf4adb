// import, demo and bench import (SPEC §4-§5): OneRoster sets into the store
// through intake's Import().
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>

#include "demo/demo_district.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"
#include "tools/intake_cli.h"

namespace backpack {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// The importing account: an enabled district_admin named by username or
// id, or "system" while the store has no accounts at all.
Result<Actor> ImportActor(Services& services, const std::string& user) {
  Actor actor{"", NewId("req"), ""};
  if (user == "system") {
    ASSIGN_OR_RETURN(bool has_users, services.intake->HasUsers());
    if (has_users) {
      return Err(PermissionDeniedError(
          "--actor system may import only into a store without accounts; name a district_admin"));
    }
    actor.user_id = "system";
    return actor;
  }
  auto id = services.roster->ResolveUser(user);
  if (!id) return Err(PermissionDeniedError("unknown actor " + user));
  ASSIGN_OR_RETURN(UserInfo info, services.roster->FindUser(*id));
  if (info.role != Role::kDistrictAdmin || info.disabled) {
    return Err(PermissionDeniedError("actor " + user + " is not an enabled district_admin"));
  }
  actor.user_id = info.id;
  return actor;
}

// A usage error (kInvalidArgument, exit 2), as for every path the CLI reads,
// if `path` is nothing import can read: missing, not openable, or neither a
// folder nor a regular file. A set that exists but has problems (a file that
// is no zip included) is ParseSetOrReport's: `file:line` errors, exit 1.
Status CheckImportPath(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status)) {
    std::filesystem::directory_iterator listing(path, ec);
  } else if (std::filesystem::is_regular_file(status)) {
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) ec = std::error_code(errno ? errno : EIO, std::generic_category());
  } else if (!ec && std::filesystem::exists(status)) {
    return InvalidArgumentError(path.string() + " is neither a folder nor a zip file");
  } else if (!ec) {
    ec = std::make_error_code(std::errc::no_such_file_or_directory);
  }
  if (ec) return InvalidArgumentError("cannot read " + path.string() + ": " + ec.message());
  return OkStatus();
}

// One line per problem, "... and N more" if some were not kept, then the
// summary: how a rejected import reads on stderr, whoever rejected it.
void PrintRejection(const imports::ImportErrors& errors) {
  for (const auto& error : errors.errors()) std::cerr << error.ToString() << "\n";
  if (errors.dropped() > 0) std::cerr << "... and " << errors.dropped() << " more\n";
  const size_t total = errors.total();
  std::cerr << "backpack: import rejected (" << total << (total == 1 ? " problem" : " problems")
            << "); nothing was imported\n";
}

struct ImportCommandOptions {
  ImportOptions import;
  // The CLI reads files an administrator chose on their own machine: a
  // district's full attendance file may exceed the 64 MiB an HTTP upload may.
  uint64_t max_bytes = kCliImportMaxBytes;
};

void RunImport(const GlobalOptions& global, const std::string& user, const std::string& path,
               const ImportCommandOptions& options, int* exit_code) {
  if (Status readable = CheckImportPath(path); !readable.ok()) {
    *exit_code = Fail(readable);
    return;
  }
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto actor = ImportActor(app->services(), user);
  if (!actor) {
    *exit_code = Fail(actor.error());
    return;
  }
  imports::ImportLimits limits;
  limits.max_total_bytes = options.max_bytes;
  auto set = ParseSetOrReport(path, limits);
  if (!set) {
    *exit_code = kExitRefused;
    return;
  }
  imports::ImportErrors refusal;  // the mass-retraction refusal, file by file
  auto report = Import(app->services(), *set, *actor, options.import, &refusal);
  if (!report && !refusal.empty()) {
    PrintRejection(refusal);
    *exit_code = kExitRefused;
    return;
  }
  if (!report) {
    *exit_code = Fail(report.error());
    return;
  }
  PrintImportReport(*report);
}

struct BenchImportOptions {
  int students = 10'000;
  bool into_existing_store = false;
};

// Import's refusal of a set that retracts most of what is held
// (kUnprocessable; a generated set's birth dates are all past, so it is the
// only refusal bench import meets) names the flag of `backpack import`;
// bench import has none: it says what to do.
Status BenchImportRefusal(const Status& status) {
  if (status.code() != StatusCode::kUnprocessable) return status;
  return FailedPreconditionError(
      "bench import refused: its synthetic district would retract most of the district this "
      "store holds, and nothing was imported; run it on a fresh store (backpack --data NEW_DIR "
      "init)");
}

// Generates a district into a scratch folder under --data and times parsing
// plus importing it (encrypt, sign, commit, project).
void RunBenchImport(const GlobalOptions& global, const BenchImportOptions& bench, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  if (Status fresh = RequireFreshStoreForBench(*app, "bench import", bench.into_existing_store);
      !fresh.ok()) {
    *exit_code = Fail(fresh);
    return;
  }
  const int students = bench.students;
  std::filesystem::path scratch =
      global.paths().data / ("bench-import-" + std::to_string(::getpid()));
  DemoOptions options;
  options.students = students;
  options.seed = DecodeBigEndian64(RandomBytes(8));  // fresh rows on every run
  auto summary = WriteDemoDistrict(scratch, options);
  std::error_code ec;
  if (!summary) {
    std::filesystem::remove_all(scratch, ec);
    *exit_code = Fail(summary.error());
    return;
  }
  auto start = SteadyClock::now();
  double cpu_seconds = -ProcessCpuSeconds();
  auto set = ParseSetOrReport(scratch, GeneratedSetLimits());
  cpu_seconds += ProcessCpuSeconds();
  double parse_seconds = SecondsSince(start);
  std::filesystem::remove_all(scratch, ec);
  if (!set) {
    *exit_code = kExitRefused;
    return;
  }
  start = SteadyClock::now();
  cpu_seconds -= ProcessCpuSeconds();
  auto report = Import(app->services(), *set, CliActor());
  cpu_seconds += ProcessCpuSeconds();
  double import_seconds = SecondsSince(start);
  if (!report) {
    *exit_code = Fail(BenchImportRefusal(report.error()));
    return;
  }
  double total = std::max(parse_seconds + import_seconds, 1e-9);
  std::cout << "bench import: " << students << " students\n"
            << "parse seconds: " << parse_seconds << "\n"
            << "import seconds: " << import_seconds << "\n"
            << "cpu_us_per_event (parse and import): " << std::fixed << std::setprecision(1)
            << cpu_seconds * 1e6 / std::max<uint64_t>(report->events_appended, 1) << "\n"
            << "events: " << report->events_appended << "\n"
            << "events_per_second: "
            << static_cast<uint64_t>(static_cast<double>(report->events_appended) / total) << "\n";
}

// Any unsigned 64-bit number in decimal digits. (CLI11 alone reads "-1" as
// 2^64 - 1 and a longer number as the largest.)
CLI::Validator Uint64Digits() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        uint64_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc() && end == text.data() + text.size()) return "";
        return "Value " + text + " is not a whole number from 0 to " +
               std::to_string(std::numeric_limits<uint64_t>::max());
      },
      "UINT64");
}

}  // namespace

imports::ImportLimits GeneratedSetLimits() {
  imports::ImportLimits limits;
  limits.max_total_bytes = uint64_t{2} << 30;
  limits.max_rows_per_file = 50'000'000;
  return limits;
}

std::optional<imports::ImportSet> ParseSetOrReport(const std::filesystem::path& path,
                                                   const imports::ImportLimits& limits) {
  auto set = imports::ParseImportSet(path, limits);
  if (set) return std::move(*set);
  PrintRejection(set.error());
  return std::nullopt;
}

void PrintImportReport(const ImportReport& report) {
  if (report.events_appended == 0) {
    // Not "identical": a set may lack supplemental rows, which are kept.
    std::cout << "nothing to import: all " << report.unchanged << " rows were imported before";
    if (!report.import_id.empty())
      std::cout << " (the same files as import " << report.import_id << ")";
    std::cout << "\n";
  } else {
    std::cout << "imported " << report.events_appended << " events (import " << report.import_id
              << ")\n";
  }
  // Rows the set held that were not imported as they stand, each count
  // said only when there are some.
  const std::pair<uint64_t, std::string_view> notes[] = {
      {report.replaced,
       " rows replaced an earlier version of the same record (such as a corrected grade); the "
       "earlier versions are kept, flagged as replaced"},
      {report.superseded,
       " rows were replaced by a later row for the same record in this set (such as two grades "
       "for one class and term); only the last of each was imported"},
      {report.skipped_shredded,
       " rows about students whose records were shredded were not imported (a shredded record "
       "is never imported again)"},
      {report.skipped_deleted,
       " rows (enrollments, guardian links, records) about students whose users.csv status is "
       "tobedeleted were not imported"},
  };
  for (const auto& [count, text] : notes) {
    if (count > 0) std::cout << count << text << "\n";
  }
}

void AddIntakeCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* import_command =
      cli.add_subcommand("import", "import a OneRoster 1.1 bulk set (zip or folder)");
  static std::string actor, path;
  static ImportCommandOptions import_options;
  import_command
      ->add_option("--actor", actor, "district_admin username or id (\"system\" before any)")
      ->required();
  import_command->add_option("PATH", path, "zip file or folder")->required();
  import_command->add_flag("--allow-mass-retraction", import_options.import.allow_mass_retraction,
                           "import a bulk set that retracts more than half of the orgs, classes, "
                           "students, guardian links or enrollments held (a new school year)");
  import_command
      ->add_option("--max-bytes", import_options.max_bytes,
                   "refuse a set whose files total more than this many bytes uncompressed")
      ->check(Uint64Digits())
      ->check(CLI::Range(uint64_t{1}, std::numeric_limits<uint64_t>::max()))
      ->capture_default_str();
  import_command->callback(
      [&global, exit_code] { RunImport(global, actor, path, import_options, exit_code); });

  auto* demo = cli.add_subcommand("demo", "create and import a synthetic district, with accounts");
  static DemoCommandOptions demo_options;
  demo->add_option("--students", demo_options.students, "students")
      ->capture_default_str()
      ->check(CLI::Range(1, 500'000));
  demo->add_option("--seed", demo_options.seed, "generator seed (0 to 2^64 - 1)")
      ->check(Uint64Digits())
      ->capture_default_str();
  demo->add_option("--listen", demo_options.listen,
                   "the address the printed instructions serve the district on")
      ->capture_default_str();
  demo->add_flag("--keep-files", demo_options.keep_files,
                 "keep the generated CSV files in DATA/demo-import (plaintext personal data)");
  demo->add_option("--crash-after-accounts", demo_options.crash_after_accounts)->group("");
  demo->callback([&global, exit_code] { RunDemo(global, demo_options, exit_code); });

  CLI::App* bench = cli.get_subcommand("bench");
  static BenchImportOptions bench_options;
  auto* bench_import = bench->add_subcommand("import", "generate, parse and import a district");
  bench_import->add_option("--students", bench_options.students, "students")
      ->capture_default_str()
      ->check(CLI::Range(1, 500'000));
  bench_import->add_flag("--into-existing-store", bench_options.into_existing_store,
                         "import into a store whose log holds events already (they stay forever)");
  bench_import->callback(
      [&global, exit_code] { RunBenchImport(global, bench_options, exit_code); });
}

}  // namespace backpack
