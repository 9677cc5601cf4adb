// backpack: the one command-line binary (SPEC §5).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>

#include "projections/ids.h"
#include "tools/commands.h"
#include "tools/run_guarded.h"

namespace backpack {

// Key directory: --keys, else the one `init --keys` recorded in DATA/keys.path,
// else DATA/keys.
DataPaths GlobalOptions::paths() const {
  DataPaths paths;
  paths.data = data;
  if (!keys.empty()) {
    paths.keys = keys;
  } else if (std::ifstream recorded(paths.data / kKeysPathFile); recorded) {
    std::string line;
    std::getline(recorded, line);
    paths.keys = line;
  } else {
    paths.keys = paths.data / "keys";
  }
  return paths;
}

std::unique_ptr<App> OpenOrReport(const GlobalOptions& global, int* exit_code) {
  auto app = App::Open(global.paths());
  if (!app) {
    std::cerr << "backpack: cannot open " << global.data << ": " << app.error().message() << "\n";
    *exit_code = kExitStoreError;
    return nullptr;
  }
  return std::move(*app);
}

Actor CliActor() { return Actor{std::string(kSystemActorId), NewId("req"), ""}; }

double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

namespace {

// Called first: what the process writes and what it holds stay its owner's.
void ProtectProcess() {
  // Everything this process creates (the store's files, exports, credentials)
  // is readable by its owner only.
  ::umask(077);
  // Its memory holds the store's keys and decrypted records: a crash writes
  // no core file (nor hands one to a core-dump service), and other processes
  // of the same user cannot attach to read it.
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::prctl(PR_SET_DUMPABLE, 0);
}

void LogWarningsToStderr() {
  // Warnings go to standard error, so that a command's output (a CSV, a JSON
  // report, a checkpoint) stays only its output when redirected.
  spdlog::set_default_logger(spdlog::stderr_color_mt("backpack"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::warn);
}

// Usage errors are one line on stderr, like every other error (SPEC §5).
// A word that names no command is reported as such (CLI11 would only say that a
// subcommand is required).
std::string UsageFailureMessage(const CLI::App* app, const CLI::Error& e) {
  std::string what = e.what();
  const CLI::App* command = app;  // the innermost command named so far
  while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
  bool wanted_command = command->get_require_subcommand_min() > 0;
  if (auto extras = app->remaining();
      wanted_command && !extras.empty() && !extras.front().starts_with("-")) {
    what = "unknown command '" + extras.front() + "'";
  }
  return "backpack: " + what + " (run with --help for usage)\n";
}

// Parses the command line and runs the command it names; the exit code.
int RunCommandLine(int argc, char** argv) {
  LogWarningsToStderr();
  CLI::App cli{"Backpack: an audit-first student record store"};
  cli.require_subcommand(1);
  // --data and --keys are accepted before or after the subcommand (SPEC §5); subcommands
  // created below inherit this and pass options they do not know up to `cli`.
  cli.fallthrough();
  GlobalOptions global;
  cli.add_option("--data", global.data, "data directory")->capture_default_str();
  cli.add_option("--keys", global.keys, "key directory (default DATA/keys)");
  cli.failure_message(UsageFailureMessage);
  int exit_code = kExitOk;
  AddLogCommands(cli, global, &exit_code);
  AddBenchCommands(cli, global, &exit_code);
  AddRebuildCommands(cli, global, &exit_code);
  AddRosterCommands(cli, global, &exit_code);
  AddGuardianCommands(cli, global, &exit_code);
  AddServeCommands(cli, global, &exit_code);
  AddSessionsCommands(cli, global, &exit_code);
  AddAuditCommands(cli, global, &exit_code);
  AddFamilyCommands(cli, global, &exit_code);
  AddIntakeCommands(cli, global, &exit_code);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  return exit_code;
}

}  // namespace
}  // namespace backpack

int main(int argc, char** argv) {
  using namespace backpack;
  ProtectProcess();
  return RunGuarded([&] { return RunCommandLine(argc, argv); }, std::cerr);
}
