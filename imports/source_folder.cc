// Folder input. Every known file is resolved through symlinks and must stay
// inside the folder; sizes are checked before reading and bytes counted while
// reading, as for zips.
#include <algorithm>
#include <fstream>
#include <system_error>
#include <vector>

#include "imports/internal/source_internal.h"

namespace backpack::imports::internal {
namespace fs = std::filesystem;
namespace {

bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

bool HasImportFile(const fs::path& dir) {
  std::error_code ec;
  for (std::string_view name : ImportFileNames()) {
    if (fs::exists(fs::symlink_status(dir / name, ec))) return true;
  }
  return false;
}

// A known file to read, resolved through symlinks.
struct FolderFile {
  std::string name;
  fs::path resolved;
};

class FolderReader {
 public:
  FolderReader(const fs::path& path, const ImportLimits& limits)
      : label_(path.filename().string()), limits_(limits), errors_(limits.max_errors) {
    std::error_code ec;
    root_ = fs::canonical(path, ec);
    if (ec) errors_.Add(label_, 0, "cannot resolve folder");
    if (label_.empty()) label_ = root_.filename().string();
  }

  tl::expected<FileSet, ImportErrors> Read() {
    if (errors_.empty()) ListFiles(DataDirectory());
    FileSet files;
    uint64_t budget = limits_.max_total_bytes;
    for (const FolderFile& file : files_) {
      if (!errors_.empty()) break;
      ReadFile(file, &budget, &files);
    }
    if (!errors_.empty()) return tl::unexpected(std::move(errors_));
    return files;
  }

 private:
  // The root, or its only subfolder when the root holds no import file.
  fs::path DataDirectory() {
    if (HasImportFile(root_)) return root_;
    std::error_code ec;
    std::vector<fs::path> folders;
    size_t seen = 0;
    for (fs::directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
      if (++seen > limits_.max_entries) {
        errors_.Add(label_, 0, "more than " + std::to_string(limits_.max_entries) + " entries");
        errors_.MarkLimitExceeded();
        return root_;
      }
      if (it->is_directory(ec)) folders.push_back(it->path());
    }
    if (folders.size() == 1 && HasImportFile(folders[0])) return folders[0];
    return root_;
  }

  void ListFiles(const fs::path& dir) {
    uint64_t declared = 0;
    for (std::string_view name : ImportFileNames()) {
      std::error_code ec;
      fs::path path = dir / name;
      if (!fs::exists(fs::symlink_status(path, ec))) continue;
      fs::path resolved = fs::canonical(path, ec);
      if (ec || !IsWithin(resolved, root_)) {
        errors_.Add(std::string(name), 0, "symlink leads outside the import folder");
        continue;
      }
      if (!fs::is_regular_file(resolved, ec)) {
        errors_.Add(std::string(name), 0, "not a regular file");
        continue;
      }
      declared += fs::file_size(resolved, ec);
      files_.push_back(FolderFile{std::string(name), resolved});
    }
    if (declared > limits_.max_total_bytes) {
      errors_.Add(label_, 0, TooLargeMessage(limits_));
      errors_.MarkLimitExceeded();
    }
  }

  void ReadFile(const FolderFile& file, uint64_t* budget, FileSet* files) {
    std::ifstream in(file.resolved, std::ios::binary);
    if (!in) {
      errors_.Add(file.name, 0, "cannot open");
      return;
    }
    auto read = [&](char* buffer, size_t size) -> int64_t {
      in.read(buffer, static_cast<std::streamsize>(size));
      if (in.bad()) return -1;
      return in.gcount();
    };
    std::string content;
    if (auto why = ReadBounded(read, budget, &content)) {
      if (*why == "limit") {
        errors_.Add(label_, 0, TooLargeMessage(limits_));
        errors_.MarkLimitExceeded();
      } else {
        errors_.Add(file.name, 0, "cannot read");
      }
      return;
    }
    (*files)[file.name] = std::move(content);
  }

  std::string label_;
  const ImportLimits& limits_;
  ImportErrors errors_;
  fs::path root_;
  std::vector<FolderFile> files_;
};

}  // namespace

tl::expected<FileSet, ImportErrors> ReadFolder(const fs::path& path, const ImportLimits& limits) {
  return FolderReader(path, limits).Read();
}

}  // namespace backpack::imports::internal
