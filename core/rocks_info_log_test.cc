#include "core/internal/rocks_info_log.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

using backpack::rocks::InfoLog;

namespace {

void Log(rocksdb::Logger& log, const char* message) {
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, &log, "%s", message);
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory, removed on exit.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("backpack-info-log-" + std::to_string(::getpid()));
  ScratchDir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("the info log writes each line with its time and thread") {
  ScratchDir dir;
  auto path = dir.path / "LOG";
  {
    InfoLog log(path.string());
    Log(log, "first line");
    rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, &log, "second %d", 2);
    CHECK(log.dropped_lines() == 0);
  }
  std::string text = ReadAll(path);
  CHECK(text.find("first line\n") != std::string::npos);
  CHECK(text.find("[WARN] second 2\n") != std::string::npos);
  CHECK(text.starts_with("20"));  // the year begins the line
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);
}

TEST_CASE("a full disk drops log lines, never the process, and the next line is tried again") {
  // /dev/full refuses every write with ENOSPC. RocksDB's own logger aborts
  // on the line after the first failure (in a build with assertions).
  InfoLog log("/dev/full");
  for (int i = 0; i < 3; ++i) Log(log, "a line the disk has no room for");
  CHECK(log.dropped_lines() == 3);
}

TEST_CASE("a log that cannot be opened drops its lines") {
  InfoLog log("/nonexistent-directory/LOG");
  Log(log, "nowhere to go");
  CHECK(log.dropped_lines() == 1);
}

TEST_CASE("a log past its size limit is kept as LOG.old and begun again") {
  ScratchDir dir;
  auto path = dir.path / "LOG";
  const std::string filler(4000, 'x');
  InfoLog log(path.string());
  Log(log, "the oldest line");
  for (uint64_t written = 0; written <= InfoLog::kMaxFileBytes; written += filler.size()) {
    Log(log, filler.c_str());
  }
  Log(log, "the newest line");
  CHECK(std::filesystem::file_size(path) < InfoLog::kMaxFileBytes);
  CHECK(std::filesystem::file_size(dir.path / "LOG.old") <= InfoLog::kMaxFileBytes);
  CHECK(ReadAll(dir.path / "LOG.old").find("the oldest line") != std::string::npos);
  CHECK(ReadAll(path).find("the newest line") != std::string::npos);
  CHECK(log.dropped_lines() == 0);
}
