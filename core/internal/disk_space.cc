#include "core/internal/disk_space.h"

#include <sys/statvfs.h>

#include <filesystem>

namespace backpack::disk_space {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

std::string KiB(uint64_t bytes) { return std::to_string(bytes >> 10) + " KiB"; }
// Whole MiB, rounded up: what is needed is never understated.
std::string MiBUp(uint64_t bytes) { return std::to_string((bytes + kMiB - 1) / kMiB) + " MiB"; }
// Whole MiB, rounded down: what is free is never overstated.
std::string MiBDown(uint64_t bytes) { return std::to_string(bytes / kMiB) + " MiB"; }

}  // namespace

std::optional<uint64_t> FreeBytes(const std::string& path) {
  // One statvfs per write: the walk up to an existing parent is only for a
  // path not made yet (a store being created).
  struct statvfs fs;
  std::filesystem::path existing(path);
  while (::statvfs(existing.empty() ? "." : existing.c_str(), &fs) != 0) {
    if (existing.empty() || existing == existing.root_path()) return std::nullopt;
    existing = existing.parent_path();
  }
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

uint64_t WalBytes(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".log" || !entry.is_regular_file(ec)) continue;
    const uint64_t size = entry.file_size(ec);
    if (!ec) total += size;
  }
  return total;
}

Status CheckWriteSpace(uint64_t free_bytes, uint64_t min_free_bytes, uint64_t batch_bytes) {
  if (min_free_bytes == 0) return OkStatus();
  const uint64_t needed = min_free_bytes + 2 * batch_bytes;
  if (free_bytes >= needed) return OkStatus();
  if (free_bytes < min_free_bytes || 2 * batch_bytes < kMiB) {
    return UnavailableError("the disk is full (" + KiB(free_bytes) +
                            " free); writes are refused until space returns");
  }
  return UnavailableError("the disk is too full for a write of " + MiBUp(batch_bytes) +
                          ": it needs " + MiBUp(needed) + " free, " + MiBDown(free_bytes) +
                          " are; nothing was written");
}

Status CheckOpenSpace(uint64_t free_bytes, uint64_t min_free_bytes, uint64_t wal_bytes,
                      const std::string& advice) {
  if (min_free_bytes == 0) return OkStatus();
  if (free_bytes < min_free_bytes) {
    return UnavailableError("the disk is full (" + KiB(free_bytes) + " free); " + advice);
  }
  const uint64_t needed = min_free_bytes + wal_bytes;
  if (free_bytes >= needed) return OkStatus();
  return UnavailableError("opening needs " + MiBUp(needed) + " free to replay the " +
                          MiBUp(wal_bytes) + " write-ahead log; " + MiBDown(free_bytes) +
                          " free; " + advice);
}

}  // namespace backpack::disk_space
