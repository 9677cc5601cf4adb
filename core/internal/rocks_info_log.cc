#include "core/internal/rocks_info_log.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace backpack::rocks {
namespace {

// A line longer than this is cut short.
constexpr size_t kMaxLineBytes = 8 * 1024;

// "2026/11/24-02:30:31.648123 7f12ab8c6640 ", as RocksDB's own logger
// begins each line. Returns the length written into `out`.
size_t WriteLinePrefix(char* out, size_t capacity) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  tm local{};
  ::localtime_r(&now.tv_sec, &local);
  int n = std::snprintf(out, capacity, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %llx ",
                        local.tm_year + 1900, local.tm_mon + 1, local.tm_mday, local.tm_hour,
                        local.tm_min, local.tm_sec, now.tv_nsec / 1000,
                        static_cast<unsigned long long>(::pthread_self()));
  return n > 0 ? std::min(static_cast<size_t>(n), capacity - 1) : 0;
}

}  // namespace

InfoLog::InfoLog(std::string path) : path_(std::move(path)) {
  std::lock_guard lock(mu_);
  OpenLocked();
}

InfoLog::~InfoLog() {
  if (!closed_) Close().PermitUncheckedError();
}

rocksdb::Status InfoLog::CloseImpl() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return rocksdb::Status::OK();
}

void InfoLog::OpenLocked() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  struct stat st {};
  size_ = fd_ >= 0 && ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  if (size_ >= kMaxFileBytes) RotateLocked();
}

void InfoLog::RotateLocked() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  size_ = 0;
  if (::rename(path_.c_str(), (path_ + ".old").c_str()) != 0) return;  // keep dropping
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void InfoLog::Logv(const char* format, va_list ap) {
  char line[kMaxLineBytes];
  size_t length = WriteLinePrefix(line, sizeof(line));
  int n = std::vsnprintf(line + length, sizeof(line) - length, format, ap);
  if (n > 0) length = std::min(length + static_cast<size_t>(n), sizeof(line) - 1);
  if (length == 0 || line[length - 1] != '\n') line[length++] = '\n';

  std::lock_guard lock(mu_);
  if (size_ + length > kMaxFileBytes) RotateLocked();
  ssize_t written = fd_ >= 0 ? ::write(fd_, line, length) : -1;
  if (written > 0) size_ += static_cast<uint64_t>(written);
  if (written != static_cast<ssize_t>(length)) ++dropped_lines_;
}

uint64_t InfoLog::dropped_lines() const {
  std::lock_guard lock(mu_);
  return dropped_lines_;
}

std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& db_dir) {
  return std::make_shared<InfoLog>(db_dir + "/LOG");
}

}  // namespace backpack::rocks
