// sessions clear: ends every sign-in session at once, while the server is
// stopped (a running `backpack serve` holds the store, and opening it is
// refused then).
#include <algorithm>
#include <iostream>
#include <string>

#include "http/api/api_auth.h"
#include "tools/commands.h"

namespace backpack {
namespace {

// The rows of the sessions family (0 if it does not exist yet).
Result<size_t> CountSessions(Store& store) {
  const auto names = store.ColumnFamilyNames();
  if (std::find(names.begin(), names.end(), api::kSessionsFamily) == names.end()) return size_t{0};
  ASSIGN_OR_RETURN(auto it, store.NewIterator(api::kSessionsFamily));
  size_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  RETURN_IF_ERROR(it->status());
  return count;
}

// Drops the family with every session in it (recreated empty) and prints
// "cleared N sessions" (expired ones not yet deleted included).
void RunSessionsClear(const GlobalOptions& global, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  Result<size_t> count = CountSessions(app->store());
  if (!count) {
    *exit_code = Fail(count.error());
    return;
  }
  Status cleared = app->store().ResetColumnFamilies({std::string(api::kSessionsFamily)});
  if (!cleared.ok()) {
    *exit_code = Fail(cleared);
    return;
  }
  std::cout << "cleared " << *count << " sessions\n";
}

}  // namespace

// `sessions clear`.
void AddSessionsCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* sessions = cli.add_subcommand("sessions", "sign-in sessions kept across restarts");
  sessions->require_subcommand(1);
  sessions
      ->add_subcommand("clear", "sign everyone out: end every session (with the server stopped)")
      ->callback([&global, exit_code] { RunSessionsClear(global, exit_code); });
}

}  // namespace backpack
