// Zip input via libzip. Declared sizes are summed before anything is
// inflated, and the bytes actually inflated are counted against the same
// budget, so an entry whose header lies stops at the limit.
#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "imports/internal/source_internal.h"

namespace backpack::imports::internal {
namespace {

struct ZipCloser {
  void operator()(zip_t* zip) const { zip_discard(zip); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

struct FileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

// A known file found in the archive.
struct Entry {
  zip_uint64_t index = 0;
  std::string folder;  // "" at the root, else the one top-level folder
  std::string base;
  uint64_t declared_size = 0;
};

std::string ZipErrorMessage(zip_error_t* error) {
  // libzip refuses to open an archive whose central directory names one
  // entry twice, without saying which: "File already exists" reads as if
  // something were written.
  if (zip_error_code_zip(error) == ZIP_ER_EXISTS) {
    return "the archive holds two entries with the same name";
  }
  return std::string("not a readable zip archive (") + zip_error_strerror(error) + ")";
}

// Opens `source` (taking ownership) as a read-only archive.
tl::expected<ZipPtr, std::string> OpenSource(zip_source_t* source) {
  zip_error_t error;
  zip_error_init(&error);
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (zip == nullptr) {
    zip_source_free(source);
    std::string message = ZipErrorMessage(&error);
    zip_error_fini(&error);
    return tl::unexpected(std::move(message));
  }
  zip_error_fini(&error);
  return ZipPtr(zip);
}

class ZipReader {
 public:
  ZipReader(zip_t* zip, std::string archive_name, const ImportLimits& limits)
      : zip_(zip), archive_(std::move(archive_name)), limits_(limits), errors_(limits.max_errors) {}

  tl::expected<FileSet, ImportErrors> Read() {
    ListEntries();
    if (errors_.empty()) CheckPlacement();
    FileSet files;
    uint64_t budget = limits_.max_total_bytes;
    for (const Entry& entry : entries_) {
      if (!errors_.empty()) break;
      ReadEntry(entry, &budget, &files);
    }
    if (!errors_.empty()) return tl::unexpected(std::move(errors_));
    return files;
  }

 private:
  void ListEntries() {
    zip_int64_t count = zip_get_num_entries(zip_, 0);
    if (count < 0 || static_cast<uint64_t>(count) > limits_.max_entries) {
      errors_.Add(archive_, 0, "more than " + std::to_string(limits_.max_entries) + " entries");
      errors_.MarkLimitExceeded();
      return;
    }
    uint64_t declared = 0;
    for (zip_int64_t i = 0; i < count; ++i) AddEntry(static_cast<zip_uint64_t>(i), &declared);
    if (declared > limits_.max_total_bytes) {
      errors_.Add(archive_, 0, TooLargeMessage(limits_));
      errors_.MarkLimitExceeded();
    }
  }

  void AddEntry(zip_uint64_t index, uint64_t* declared) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(zip_, index, 0, &stat) != 0 || !(stat.valid & ZIP_STAT_NAME)) {
      errors_.Add(archive_, 0, "unreadable entry " + std::to_string(index));
      return;
    }
    std::string_view name = stat.name;
    if (auto why = CheckEntryName(name)) {
      errors_.Add(archive_, 0, "entry \"" + Printable(name) + "\": " + *why);
      return;
    }
    if (name.back() == '/') return;  // a directory
    size_t slash = name.rfind('/');
    std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    if (!IsImportFileName(base)) return;
    std::string_view folder = slash == std::string_view::npos ? "" : name.substr(0, slash);
    if (folder.find('/') != std::string_view::npos) {
      errors_.Add(archive_, 0,
                  "entry \"" + Printable(name) + "\": nested more than one folder deep");
      return;
    }
    uint64_t size = (stat.valid & ZIP_STAT_SIZE) ? stat.size : 0;
    // Saturating: hostile sizes must not wrap the sum below the limit.
    *declared = size > UINT64_MAX - *declared ? UINT64_MAX : *declared + size;
    entries_.push_back(Entry{index, std::string(folder), std::string(base), size});
  }

  // All known files must share one folder (or the root), each once.
  void CheckPlacement() {
    for (size_t i = 0; i < entries_.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (entries_[i].base == entries_[j].base) {
          errors_.Add(archive_, 0, entries_[i].base + " appears more than once");
          return;
        }
        if (entries_[i].folder != entries_[j].folder) {
          errors_.Add(archive_, 0, "import files are spread over more than one folder");
          return;
        }
      }
    }
  }

  void ReadEntry(const Entry& entry, uint64_t* budget, FileSet* files) {
    std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(zip_, entry.index, 0));
    if (!file) {
      errors_.Add(entry.base, 0, std::string("cannot open (") + zip_strerror(zip_) + ")");
      return;
    }
    std::string content;
    content.reserve(std::min(entry.declared_size, *budget));
    auto read = [&](char* buffer, size_t size) -> int64_t {
      return zip_fread(file.get(), buffer, size);
    };
    if (auto why = ReadBounded(read, budget, &content)) {
      if (*why == "limit") {
        errors_.Add(archive_, 0, TooLargeMessage(limits_));
        errors_.MarkLimitExceeded();
      } else {
        errors_.Add(entry.base, 0,
                    std::string("cannot inflate (") + zip_file_strerror(file.get()) + ")");
      }
      return;
    }
    (*files)[entry.base] = std::move(content);
  }

  zip_t* zip_;
  std::string archive_;
  const ImportLimits& limits_;
  ImportErrors errors_;
  std::vector<Entry> entries_;
};

tl::expected<FileSet, ImportErrors> Fail(std::string_view archive, std::string message,
                                         const ImportLimits& limits) {
  ImportErrors errors(limits.max_errors);
  errors.Add(std::string(archive), 0, std::move(message));
  return tl::unexpected(std::move(errors));
}

}  // namespace

tl::expected<FileSet, ImportErrors> ReadZipFile(const std::filesystem::path& path,
                                                const ImportLimits& limits) {
  std::string name = path.filename().string();
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_file_create(path.c_str(), 0, -1, &error);
  if (source == nullptr) {
    std::string message = ZipErrorMessage(&error);
    zip_error_fini(&error);
    return Fail(name, std::move(message), limits);
  }
  zip_error_fini(&error);
  auto zip = OpenSource(source);
  if (!zip) return Fail(name, std::move(zip.error()), limits);
  return ZipReader(zip->get(), name, limits).Read();
}

}  // namespace backpack::imports::internal

namespace backpack::imports {

tl::expected<FileSet, ImportErrors> ReadZipSource(ByteView zip_bytes, std::string_view archive_name,
                                                  const ImportLimits& limits) {
  zip_error_t error;
  zip_error_init(&error);
  // The buffer is borrowed: `zip_bytes` outlives the archive, closed below.
  zip_source_t* source = zip_source_buffer_create(zip_bytes.data(), zip_bytes.size(), 0, &error);
  if (source == nullptr) {
    std::string message = internal::ZipErrorMessage(&error);
    zip_error_fini(&error);
    return internal::Fail(archive_name, std::move(message), limits);
  }
  zip_error_fini(&error);
  auto zip = internal::OpenSource(source);
  if (!zip) return internal::Fail(archive_name, std::move(zip.error()), limits);
  return internal::ZipReader(zip->get(), std::string(archive_name), limits).Read();
}

}  // namespace backpack::imports
