// init, verify, checkpoint.
#include <iostream>
#include <optional>
#include <thread>

#include "events/checkpoint.h"
#include "events/log_layout.h"
#include "events/verifier.h"
#include "tools/commands.h"

namespace backpack {
namespace {

void RunInit(const GlobalOptions& global, bool keys_given, int* exit_code) {
  DataPaths paths = global.paths();
  auto init = InitStore(paths, /*record_keys_path=*/keys_given);
  if (!init) {
    const Status& status = init.error();
    *exit_code = status.code() == StatusCode::kAlreadyExists ? kExitRefused : kExitStoreError;
    std::cerr << "backpack: " << status.message() << "\n";
    return;
  }
  if (!keys_given) {
    std::cerr << "backpack: warning: keys are in " << paths.keys.string()
              << "; production keys belong outside the data directory (use --keys)\n";
  }
  if (init->keys_reused) {
    std::cout << "using the keys already in " << paths.keys.string() << " (signing key ID "
              << init->signing_key_id << "); no new keys were created\n";
  }
  std::cout << "initialised store at " << paths.db().string() << "\n";
}

// What verify's options pin; nullopt (having said why, exit code set) if an
// option cannot be used.
struct VerifyCliOptions {
  std::string public_key;
  std::string checkpoint_file;
};
constexpr uintmax_t kMaxCheckpointFileBytes = 64 * 1024;

std::optional<VerifyPins> ParseVerifyPins(const VerifyCliOptions& o, int* exit_code) {
  VerifyPins pins;
  if (!o.public_key.empty()) {
    pins.key = ParsePublicKeyOption(o.public_key);
    if (!pins.key) {
      *exit_code = kExitUsage;
      return std::nullopt;
    }
  }
  if (!o.checkpoint_file.empty()) {
    auto text = ReadFileUpTo(o.checkpoint_file, kMaxCheckpointFileBytes,
                             "a checkpoint is a few lines of text");
    if (!text) {
      std::cerr << "backpack: --checkpoint: " << text.error().message() << "\n";
      *exit_code = kExitUsage;
      return std::nullopt;
    }
    // A file that holds no checkpoint is the argument's fault, not a sign
    // that the log was rolled back.
    if (auto parsed = ParseCheckpoint(*text); !parsed) {
      std::cerr << "backpack: --checkpoint: " << o.checkpoint_file
                << " is not a signed checkpoint (" << parsed.error().message() << ")\n";
      *exit_code = kExitUsage;
      return std::nullopt;
    }
    pins.checkpoint = std::move(*text);
  }
  return pins;
}

void RunVerify(const GlobalOptions& global, const VerifyCliOptions& options, int* exit_code) {
  std::optional<VerifyPins> pins = ParseVerifyPins(options, exit_code);
  if (!pins) return;
  auto report = VerifyDataDir(global, *pins);
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

// The latest checkpoint as stored, read beside a running server, which
// holds the store (read-only: no new checkpoint is written). Checked as
// opening the log checks it.
Result<std::string> StoredLatestCheckpoint(const DataPaths& paths) {
  ASSIGN_OR_RETURN(auto app, App::OpenReadOnly(paths));
  Store& store = app->store();
  RETURN_IF_ERROR(CheckKeysSignLog(store, app->keys(), paths));
  ASSIGN_OR_RETURN(const std::string origin, layout::LogOrigin(store));
  ASSIGN_OR_RETURN(auto recorded, store.Get(cf::kMeta, AsBytes(layout::kMetaSize)));
  const uint64_t size = recorded ? DecodeBigEndian64(*recorded) : 0;
  ASSIGN_OR_RETURN(auto finding,
                   CheckLatestCheckpoint(store, origin, app->keys().signing.public_key(), size));
  if (finding) return Err(DataLossError(finding->why + "; run `backpack verify`"));
  ASSIGN_OR_RETURN(auto latest, layout::LatestStoredCheckpoint(store, size));
  if (!latest) return Err(NotFoundError("the log has no checkpoint yet"));
  return std::move(latest->note);
}

// Signs a checkpoint of the log as it is, unless a running server holds the
// store: then prints the latest it stored (it writes one at least once a
// second while it appends).
void RunCheckpoint(const GlobalOptions& global, int* exit_code) {
  const DataPaths paths = global.paths();
  auto app = App::Open(paths);
  if (!app && Store::InUseByAnotherProcess(paths.db().string())) {
    auto note = StoredLatestCheckpoint(paths);
    if (!note) {
      std::cerr << "backpack: cannot open " << global.data << ": " << note.error().message()
                << "\n";
      *exit_code = kExitStoreError;
      return;
    }
    std::cout << *note;
    return;
  }
  if (!app) {
    std::cerr << "backpack: cannot open " << global.data << ": " << app.error().message() << "\n";
    *exit_code = kExitStoreError;
    return;
  }
  if (Status s = (*app)->log().WriteCheckpoint(); !s.ok()) {
    *exit_code = Fail(s);
    return;
  }
  auto note = (*app)->log().LatestCheckpoint();
  if (!note) {
    *exit_code = Fail(note.error());
    return;
  }
  std::cout << *note;
}

// What verify reads: the store, opened read-only, and the key to check the
// log with.
struct VerifySource {
  std::unique_ptr<App> app;          // without a pinned key
  std::unique_ptr<Store> own_store;  // with one
  Ed25519PublicKey key{};
  Store& store() { return own_store ? *own_store : app->store(); }
};

// With a pinned key the key files are not needed, nor read.
Result<VerifySource> OpenVerifySource(const GlobalOptions& global, const DataPaths& paths,
                                      const VerifyPins& pins) {
  const auto cannot_open = [&](const Status& s) {
    return Err(UnavailableError("cannot open " + global.data + ": " + s.message()));
  };
  VerifySource source;
  if (pins.key) {
    StoreOptions options;
    options.read_only = true;
    auto store = Store::Open(paths.db().string(), options);
    if (!store) return cannot_open(store.error());
    source.own_store = std::move(*store);
    source.key = pins.key->public_key;
  } else {
    auto opened = App::OpenReadOnly(paths);
    if (!opened) return cannot_open(opened.error());
    source.app = std::move(*opened);
    source.key = source.app->keys().signing.public_key();
  }
  return source;
}

}  // namespace

Result<VerifyReport> VerifyDataDir(const GlobalOptions& global, const VerifyPins& pins) {
  RETURN_IF_ERROR(CryptoInit());
  const DataPaths paths = global.paths();
  ASSIGN_OR_RETURN(VerifySource source, OpenVerifySource(global, paths, pins));
  const Ed25519PublicKey& key = source.key;
  Store& store = source.store();
  ASSIGN_OR_RETURN(const std::string origin, layout::LogOrigin(store));
  if (pins.key && !pins.key->key_name.empty() && pins.key->key_name != origin) {
    return Err(FailedPreconditionError("the store's log is " + origin +
                                       ", not the verifier key's " + pins.key->key_name));
  }
  // What the log's key IDs claim is no proof: the log is verified whatever
  // they say, and a wrong key shows as tampering at seq 0 with a hint.
  KeyHint hint;
  if (pins.key) {
    hint.advice = "if --public-key is wrong, give the log's public key";
  } else {
    hint.key = "the key in " + paths.keys.string();
    hint.advice = "if --keys is wrong, point it at the right keys";
  }
  std::optional<Checkpoint> pinned;
  if (pins.checkpoint) {
    auto checked = VerifyCheckpoint(*pins.checkpoint, origin, key);
    if (!checked) {
      return Err(FailedPreconditionError("the pinned checkpoint is not one of this log's: " +
                                         checked.error().message()));
    }
    pinned = *checked;
  }
  int threads = std::max(1u, std::thread::hardware_concurrency());
  return VerifyLog(store, key, threads, pinned ? &*pinned : nullptr, hint);
}

void AddLogCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* init =
      cli.add_subcommand("init", "create the store, a signing key and a key-encryption key");
  static std::string init_keys;
  init->add_option("--keys", init_keys, "key directory (default DATA/keys)");
  init->callback([&global, exit_code] {
    GlobalOptions options = global;
    if (!init_keys.empty()) options.keys = init_keys;
    RunInit(options, !options.keys.empty(), exit_code);
  });

  auto* verify =
      cli.add_subcommand("verify", "check every signature, the chain and the Merkle tree");
  static VerifyCliOptions verify_options;
  verify->add_option("--public-key", verify_options.public_key,
                     "the log's public key, obtained out of band (64 hex digits or a verifier "
                     "key NAME+HASH+KEY): trusted instead of the key files, which are not read");
  verify->add_option("--checkpoint", verify_options.checkpoint_file,
                     "a checkpoint saved earlier (GET /api/log/checkpoint, `backpack "
                     "checkpoint`) that the log must still hold: catches a rollback");
  verify->callback([&global, exit_code] { RunVerify(global, verify_options, exit_code); });
  cli.add_subcommand("checkpoint", "print the latest signed checkpoint")
      ->callback([&global, exit_code] { RunCheckpoint(global, exit_code); });
}

}  // namespace backpack
