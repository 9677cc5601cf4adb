#include "tests/power_loss_fs.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <system_error>
#include <vector>

namespace backpack::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::string Normal(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

std::string ParentOf(const std::string& normal_path) {
  return std::filesystem::path(normal_path).parent_path().string();
}

// The length of `path` on the real filesystem, 0 if unknown.
uint64_t SizeOf(const std::string& path) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// Copies the first `length` bytes of `from` (all of it if shorter) to `to`.
void CopyPrefix(const std::filesystem::path& from, const std::filesystem::path& to,
                uint64_t length) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  std::vector<char> buffer(1 << 16);
  while (length > 0 && in) {
    in.read(buffer.data(), static_cast<std::streamsize>(std::min<uint64_t>(buffer.size(), length)));
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    out.write(buffer.data(), got);
    length -= static_cast<uint64_t>(got);
  }
}

}  // namespace

// A writable file whose appends and completed syncs are recorded in its state.
class PowerLossFs::TrackedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> file, PowerLossFs& fs,
              std::shared_ptr<FileState> state)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), state_(std::move(state)) {}

  IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = FSWritableFileOwnerWrapper::Append(data, options, dbg);
    if (s.ok()) fs_.Appended(*state_, std::nullopt, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    IOStatus s = FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    if (s.ok()) fs_.Appended(*state_, std::nullopt, data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* dbg) override {
    IOStatus s = FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, dbg);
    if (s.ok()) fs_.Appended(*state_, offset, data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    IOStatus s = FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, info, dbg);
    if (s.ok()) fs_.Appended(*state_, offset, data.size());
    return s;
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = FSWritableFileOwnerWrapper::Truncate(size, options, dbg);
    if (s.ok()) fs_.Truncated(*state_, size);
    return s;
  }
  // A sync covers what was written before it began, once it has returned.
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    uint64_t covered = fs_.Written(*state_);
    IOStatus s = FSWritableFileOwnerWrapper::Sync(options, dbg);
    if (s.ok()) fs_.Synced(*state_, covered);
    return s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    uint64_t covered = fs_.Written(*state_);
    IOStatus s = FSWritableFileOwnerWrapper::Fsync(options, dbg);
    if (s.ok()) fs_.Synced(*state_, covered);
    return s;
  }

 private:
  PowerLossFs& fs_;
  std::shared_ptr<FileState> state_;
};

// A directory whose completed fsyncs make the names of the files in it durable.
class PowerLossFs::TrackedDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  TrackedDirectory(std::unique_ptr<rocksdb::FSDirectory> dir, PowerLossFs& fs, std::string name)
      : FSDirectoryWrapper(std::move(dir)), fs_(fs), name_(std::move(name)) {}

  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    auto pending = fs_.PendingNames(name_);
    IOStatus s = FSDirectoryWrapper::Fsync(options, dbg);
    if (s.ok()) fs_.NamesSynced(pending);
    return s;
  }
  IOStatus FsyncWithDirOptions(const IOOptions& options, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& dir_options) override {
    auto pending = fs_.PendingNames(name_);
    IOStatus s = FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
    if (s.ok()) fs_.NamesSynced(pending);
    return s;
  }

 private:
  PowerLossFs& fs_;
  const std::string name_;
};

PowerLossFs::PowerLossFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

std::shared_ptr<const rocks::TestEnv> PowerLossFs::EnvOver(std::shared_ptr<PowerLossFs> fs) {
  auto env = std::make_shared<rocks::TestEnv>();
  env->env = rocksdb::NewCompositeEnv(std::move(fs));
  return env;
}

uint64_t PowerLossFs::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

void PowerLossFs::DurableImage(const std::filesystem::path& dir,
                               const std::filesystem::path& image) {
  std::lock_guard lock(mu_);
  std::filesystem::create_directories(image);
  // Files written outside this filesystem (bulk writes' table files) may
  // vanish meanwhile: skip what cannot be read.
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::filesystem::directory_entry& entry = *it;
    const std::filesystem::path to = image / entry.path().lexically_relative(dir);
    std::error_code type_ec;
    if (entry.is_directory(type_ec)) {
      std::filesystem::create_directories(to, type_ec);
      continue;
    }
    if (!entry.is_regular_file(type_ec)) continue;
    auto tracked = files_.find(Normal(entry.path().string()));
    if (tracked == files_.end()) {
      CopyPrefix(entry.path(), to, UINT64_MAX);
    } else if (tracked->second->name_durable) {
      CopyPrefix(entry.path(), to, tracked->second->synced);
    }
  }
}

void PowerLossFs::Appended(FileState& state, std::optional<uint64_t> offset, uint64_t size) {
  std::lock_guard lock(mu_);
  state.written = std::max(state.written, offset.value_or(state.written) + size);
}

void PowerLossFs::Truncated(FileState& state, uint64_t size) {
  std::lock_guard lock(mu_);
  state.written = size;
  state.synced = std::min(state.synced, size);
}

uint64_t PowerLossFs::Written(const FileState& state) {
  std::lock_guard lock(mu_);
  return state.written;
}

