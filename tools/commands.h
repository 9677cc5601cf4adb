// The `backpack` subcommands. Each registers itself on the CLI11 app and
// sets `*exit_code` when it runs.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

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
// guardian unlink (projections/roster).
void AddGuardianCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// serve: the HTTP API (http/api).
void AddServeCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// sessions clear: ends every sign-in session (http/api's sessions family).
void AddSessionsCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// audit query, audit breach-report, audit alerts (projections/audit).
void AddAuditCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// export-history, verify-export, shred (projections/family).
void AddFamilyCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);
// import, demo, bench import (projections/intake). Requires AddBenchCommands first.
void AddIntakeCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code);

// What `verify` may be told to trust instead of the store's own files.
struct VerifyPins {
  // --public-key: the log's key as obtained out of band; the key files are
  // then not read (an auditor needs neither the signing key nor the KEK).
  std::optional<VerifierKey> key;
  // --checkpoint: the text of a checkpoint saved earlier, which the log must
  // still hold (it catches a rollback of the log and its checkpoints).
  std::optional<std::string> checkpoint;
};

// Opens --data read-only and verifies the whole log on every core. A store
// that cannot be opened is kUnavailable (exit 3); a pin that does not belong
// to the log, or a key the log is not signed by (--public-key or --keys), is
// kFailedPrecondition (exit 1); tampering is in the report.
Result<VerifyReport> VerifyDataDir(const GlobalOptions& global, const VerifyPins& pins = {});

// --public-key of verify and verify-export: 64 hex digits, or a C2SP verifier
// key (NAME+HASH+KEY, as GET /api/log/public-key gives both), whose NAME must
// then be the log's origin. Nullopt, having said why on stderr, if neither.
std::optional<VerifierKey> ParsePublicKeyOption(const std::string& text);

// The file at `path`, refused with kResourceExhausted (saying `limit_text`)
// past `limit` bytes, without reading more than that; kNotFound if it cannot
// be read.
Result<std::string> ReadFileUpTo(const std::string& path, uintmax_t limit,
                                 std::string_view limit_text);

// Benchmarks write synthetic, signed events that can never be removed, so
// `command` (e.g. "bench append") runs only on a store whose log is still
// empty, as `backpack init` leaves it, unless `into_existing_store`
// (--into-existing-store). kFailedPrecondition (exit 1) saying so otherwise.
Status RequireFreshStoreForBench(App& app, std::string_view command, bool into_existing_store);

// Opens the data directory or prints why not; exit code 3 on failure.
std::unique_ptr<App> OpenOrReport(const GlobalOptions& global, int* exit_code);

// Who a command-line write (user add, grant, guardian unlink, import) is by:
// kSystemActorId, with a new request id for each call.
Actor CliActor();

// CPU time this process has used so far, user and system, every thread
// (RocksDB's included), in seconds. Benchmarks print CPU per event beside
// their rate: on a shared VM it varies less from run to run.
double ProcessCpuSeconds();

}  // namespace backpack
