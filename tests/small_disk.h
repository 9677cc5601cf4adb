// A tmpfs mounted for a test's lifetime, to fill up (a full disk). Mounting
// needs root (as in CI); mounted() is false otherwise and the test skips.
// Test-only.
#pragma once

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace backpack::testing {

class SmallDisk {
 public:
  SmallDisk(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    std::string options = "size=" + size + ",mode=0700";
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool mounted() const { return mounted_; }
  uint64_t FreeBytes() const {
    struct statvfs info {};
    if (::statvfs(dir_.c_str(), &info) != 0) return 0;
    return static_cast<uint64_t>(info.f_bavail) * info.f_frsize;
  }
  // Writes a filler file until fewer than `leave` bytes are free (to within
  // a MiB).
  void FillLeaving(uint64_t leave) {
    std::ofstream filler(dir_ / "filler", std::ios::binary);
    const std::string block(1 << 20, '\0');
    for (int i = 0; i < 4096 && FreeBytes() > leave + block.size(); ++i) {
      filler.write(block.data(), static_cast<std::streamsize>(block.size()));
      filler.flush();
    }
  }
  // Writes a filler file leaving `leave` bytes free, or up to one block
  // (page) more.
  void FillLeavingExactly(uint64_t leave) {
    struct statvfs info {};
    if (::statvfs(dir_.c_str(), &info) != 0 || FreeBytes() <= leave) return;
    const uint64_t block = info.f_frsize;
    const uint64_t fill = (FreeBytes() - leave) / block * block;
    std::ofstream filler(dir_ / "filler", std::ios::binary);
    const std::string chunk(1 << 20, '\0');
    for (uint64_t written = 0; written < fill;) {
      const uint64_t n = std::min<uint64_t>(chunk.size(), fill - written);
      filler.write(chunk.data(), static_cast<std::streamsize>(n));
      written += n;
    }
  }
  void Free() { std::filesystem::remove(dir_ / "filler"); }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
};

}  // namespace backpack::testing