void PowerLossFs::Synced(FileState& state, uint64_t covered) {
  std::lock_guard lock(mu_);
  state.synced = std::max(state.synced, std::min(covered, state.written));
  syncs_++;
}

std::vector<std::shared_ptr<PowerLossFs::FileState>> PowerLossFs::PendingNames(
    const std::string& dir) {
  std::lock_guard lock(mu_);
  const std::string parent = Normal(dir);
  std::vector<std::shared_ptr<FileState>> pending;
  for (const auto& [name, state] : files_) {
    if (!state->name_durable && ParentOf(name) == parent) pending.push_back(state);
  }
  return pending;
}

void PowerLossFs::NamesSynced(const std::vector<std::shared_ptr<FileState>>& files) {
  std::lock_guard lock(mu_);
  for (const auto& state : files) state->name_durable = true;
  syncs_++;
}

void PowerLossFs::TrackLocked(const std::string& name, std::shared_ptr<FileState> state) {
  files_[Normal(name)] = std::move(state);
}

IOStatus PowerLossFs::NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      IODebugContext* dbg) {
  std::lock_guard lock(mu_);  // an image sees the new file tracked or not at all
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = FileSystemWrapper::NewWritableFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  auto state = std::make_shared<FileState>();  // empty, under a name not yet durable
  TrackLocked(name, state);
  *result = std::make_unique<TrackedFile>(std::move(file), *this, std::move(state));
  return s;
}

IOStatus PowerLossFs::ReopenWritableFile(const std::string& name,
                                         const rocksdb::FileOptions& options,
                                         std::unique_ptr<rocksdb::FSWritableFile>* result,
                                         IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = FileSystemWrapper::ReopenWritableFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  std::shared_ptr<FileState> state;
  {
    std::lock_guard lock(mu_);
    auto tracked = files_.find(Normal(name));
    if (tracked != files_.end()) {
      state = tracked->second;
    } else {  // a file from before this filesystem: durable as it is
      state = std::make_shared<FileState>();
      state->written = state->synced = SizeOf(name);
      state->name_durable = true;
      TrackLocked(name, state);
    }
  }
  *result = std::make_unique<TrackedFile>(std::move(file), *this, std::move(state));
  return s;
}

IOStatus PowerLossFs::ReuseWritableFile(const std::string&, const std::string&,
                                        const rocksdb::FileOptions&,
                                        std::unique_ptr<rocksdb::FSWritableFile>*,
                                        IODebugContext*) {
  return IOStatus::NotSupported("PowerLossFs does not model recycled files");
}

IOStatus PowerLossFs::NewDirectory(const std::string& name, const IOOptions& options,
                                   std::unique_ptr<rocksdb::FSDirectory>* result,
                                   IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  IOStatus s = FileSystemWrapper::NewDirectory(name, options, &dir, dbg);
  if (s.ok()) *result = std::make_unique<TrackedDirectory>(std::move(dir), *this, name);
  return s;
}

IOStatus PowerLossFs::DeleteFile(const std::string& name, const IOOptions& options,
                                 IODebugContext* dbg) {
  std::lock_guard lock(mu_);
  IOStatus s = FileSystemWrapper::DeleteFile(name, options, dbg);
  if (s.ok()) files_.erase(Normal(name));
  return s;
}

// A renamed file keeps its contents' state; its new name is as durable as its
// old one was (RocksDB fsyncs the directory after each rename it relies on).
IOStatus PowerLossFs::RenameFile(const std::string& from, const std::string& to,
                                 const IOOptions& options, IODebugContext* dbg) {
  std::lock_guard lock(mu_);
  IOStatus s = FileSystemWrapper::RenameFile(from, to, options, dbg);
  if (!s.ok()) return s;
  auto tracked = files_.find(Normal(from));
  if (tracked == files_.end()) {
    files_.erase(Normal(to));
    return s;
  }
  auto state = tracked->second;
  files_.erase(tracked);
  TrackLocked(to, std::move(state));
  return s;
}

// A new link shares what is durable of its file's contents; its name is new.
IOStatus PowerLossFs::LinkFile(const std::string& from, const std::string& to,
                               const IOOptions& options, IODebugContext* dbg) {
  std::lock_guard lock(mu_);
  IOStatus s = FileSystemWrapper::LinkFile(from, to, options, dbg);
  if (!s.ok()) return s;
  auto state = std::make_shared<FileState>();
  auto tracked = files_.find(Normal(from));
  if (tracked != files_.end()) {
    *state = *tracked->second;
  } else {
    state->written = state->synced = SizeOf(to);
  }
  state->name_durable = false;
  TrackLocked(to, std::move(state));
  return s;
}

IOStatus PowerLossFs::Truncate(const std::string& name, size_t size, const IOOptions& options,
                               IODebugContext* dbg) {
  std::lock_guard lock(mu_);
  IOStatus s = FileSystemWrapper::Truncate(name, size, options, dbg);
  if (!s.ok()) return s;
  auto tracked = files_.find(Normal(name));
  if (tracked != files_.end()) {
    tracked->second->written = size;
    tracked->second->synced = std::min<uint64_t>(tracked->second->synced, size);
  }
  return s;
}

}  // namespace backpack::testing
