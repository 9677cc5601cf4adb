// Helpers shared by tests: temporary directories, an opened log, file scans.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/data_keys.h"
#include "core/keys.h"
#include "core/store.h"
#include "events/event_log.h"
#include "tests/process.h"

namespace backpack::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Keys and a store with an initialised log, in `dir`: created the first time,
// reopened afterwards. The log itself is not started. `bulk_bytes`, if given,
// sets both bulk-write thresholds of StoreOptions (1: every write is bulk).
struct TestStore {
  std::unique_ptr<StoreKeys> keys;  // stable address: the log refers to it
  std::unique_ptr<Store> store;
};
TestStore OpenTestStore(const std::filesystem::path& dir, std::string_view origin,
                        uint64_t min_free_bytes = StoreOptions().min_free_bytes,
                        std::optional<uint64_t> bulk_bytes = std::nullopt);

// A store with keys, a data key ring and an event log, in `dir`.
struct TestLog {
  std::filesystem::path dir;
  std::unique_ptr<StoreKeys> keys;  // stable address: the log refers to it
  std::unique_ptr<Store> store;
  std::unique_ptr<DataKeyRing> data_keys;
  std::unique_ptr<EventLog> log;

  // Creates (first time) or reopens the log in `dir`.
  static std::unique_ptr<TestLog> Open(const std::filesystem::path& dir,
                                       const EventLogOptions& options = {},
                                       uint64_t min_free_bytes = StoreOptions().min_free_bytes,
                                       std::optional<uint64_t> bulk_bytes = std::nullopt);
  // Stops the log and closes the store (keeps keys).
  void Close();
};

// A NoteWritten event about `subject` whose text is `text`.
NewEvent NoteEvent(const std::string& subject, const std::string& text);

// Waits until `flag` is set, for at most a minute (however slow the
// machine); whether it was set.
bool WaitFor(const std::atomic<bool>& flag);

// While in scope, the `fail_at`-th thread started through core/threads.h
// (counted from 1) cannot be started: its start throws std::system_error, as
// when the system has no thread or address space left for one.
class ThreadStartFailure {
 public:
  explicit ThreadStartFailure(int fail_at);
  ~ThreadStartFailure();
  ThreadStartFailure(const ThreadStartFailure&) = delete;
  ThreadStartFailure& operator=(const ThreadStartFailure&) = delete;
  // How many starts were tried (the failed one included).
  int tried() const { return tried_; }

 private:
  const int fail_at_;
  std::atomic<int> tried_{0};
};

// The seed of a randomized test's run: BACKPACK_TEST_SEED if set (to repeat
// a failure), else random. A test INFOs it, so that a failure prints it.
uint32_t RunSeed();

// The whole file as bytes; "" if it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

// True if any file under `root` contains `needle` (binary search of bytes).
bool AnyFileContains(const std::filesystem::path& root, std::string_view needle);

// Every key and value of every column family of `store`, concatenated: what
// a scan for plaintext searches besides the files.
std::string AllStoredBytes(Store& store);

}  // namespace backpack::testing
