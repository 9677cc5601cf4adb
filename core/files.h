// Filesystem helpers that core and the command line share.
#pragma once

#include <filesystem>

#include "core/status.h"

namespace backpack {

// Whether `path` exists (symlinks followed); kUnavailable, naming the error,
// if that cannot be told (permission denied on a parent directory, say).
Result<bool> PathExists(const std::filesystem::path& path);

// Makes the entries of files created in or renamed into `dir` durable: an
// fsync of the directory itself. kUnavailable, naming the error, if it fails.
Status SyncDirectory(const std::filesystem::path& dir);

}  // namespace backpack
