// The `backpack` subcommands. Each registers itself on the CLI11 app and
// sets `*exit_code` when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include "events/verifier.h"
#include "tools/app.h"

namespace backpack {

struct GlobalOptions {
  std::string data = "backpack-data";
  std::string keys;  // "" means DATA/keys
  DataPaths paths() const;
};

void AddLogCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
void AddBenchCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// Requires AddBenchCommands first (adds `bench rebuild`).
void AddRebuildCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// user add, grant (projections/roster).
void AddRosterCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// serve: the HTTP API (http/api).
void AddServeCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// audit query, audit breach-report, audit alerts (projections/audit).
void AddAuditCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// export-history, verify-export, shred (projections/family).
void AddFamilyCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// import, demo, bench import (projections/intake). Requires AddBenchCommands first.
void AddIntakeCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);

// Opens --data read-only and verifies the whole log on every core. A store
// that cannot be opened is kUnavailable (exit 3); tampering is in the report.
Result<VerifyReport> VerifyDataDir(const GlobalOptions& global);

// Opens the data directory or prints why not; exit code 3 on failure.
std::unique_ptr<App> OpenOrReport(const GlobalOptions& global, int* exit_code);

// CPU time this process has used so far, user and system, every thread
// (RocksDB's included), in seconds. Benchmarks print CPU per event beside
// their rate: on a shared VM it varies less from run to run.
double ProcessCpuSeconds();

}  // namespace backpack
