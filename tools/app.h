// App: everything a `backpack` command needs from an opened data directory
// (keys, store, data keys, event log), opened in one place.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/data_keys.h"
#include "core/keys.h"
#include "core/store.h"
#include "events/event_log.h"
#include "projections/domain.h"
#include "tools/exit_codes.h"

namespace backpack {

struct DataPaths {
  std::filesystem::path data;
  std::filesystem::path keys;  // default data/keys
  std::filesystem::path db() const { return data / "db"; }
};

// Every column family the product uses, created by `init` and on open.
std::vector<std::string> AllColumnFamilies(const Domain& domain);
// Options for opening a store of Backpack's (tuned for its families' keys).
StoreOptions AppStoreOptions();

class App {
 public:
  // Opens the store, loads the keys and starts the event log. The database
  // directory is checked before the keys are read (Store::CheckOpenable: this
  // user's, and a store), and the log's signer before anything is written
  // (CheckKeysSignLog). The directory then loses any group and other
  // permission bits; none is added.
  static Result<std::unique_ptr<App>> Open(const DataPaths& paths,
                                           const EventLogOptions& log_options = {});
  // Opens the store read-only and loads the keys, the directory checked
  // first as by Open; no event log (for verify, which checks every signature).
  // The signer the log names is not checked: callers that trust the log
  // without verifying it do (CheckKeysSignLog).
  static Result<std::unique_ptr<App>> OpenReadOnly(const DataPaths& paths);

  Store& store() { return *store_; }
  const StoreKeys& keys() const { return keys_; }
  DataKeyRing& data_keys() { return *data_keys_; }
  EventLog& log() { return *log_; }
  Domain& domain() { return *domain_; }
  Services& services() { return domain_->services(); }

  ~App();

 private:
  App(StoreKeys keys) : keys_(std::move(keys)) {}
  Status FinishInterruptedRebuild();
  StoreKeys keys_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<DataKeyRing> data_keys_;
  std::unique_ptr<Domain> domain_;
  std::unique_ptr<EventLog> log_;
};

// Where `init --keys DIR` records DIR, in the data directory.
inline constexpr std::string_view kKeysPathFile = "keys.path";

struct InitResult {
  bool keys_reused = false;  // `paths.keys` already held both key files
  std::string signing_key_id;
};
// Creates a data directory (and its parents): keys (unless `paths.keys`
// holds both key files already: they are reused), store and log; with
// `record_keys_path`, records `paths.keys` in DATA/keys.path. kAlreadyExists
// if DATA/db exists (the message tells a store from a directory holding no
// database); kFailedPrecondition if the key directory holds only one
// key file. A failure removes again whatever this call created (directories,
// key files, the store), and nothing else.
Result<InitResult> InitStore(const DataPaths& paths, bool record_keys_path);
// InitStore without recording the key directory.
Status InitDataDir(const DataPaths& paths);

// kFailedPrecondition, naming both key IDs and advising to check --keys (and,
// if it is right, to run `backpack verify`), if the log in `store` names
// another signing key than `keys` (loaded from `paths.keys`): most likely a
// wrong key directory, but only verification could say it is not tampering.
Status CheckKeysSignLog(Store& store, const StoreKeys& keys, const DataPaths& paths);

// The student id `text` names (a OneRoster sourcedId, or else a stu_ id:
// Roster::ResolveStudentEvenShredded), shredded students included: their
// history stays exportable and auditable as type and time only. kNotFound
// for a student the store never knew.
Result<std::string> ResolveStudentId(App& app, const std::string& text);

// A file for personal data or passwords, opened before the work that fills
// it, so that a path that cannot be written is reported before anything is
// read or recorded. Mode 0600, also when the file existed with a wider mode.
// An existing file keeps its content until Write; a file Open created is
// removed again unless Write completes.
class PrivateOutputFile {
 public:
  static Result<PrivateOutputFile> Open(const std::filesystem::path& path);
  PrivateOutputFile(PrivateOutputFile&& other) noexcept;
  PrivateOutputFile& operator=(PrivateOutputFile&&) = delete;
  ~PrivateOutputFile();

  // Replaces the file's content with `text`, syncs and closes it. Once only.
  Status Write(std::string_view text);

 private:
  PrivateOutputFile(std::string name, int fd, bool created)
      : name_(std::move(name)), fd_(fd), created_(created) {}
  Status Fail(int error);

  std::string name_;
  int fd_ = -1;
  bool created_ = false;  // by Open: removed again unless written
  bool written_ = false;
};

// Opens `path` as a PrivateOutputFile and writes `text` to it.
Status WritePrivateFile(const std::filesystem::path& path, std::string_view text);

// Maps a Status to the CLI exit code.
int ExitCodeFor(const Status& status);
// Prints "backpack: <message>" to stderr, each line of a message of several
// so prefixed, and returns ExitCodeFor(status).
int Fail(const Status& status);

}  // namespace backpack
