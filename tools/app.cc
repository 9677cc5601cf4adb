#include "tools/app.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "core/files.h"
#include "events/log_layout.h"
#include "events/log_signer.h"
#include "projections/rebuild.h"
#include "projections/roster/roster_commands.h"

namespace backpack {

std::vector<std::string> AllColumnFamilies(const Domain& domain) {
  std::vector<std::string> all = EventLog::ColumnFamilies();
  for (auto& family : domain.ColumnFamilies()) all.push_back(family);
  for (auto& family : RosterMutableColumnFamilies()) all.push_back(family);
  return all;
}

StoreOptions AppStoreOptions() {
  StoreOptions options;
  options.sequenced_families = EventLog::SequencedFamilies();
  for (auto& family : Domain::SequencedFamilies()) {
    options.sequenced_families.push_back(std::move(family));
  }
  return options;
}

App::~App() {
  log_.reset();  // drains appends and writes the final checkpoint first
  domain_.reset();
  data_keys_.reset();
  store_.reset();
}

namespace {

namespace fs = std::filesystem;

// The database directory is its owner's alone: besides ciphertext it holds the
// accounts' password hashes and the audit trail's ids. A store made before
// the process set its umask (tools/main.cc) is closed to others here. Bits
// are only removed, never added: an operator's `chmod 500` stays.
Status RestrictToOwner(const fs::path& db) {
  constexpr fs::perms kOthers = fs::perms::group_all | fs::perms::others_all;
  std::error_code ec;
  const fs::file_status status = fs::status(db, ec);
  if (ec) return UnavailableError("cannot examine " + db.string() + ": " + ec.message());
  if ((status.permissions() & kOthers) == fs::perms::none) return OkStatus();
  fs::permissions(db, kOthers, fs::perm_options::remove, ec);
  if (ec) return UnavailableError("cannot restrict " + db.string() + ": " + ec.message());
  return OkStatus();
}

}  // namespace

namespace {

// The keys of the store at paths.db(), which exists (Store::CheckOpenable
// passed). A key directory or key files that are not there are no reason to
// run `init`, which refuses an existing store: the advice names --keys.
Result<StoreKeys> LoadStoreKeys(const DataPaths& paths) {
  auto keys = LoadKeyFiles(paths.keys);
  if (keys || keys.error().code() != StatusCode::kNotFound) return keys;
  std::error_code ec;
  const std::string what =
      fs::exists(paths.keys, ec) ? "no key files in " : "missing key directory ";
  return Err(NotFoundError(what + paths.keys.string() + " for the store at " + paths.db().string() +
                           ": give the store's key directory with --keys DIR (`init --keys` "
                           "records it in " +
                           (paths.data / kKeysPathFile).string() + ")"));
}

}  // namespace

Status CheckKeysSignLog(Store& store, const StoreKeys& keys, const DataPaths& paths) {
  ASSIGN_OR_RETURN(const std::string origin, layout::LogOrigin(store));
  Status signer =
      CheckLogSigner(store, origin, keys.signing.public_key(), "the key in " + paths.keys.string());
  if (signer.ok()) return signer;
  return FailedPreconditionError(signer.message() +
                                 "; check --keys, and if it is right, run `backpack verify`");
}

Result<std::unique_ptr<App>> App::Open(const DataPaths& paths, const EventLogOptions& log_options) {
  RETURN_IF_ERROR(CryptoInit());
  RETURN_IF_ERROR(Store::CheckOpenable(paths.db().string(), AppStoreOptions()));
  ASSIGN_OR_RETURN(StoreKeys keys, LoadStoreKeys(paths));
  std::unique_ptr<App> app(new App(std::move(keys)));
  ASSIGN_OR_RETURN(app->store_, Store::Open(paths.db().string(), AppStoreOptions()));
  RETURN_IF_ERROR(CheckKeysSignLog(*app->store_, app->keys_, paths));
  RETURN_IF_ERROR(RestrictToOwner(paths.db()));
  app->data_keys_ = std::make_unique<DataKeyRing>(*app->store_, app->keys_.kek);
  Clock* clock = log_options.clock ? log_options.clock : &SystemClock();
  app->domain_ = std::make_unique<Domain>(*app->store_, *app->data_keys_, app->keys_, *clock);
  RETURN_IF_ERROR(app->store_->EnsureColumnFamilies(AllColumnFamilies(*app->domain_)));
  EventLogOptions options = log_options;
  options.hook = &app->domain_->projector();
  ASSIGN_OR_RETURN(app->log_, EventLog::Open(*app->store_, app->keys_, *app->data_keys_, options));
  RETURN_IF_ERROR(app->FinishInterruptedRebuild());
  RETURN_IF_ERROR(app->domain_->Start(*app->log_));
  return app;
}

// Projections are derived from the log, so a rebuild that a crash or a kill
// interrupted is simply done again before anything reads them; and so are
// projections an earlier version of backpack built differently.
Status App::FinishInterruptedRebuild() {
  ASSIGN_OR_RETURN(bool interrupted, RebuildInterrupted(*store_));
  ASSIGN_OR_RETURN(bool outdated, ProjectionsOutdated(*store_));
  if (!interrupted && !outdated) return OkStatus();
  if (interrupted) {
    spdlog::warn(
        "projections are incomplete (a rebuild was interrupted); rebuilding them from "
        "the log's {} events",
        log_->size());
  } else if (log_->size() > 0) {
    spdlog::warn(
        "projections were built by another version of backpack; rebuilding them from "
        "the log's {} events",
        log_->size());
  }
  ASSIGN_OR_RETURN(RebuildStats stats,
                   ReplayInto(*store_, *data_keys_, *log_, domain_->projector()));
  if (stats.events > 0) {
    spdlog::warn("rebuilt projections from {} events in {:.1f} s", stats.events, stats.seconds);
  }
  return OkStatus();
}

Result<std::unique_ptr<App>> App::OpenReadOnly(const DataPaths& paths) {
  RETURN_IF_ERROR(CryptoInit());
  StoreOptions options;
  options.read_only = true;
  RETURN_IF_ERROR(Store::CheckOpenable(paths.db().string(), options));
  ASSIGN_OR_RETURN(StoreKeys keys, LoadStoreKeys(paths));
  std::unique_ptr<App> app(new App(std::move(keys)));
  ASSIGN_OR_RETURN(app->store_, Store::Open(paths.db().string(), options));
  app->data_keys_ = std::make_unique<DataKeyRing>(*app->store_, app->keys_.kek);
  return app;
}

namespace {

// What a failing `init` removes again: only what it created itself.
class InitUndo {
 public:
  InitUndo() = default;
  InitUndo(const InitUndo&) = delete;
  InitUndo& operator=(const InitUndo&) = delete;
  ~InitUndo() {
    if (done_) return;
    std::error_code ec;
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) fs::remove_all(*it, ec);
  }
  // Before creating `path` (and its missing parents): remembers the outermost
  // of them that does not exist yet; nothing if `path` exists, or if whether
  // a parent exists cannot be told.
  void WillCreate(fs::path path) {
    fs::path outermost;
    if (!path.has_filename()) path = path.parent_path();  // "a/b/"
    for (; !path.empty() && path.has_filename(); path = path.parent_path()) {
      auto exists = PathExists(path);
      if (!exists || *exists) break;
      outermost = path;
    }
    if (!outermost.empty()) created_.push_back(outermost);
  }
  // The init succeeded: everything stays.
  void Done() { done_ = true; }

