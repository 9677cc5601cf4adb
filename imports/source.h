// Reading an import set's files from a zip archive or a folder, safely.
//
// Only files with a known import name (ImportFileNames()) are read; other
// entries are ignored. Files may sit at the root or all inside one top-level
// folder. Refused, with an ImportError naming the entry: entry names that are
// absolute or contain ".." or backslashes, known files nested deeper or spread
// over several folders, the same file twice, symlinks leading out of the
// folder, and anything that is not a regular file. Size and count limits
// (ImportLimits) mark the errors as limit_exceeded().
#pragma once

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "core/bytes.h"
#include "imports/import_errors.h"
#include "imports/limits.h"

namespace backpack::imports {

// File contents keyed by base name ("users.csv"), sorted by name.
using FileSet = std::map<std::string, std::string>;

// The names an import set may contain: the OneRoster 1.1 files Backpack reads
// and its supplemental files.
std::span<const std::string_view> ImportFileNames();
bool IsImportFileName(std::string_view name);

// Reads a zip held in memory; `archive_name` labels archive-level errors.
tl::expected<FileSet, ImportErrors> ReadZipSource(ByteView zip, std::string_view archive_name,
                                                  const ImportLimits& limits);

// Reads `path`, a folder or a zip file.
tl::expected<FileSet, ImportErrors> ReadSource(const std::filesystem::path& path,
                                               const ImportLimits& limits);

}  // namespace backpack::imports
