// RocksDB's diagnostic log (the `LOG` file in the database directory),
// written so that a full disk cannot take the process down with it.
//
// RocksDB's own file logger keeps a file writer that, once a write to the
// LOG has failed, treats every later line as a programming error: in a
// build with assertions (Debian's), the next line after ENOSPC aborts the
// process. A full disk must instead fail writes closed and leave the server
// up (SPEC §2.3), so the store logs through this class: a line that cannot
// be written is dropped, and writing resumes when space returns.
#pragma once

#include <rocksdb/env.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace backpack::rocks {

class InfoLog final : public rocksdb::Logger {
 public:
  // A log file stays under this size: past it, `path` is renamed to
  // `path`.old (replacing the one before) and a new file is begun.
  static constexpr uint64_t kMaxFileBytes = 16ull << 20;

  // Appends to `path`, creating it (0600) if missing. A file that cannot be
  // opened makes every line dropped, never an error: the log is diagnostics.
  explicit InfoLog(std::string path);
  ~InfoLog() override;

  // Writes one line: a timestamp, the thread and the formatted message.
  // Dropped, whole or in part, if the file cannot take it.
  void Logv(const char* format, va_list ap) override;
  using rocksdb::Logger::Logv;

  // Lines that could not be written so far.
  uint64_t dropped_lines() const;

 protected:
  rocksdb::Status CloseImpl() override;

 private:
  void OpenLocked();
  void RotateLocked();

  const std::string path_;
  mutable std::mutex mu_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t dropped_lines_ = 0;
};

// The store's info log for the database in `db_dir`.
std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& db_dir);

}  // namespace backpack::rocks