 private:
  std::vector<fs::path> created_;  // removed in reverse order
  bool done_ = false;
};

// Creates the key files unless `keys` holds both already; whether they were reused.
Result<bool> CreateOrReuseKeys(const fs::path& keys, InitUndo& undo) {
  ASSIGN_OR_RETURN(KeyFiles present, FindKeyFiles(keys));
  if (present == KeyFiles::kBoth) return true;
  undo.WillCreate(keys);
  undo.WillCreate(keys / kSigningKeyFile);
  undo.WillCreate(keys / kKekFile);
  RETURN_IF_ERROR(CreateKeyFiles(keys));
  return false;
}

}  // namespace

Result<InitResult> InitStore(const DataPaths& paths, bool record_keys_path) {
  RETURN_IF_ERROR(CryptoInit());
  ASSIGN_OR_RETURN(bool db_exists, PathExists(paths.db()));
  if (db_exists) {
    ASSIGN_OR_RETURN(bool has_database, PathExists(paths.db() / "CURRENT"));
    if (has_database) {
      return Err(AlreadyExistsError("a store already exists at " + paths.db().string()));
    }
    return Err(AlreadyExistsError(
        paths.db().string() +
        " exists but holds no database (no CURRENT file); init creates a store only where "
        "there is none: move that directory away (or remove it if nothing in it is needed), "
        "then run init again"));
  }
  InitUndo undo;
  // Before the keys: a data directory that cannot be made leaves no key behind.
  undo.WillCreate(paths.data);
  std::error_code ec;
  fs::create_directories(paths.data, ec);
  if (ec)
    return Err(UnavailableError("cannot create " + paths.data.string() + ": " + ec.message()));
  InitResult result;
  ASSIGN_OR_RETURN(result.keys_reused, CreateOrReuseKeys(paths.keys, undo));
  ASSIGN_OR_RETURN(StoreKeys keys, LoadKeyFiles(paths.keys));
  result.signing_key_id = keys.signing_key_id;
  StoreOptions options = AppStoreOptions();
  options.create_if_missing = true;
  options.column_families = EventLog::ColumnFamilies();
  undo.WillCreate(paths.db());
  ASSIGN_OR_RETURN(auto store, Store::Open(paths.db().string(), options));
  RETURN_IF_ERROR(RestrictToOwner(paths.db()));
  std::string origin = "backpack.local/" + ToHex(RandomBytes(8));
  RETURN_IF_ERROR(EventLog::InitializeLog(*store, origin));
  RETURN_IF_ERROR(MarkProjectionsCurrent(*store));
  if (record_keys_path) {
    const fs::path absolute = fs::absolute(paths.keys, ec);
    if (ec) return Err(UnavailableError("cannot resolve " + paths.keys.string()));
    RETURN_IF_ERROR(WritePrivateFile(paths.data / kKeysPathFile, absolute.string() + "\n"));
  }
  undo.Done();
  return result;  // `store` closes before `undo` would act
}

