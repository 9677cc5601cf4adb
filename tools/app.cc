#include "tools/app.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

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

// The database directory is its owner's alone: besides ciphertext it holds the
// accounts' password hashes and the audit trail's ids. A store made before
// the process set its umask (tools/main.cc) is closed to others here.
Status RestrictToOwner(const std::filesystem::path& db) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) return OkStatus();  // Store::Open says why
  std::filesystem::permissions(db, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  if (ec) return UnavailableError("cannot restrict " + db.string() + ": " + ec.message());
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<App>> App::Open(const DataPaths& paths, const EventLogOptions& log_options) {
  RETURN_IF_ERROR(CryptoInit());
  ASSIGN_OR_RETURN(StoreKeys keys, LoadKeyFiles(paths.keys));
  std::unique_ptr<App> app(new App(std::move(keys)));
  RETURN_IF_ERROR(RestrictToOwner(paths.db()));
  ASSIGN_OR_RETURN(app->store_, Store::Open(paths.db().string(), AppStoreOptions()));
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
  ASSIGN_OR_RETURN(StoreKeys keys, LoadKeyFiles(paths.keys));
  std::unique_ptr<App> app(new App(std::move(keys)));
  StoreOptions options;
  options.read_only = true;
  ASSIGN_OR_RETURN(app->store_, Store::Open(paths.db().string(), options));
  app->data_keys_ = std::make_unique<DataKeyRing>(*app->store_, app->keys_.kek);
  return app;
}

Status InitDataDir(const DataPaths& paths) {
  RETURN_IF_ERROR(CryptoInit());
  std::error_code ec;
  if (std::filesystem::exists(paths.db(), ec)) {
    return AlreadyExistsError("a store already exists at " + paths.db().string());
  }
  // Before the keys: a data directory that cannot be made leaves no key behind.
  std::filesystem::create_directories(paths.data, ec);
  if (ec) {
    return UnavailableError("cannot create " + paths.data.string() + ": " + ec.message());
  }
  if (!std::filesystem::exists(paths.keys / "signing.key", ec)) {
    RETURN_IF_ERROR(CreateKeyFiles(paths.keys));
  }
  ASSIGN_OR_RETURN(StoreKeys keys, LoadKeyFiles(paths.keys));
  StoreOptions options = AppStoreOptions();
  options.create_if_missing = true;
  options.column_families = EventLog::ColumnFamilies();
  ASSIGN_OR_RETURN(auto store, Store::Open(paths.db().string(), options));
  RETURN_IF_ERROR(RestrictToOwner(paths.db()));
  std::string origin = "backpack.local/" + ToHex(RandomBytes(8));
  RETURN_IF_ERROR(EventLog::InitializeLog(*store, origin));
  return MarkProjectionsCurrent(*store);
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
  std::cerr << "backpack: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace backpack
