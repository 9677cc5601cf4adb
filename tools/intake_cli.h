// Helpers shared by the intake commands (cmd_intake.cc, cmd_intake_demo.cc).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "imports/import_set.h"
#include "projections/intake/intake.h"
#include "tools/commands.h"

namespace backpack {

// What `backpack import` reads at most, uncompressed, unless --max-bytes
// says otherwise: 1 GiB, where an HTTP upload may hold 64 MiB
// (ImportLimits' default).
inline constexpr uint64_t kCliImportMaxBytes = uint64_t{1} << 30;

// Parses the set at `path` (a folder or a zip). On problems prints every one
// to stderr as `file:line: message`, then a summary line ("import rejected
// (N problems); nothing was imported"), and returns nullopt: nothing is
// imported. `limits` defaults to ImportLimits' (64 MiB uncompressed);
// `backpack import` raises the byte limit (kCliImportMaxBytes, --max-bytes)
// and sets Backpack generated itself (demo, bench) raise more.
std::optional<imports::ImportSet> ParseSetOrReport(const std::filesystem::path& path,
                                                   const imports::ImportLimits& limits = {});

// Limits for synthetic sets Backpack wrote itself: a 50,000-student demo
// district is about 180 MB.
imports::ImportLimits GeneratedSetLimits();

// "imported N events (import ID)" or "nothing to import: all N rows were
// imported before", naming the earlier import of the same files if there was
// one, to stdout; then the counts of rows not imported as they stand.
void PrintImportReport(const ImportReport& report);

struct DemoCommandOptions {
  int students = 2000;
  uint64_t seed = 1;
  bool keep_files = false;                // keep DATA/demo-import after importing it
  std::string listen = "127.0.0.1:8080";  // where the printed instructions serve it
  // Test hook (hidden): SIGKILL after this many accounts were created or had
  // their password reset, as a crash would; 0 never.
  size_t crash_after_accounts = 0;
};

// `backpack demo` (cmd_intake_demo.cc).
void RunDemo(const GlobalOptions& global, const DemoCommandOptions& options, int* exit_code);

}  // namespace backpack
