// The database directory as a filesystem object, checked before RocksDB
// touches it: RocksDB creates files (LOCK, LOG, a new manifest and
// write-ahead log) in whatever directory it is given, even to read, and a
// file it creates as another user (root) locks the store's owner out.
// Only core/store.cc includes this.
#pragma once

#include <string>

#include "core/status.h"
#include "core/store.h"

namespace backpack::store_dir {

// Why `dir` may not be opened with `options`, or OK. It must exist (unless
// it is to be created: then it may be absent, or an existing directory is
// used as is), belong to the effective user, and hold a database (CURRENT).
// kNotFound, advising `backpack init`, only when `dir` does not exist;
// kUnavailable with the errno's text when it cannot be examined (permission
// denied); kPermissionDenied, naming the owner, for another user's store;
// kFailedPrecondition for a directory that holds no database.
Status CheckBeforeOpen(const std::string& dir, const StoreOptions& options);

// Whether another process holds the lock of the database in `dir` (a running
// `backpack serve`). False if it cannot tell.
bool LockedByAnotherProcess(const std::string& dir);

}  // namespace backpack::store_dir
