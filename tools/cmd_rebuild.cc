// rebuild [--check] and bench rebuild: projections are derived (invariant 6).
#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <iostream>

#include "projections/rebuild.h"
#include "tools/commands.h"

namespace backpack {
namespace {

// Replays the log into fresh projections over `target` (the live store, or
// a scratch store for --check).
Result<RebuildStats> ReplayWithFreshDomain(App& app, Store& target) {
  Domain fresh(target, app.data_keys(), app.keys(), SystemClock());
  for (const auto& family : fresh.ColumnFamilies()) {
    RETURN_IF_ERROR(target.EnsureColumnFamily(family));
  }
  return ReplayInto(target, app.data_keys(), app.log(), fresh.projector());
}

constexpr std::string_view kScratchPrefix = "rebuild-check-";

// A scratch store's directory, removed with everything in it when this goes
// out of scope, whichever way the check ended.
class ScratchDir {
 public:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) { Remove(); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() { Remove(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  void Remove() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path path_;
};

// Removes the scratch stores of earlier checks that were killed. Only one
// check runs on a store at a time (each holds the store open), so while this
// one holds it every other DATA/rebuild-check-<digits> is stale.
void RemoveStaleScratch(const std::filesystem::path& data, const std::filesystem::path& own) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(kScratchPrefix) || entry.path() == own) continue;
    const std::string_view pid = std::string_view(name).substr(kScratchPrefix.size());
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), digit)) continue;
    std::error_code ignored;
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

// Rebuilds into DATA/rebuild-check-PID and compares with the live
// projections. The scratch store is removed again in every case.
Result<std::optional<std::string>> CheckRebuild(App& app, const DataPaths& paths) {
  const ScratchDir scratch(paths.data / (std::string(kScratchPrefix) + std::to_string(::getpid())));
  RemoveStaleScratch(paths.data, scratch.path());
  StoreOptions options = AppStoreOptions();
  options.create_if_missing = true;
  ASSIGN_OR_RETURN(auto scratch_store, Store::Open(scratch.path().string(), options));
  if (auto stats = ReplayWithFreshDomain(app, *scratch_store); !stats) return Err(stats.error());
  return FirstDifference(app.store(), *scratch_store, app.domain().ColumnFamilies());
}

void RunRebuild(const GlobalOptions& global, bool check, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  if (check) {
    auto difference = CheckRebuild(*app, global.paths());
    if (!difference) {
      *exit_code = Fail(difference.error());
    } else if (*difference) {
      std::cout << "projections differ: " << **difference << "\n";
      *exit_code = kExitRefused;
    } else {
      std::cout << "projections identical to a rebuild of " << app->log().size() << " events\n";
    }
    return;
  }
  auto stats = ReplayWithFreshDomain(*app, app->store());
  if (!stats) {
    *exit_code = Fail(stats.error());
    return;
  }
  std::cout << "rebuilt projections from " << stats->events << " events in " << stats->seconds
            << " s\n";
}

void RunBenchRebuild(const GlobalOptions& global, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  const double cpu_before = ProcessCpuSeconds();
  auto stats = ReplayWithFreshDomain(*app, app->store());
  const double cpu_seconds = ProcessCpuSeconds() - cpu_before;
  if (!stats) {
    *exit_code = Fail(stats.error());
    return;
  }
  std::cout << "bench rebuild: " << stats->events << " events\n"
            << "seconds: " << stats->seconds << "\n"
            << "cpu_us_per_event: " << std::fixed << std::setprecision(1)
            << cpu_seconds * 1e6 / std::max<uint64_t>(stats->events, 1) << "\n"
            << "events_per_second: "
            << static_cast<uint64_t>(stats->events / std::max(stats->seconds, 1e-9)) << "\n";
}

}  // namespace

void AddRebuildCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* rebuild = cli.add_subcommand("rebuild", "drop and replay every projection");
  static bool check = false;
  rebuild->add_flag("--check", check, "rebuild into scratch space and compare with the live state");
  rebuild->callback([&global, exit_code] { RunRebuild(global, check, exit_code); });

  CLI::App* bench = cli.get_subcommand("bench");
  bench->add_subcommand("rebuild", "replay the whole log into fresh projections")
      ->callback([&global, exit_code] { RunBenchRebuild(global, exit_code); });
}

}  // namespace backpack