Status InitDataDir(const DataPaths& paths) {
  auto result = InitStore(paths, /*record_keys_path=*/false);
  return result ? OkStatus() : result.error();
}

Result<std::string> ResolveStudentId(App& app, const std::string& text) {
  return app.services().roster->ResolveStudentEvenShredded(text);
}

Result<PrivateOutputFile> PrivateOutputFile::Open(const std::filesystem::path& path) {
  const std::string name = path.string();
  bool created = true;
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(name.c_str(), O_WRONLY | O_CLOEXEC);
  }
  if (fd < 0) return Err(UnavailableError("cannot write " + name + ": " + std::strerror(errno)));
  PrivateOutputFile file(name, fd, created);
  if (::fchmod(fd, 0600) != 0) return Err(file.Fail(errno));  // an existing file's mode
  return file;
}

PrivateOutputFile::PrivateOutputFile(PrivateOutputFile&& other) noexcept
    : name_(std::move(other.name_)),
      fd_(other.fd_),
      created_(other.created_),
      written_(other.written_) {
  other.fd_ = -1;
  other.created_ = false;  // the moved-from object removes nothing
}

PrivateOutputFile::~PrivateOutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (created_ && !written_) ::unlink(name_.c_str());  // no empty or partial file left
}

Status PrivateOutputFile::Fail(int error) {
  ::close(fd_);
  fd_ = -1;
  return UnavailableError("cannot write " + name_ + ": " + std::strerror(error));
}

Status PrivateOutputFile::Write(std::string_view text) {
  if (fd_ < 0) return FailedPreconditionError(name_ + " was already written, or failed");
  if (::ftruncate(fd_, 0) != 0) return Fail(errno);
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(errno);
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) return Fail(errno);
  written_ = true;  // synced: kept whatever close says
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return UnavailableError("cannot write " + name_);
  return OkStatus();
}

Status WritePrivateFile(const std::filesystem::path& path, std::string_view text) {
  ASSIGN_OR_RETURN(PrivateOutputFile file, PrivateOutputFile::Open(path));
  return file.Write(text);
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kDataLoss:
    case StatusCode::kUnavailable:
    case StatusCode::kInternal:
      return kExitStoreError;
    default:
      return kExitRefused;
  }
}

int Fail(const Status& status) {
  std::string_view rest = status.message();
  do {  // each line (one per problem, for an import refused file by file)
    const size_t end = std::min(rest.find('\n'), rest.size());
    std::cerr << "backpack: " << rest.substr(0, end) << "\n";
    rest.remove_prefix(std::min(end + 1, rest.size()));
  } while (!rest.empty());
  return ExitCodeFor(status);
}

}  // namespace backpack
