#include "core/internal/disk_space.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace backpack;
using namespace backpack::disk_space;

namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGuard = 16 * kMiB;

}  // namespace

TEST_CASE("a write needs the guard plus twice its size free") {
  CHECK(CheckWriteSpace(kGuard + 2 * kMiB, kGuard, kMiB).ok());
  CHECK(CheckWriteSpace(kGuard, kGuard, 0).ok());
  // 18 MiB free passed the old 16 MiB check; a 40 MiB batch then hit ENOSPC.
  Status refused = CheckWriteSpace(18 * kMiB, kGuard, 40 * kMiB);
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.message() ==
        "the disk is too full for a write of 40 MiB: it needs 96 MiB free, 18 MiB are; "
        "nothing was written");
  CHECK_FALSE(CheckWriteSpace(kGuard + 2 * kMiB - 1, kGuard, kMiB).ok());
  // Below the guard, or a small write that does not fit: the disk is full.
  Status full = CheckWriteSpace(4 * kMiB, kGuard, 100);
  CHECK(full.message() ==
        "the disk is full (4096 KiB free); writes are refused until space returns");
  CHECK(CheckWriteSpace(kGuard, kGuard, 100).message().starts_with("the disk is full ("));
  // 0 turns the check off (tests that let RocksDB itself hit ENOSPC).
  CHECK(CheckWriteSpace(0, 0, 40 * kMiB).ok());
}

TEST_CASE("opening needs the guard plus the write-ahead log free") {
  const std::string advice = "free some space before opening the store";
  CHECK(CheckOpenSpace(kGuard + 42 * kMiB, kGuard, 42 * kMiB, advice).ok());
  // The review's store: a 41.6 MB log, 25 MiB free.
  Status refused = CheckOpenSpace(25 * kMiB, kGuard, 41'600'000, advice);
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.message() ==
        "opening needs 56 MiB free to replay the 40 MiB write-ahead log; 25 MiB free; " + advice);
  CHECK(CheckOpenSpace(4 * kMiB, kGuard, 0, advice).message() ==
        "the disk is full (4096 KiB free); " + advice);
  CHECK(CheckOpenSpace(0, 0, 41'600'000, advice).ok());
}

TEST_CASE("the write-ahead log's size is the sum of the database's .log files") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("backpack-disk-space-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub.log");  // a directory is not a log
  auto write = [&](const std::string& name, size_t bytes) {
    std::ofstream(dir / name, std::ios::binary) << std::string(bytes, 'x');
  };
  write("000012.log", 1000);
  write("000015.log", 234);
  write("LOG", 5000);  // RocksDB's diagnostic log
  write("000014.sst", 7000);
  CHECK(WalBytes(dir.string()) == 1234);
  CHECK(WalBytes((dir / "absent").string()) == 0);
  CHECK(FreeBytes((dir / "absent" / "deeper").string()).has_value());  // its nearest ancestor
  std::filesystem::remove_all(dir);
}
