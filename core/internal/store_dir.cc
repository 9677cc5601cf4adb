#include "core/internal/store_dir.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace backpack::store_dir {
namespace {

// "belongs to backpack (uid 998); run as that user, e.g. sudo -u backpack backpack ..."
std::string OwnedByAnotherUser(const std::string& dir, uid_t owner) {
  std::string name;
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(owner, &entry, buffer.data(), buffer.size(), &found) == 0 && found) {
    name = found->pw_name;
  }
  const std::string uid = std::to_string(owner);
  const std::string who = name.empty() ? "uid " + uid : name + " (uid " + uid + ")";
  const std::string sudo_user = name.empty() ? "'#" + uid + "'" : name;
  return "store " + dir + " belongs to " + who +
         ", not to the user running this command; run as that user, e.g. sudo -u " + sudo_user +
         " backpack ...";
}

Status CannotExamine(const std::string& path, int error) {
  return UnavailableError("cannot open store: " + path + ": " + std::strerror(error));
}

}  // namespace

Status CheckBeforeOpen(const std::string& dir, const StoreOptions& options) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    const int error = errno;
    if (error == ENOENT && options.create_if_missing && !options.read_only) return OkStatus();
    if (error == ENOENT) return NotFoundError("no store at " + dir + " (run `backpack init`)");
    return CannotExamine(dir, error);
  }
  if (!S_ISDIR(st.st_mode)) {
    return FailedPreconditionError("cannot open store: " + dir + " is not a directory");
  }
  if (st.st_uid != ::geteuid()) return PermissionDeniedError(OwnedByAnotherUser(dir, st.st_uid));
  if (options.create_if_missing && !options.read_only) return OkStatus();
  const std::string current = dir + "/CURRENT";
  if (::stat(current.c_str(), &st) != 0) {
    const int error = errno;
    if (error != ENOENT) return CannotExamine(current, error);
    return FailedPreconditionError("cannot open store: " + dir +
                                   " holds no database (no CURRENT file); is --data right?");
  }
  return OkStatus();
}

bool LockedByAnotherProcess(const std::string& dir) {
  // RocksDB locks its LOCK file with a POSIX record lock over the whole file.
  const std::string lock_file = dir + "/LOCK";
  const int fd = ::open(lock_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const bool locked = ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
  ::close(fd);
  return locked;
}

}  // namespace backpack::store_dir
