// init, verify, checkpoint.
#include <fstream>
#include <iostream>
#include <thread>

#include "events/checkpoint.h"
#include "events/verifier.h"
#include "tools/commands.h"

namespace backpack {
namespace {

void RunInit(const GlobalOptions& global, bool keys_given, int* exit_code) {
  DataPaths paths = global.paths();
  Status status = InitDataDir(paths);
  if (!status.ok()) {
    *exit_code = status.code() == StatusCode::kAlreadyExists ? kExitRefused : kExitStoreError;
    std::cerr << "backpack: " << status.message() << "\n";
    return;
  }
  if (!keys_given) {
    std::cerr << "backpack: warning: keys are in " << paths.keys.string()
              << "; production keys belong outside the data directory (use --keys)\n";
  }
  if (keys_given) {
    std::ofstream(paths.data / "keys.path") << std::filesystem::absolute(paths.keys).string() << "\n";
  }
  std::cout << "initialised store at " << paths.db().string() << "\n";
}

void RunVerify(const GlobalOptions& global, int* exit_code) {
  auto report = VerifyDataDir(global);
  if (!report) {
    *exit_code = Fail(report.error());
    return;
  }
  if (!report->ok) {
    std::cout << "tampered at seq " << report->first_bad_seq << ": " << report->why << "\n";
    *exit_code = kExitRefused;
    return;
  }
  std::cout << "verified " << report->events << " events, root " << ToHex(report->root) << "\n";
}

void RunCheckpoint(const GlobalOptions& global, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  if (Status s = app->log().WriteCheckpoint(); !s.ok()) {
    *exit_code = Fail(s);
    return;
  }
  auto note = app->log().LatestCheckpoint();
  if (!note) {
    *exit_code = Fail(note.error());
    return;
  }
  std::cout << *note;
}

}  // namespace

Result<VerifyReport> VerifyDataDir(const GlobalOptions& global) {
  auto app = App::OpenReadOnly(global.paths());
  if (!app) {
    return Err(UnavailableError("cannot open " + global.data + ": " + app.error().message()));
  }
  int threads = std::max(1u, std::thread::hardware_concurrency());
  return VerifyLog((*app)->store(), (*app)->keys().signing.public_key(), threads);
}

void AddLogCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* init = cli.add_subcommand("init", "create the store, a signing key and a key-encryption key");
  static std::string init_keys;
  init->add_option("--keys", init_keys, "key directory (default DATA/keys)");
  init->callback([&global, exit_code] {
    GlobalOptions options = global;
    if (!init_keys.empty()) options.keys = init_keys;
    RunInit(options, !options.keys.empty(), exit_code);
  });

  cli.add_subcommand("verify", "check every signature, the chain and the Merkle tree")
      ->callback([&global, exit_code] { RunVerify(global, exit_code); });
  cli.add_subcommand("checkpoint", "print the latest signed checkpoint")
      ->callback([&global, exit_code] { RunCheckpoint(global, exit_code); });
}

}  // namespace backpack
