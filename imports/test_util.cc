#include "imports/test_util.h"

#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace backpack::imports::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("backpack-imports-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFile(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

Bytes ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFolder(const fs::path& dir, const FileSet& files) {
  for (const auto& [name, content] : files) WriteFile(dir / name, content);
}

namespace {

// A libzip source producing `size` zero bytes on demand.
struct Zeros {
  uint64_t size = 0;
  uint64_t offset = 0;
  zip_error_t error;
};

zip_int64_t ZerosCallback(void* state, void* data, zip_uint64_t length, zip_source_cmd_t cmd) {
  auto* zeros = static_cast<Zeros*>(state);
  switch (cmd) {
    case ZIP_SOURCE_OPEN:
      zeros->offset = 0;
      return 0;
    case ZIP_SOURCE_READ: {
      uint64_t n = std::min<uint64_t>(length, zeros->size - zeros->offset);
      std::memset(data, 0, n);
      zeros->offset += n;
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_STAT: {
      auto* stat = static_cast<zip_stat_t*>(data);
      zip_stat_init(stat);
      stat->size = zeros->size;
      stat->valid |= ZIP_STAT_SIZE;
      return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR:
      return zip_error_to_data(&zeros->error, data, length);
    case ZIP_SOURCE_SUPPORTS:
      return ZIP_SOURCE_SUPPORTS_READABLE;
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:
      return 0;
    default:
      return -1;
  }
}

void Check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("libzip: " + what);
}

}  // namespace

void WriteZip(const fs::path& path, const ZipEntries& entries, const std::string& zeros_name,
              uint64_t zeros_size) {
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  Check(zip != nullptr, "open");
  for (const auto& [name, content] : entries) {
    // libzip reads the buffer at zip_close(); `entries` outlives that.
    zip_source_t* source = zip_source_buffer(zip, content.data(), content.size(), 0);
    Check(source != nullptr && zip_file_add(zip, name.c_str(), source, 0) >= 0, "add " + name);
  }
  Zeros zeros{zeros_size, 0, {}};
  zip_error_init(&zeros.error);
  if (zeros_size > 0) {
    zip_source_t* source = zip_source_function(zip, ZerosCallback, &zeros);
    Check(source != nullptr && zip_file_add(zip, zeros_name.c_str(), source, 0) >= 0, "zeros");
  }
  Check(zip_close(zip) == 0, "close");
  zip_error_fini(&zeros.error);
}

ZipEntries EntriesOf(const FileSet& files, const std::string& folder) {
  ZipEntries entries;
  for (const auto& [name, content] : files) {
    entries.emplace_back(folder.empty() ? name : folder + "/" + name, content);
  }
  return entries;
}

std::vector<std::string> Messages(const ImportErrors& errors) {
  std::vector<std::string> out;
  for (const ImportError& e : errors.errors()) out.push_back(e.ToString());
  return out;
}

}  // namespace backpack::imports::testing
