// Test helpers for imports/: temporary folders, zips built with libzip, and a
// small synthetic, valid import set. Test-only; names are invented.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "imports/import_errors.h"
#include "imports/source.h"

namespace backpack::imports::testing {

// A fresh directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::filesystem::path& path, std::string_view content);
Bytes ReadBytes(const std::filesystem::path& path);

// Writes every file of `files` into `dir`.
void WriteFolder(const std::filesystem::path& dir, const FileSet& files);

// Entries in order; names are stored exactly as given (no sanitising).
using ZipEntries = std::vector<std::pair<std::string, std::string>>;
// Writes a zip at `path` holding `entries` and, if `zeros_size` is non-zero,
// one more entry `zeros_name` of that many zero bytes, generated while
// compressing so that it is never held in memory.
void WriteZip(const std::filesystem::path& path, const ZipEntries& entries,
              const std::string& zeros_name = "", uint64_t zeros_size = 0);
ZipEntries EntriesOf(const FileSet& files, const std::string& folder = "");

// A complete, valid set: every OneRoster and supplemental file.
FileSet GoodFiles();

// Every error as "file:line: message".
std::vector<std::string> Messages(const ImportErrors& errors);

}  // namespace backpack::imports::testing
