// The injectable clock. Production code reads time only through a Clock so
// tests can control it.
#pragma once

#include <atomic>
#include <cstdint>

namespace backpack {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in microseconds.
  virtual int64_t NowMicros() const = 0;
};

// Wall-clock time. Thread-safe.
Clock& SystemClock();

// A clock that moves only when told. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_micros) : now_(start_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void Advance(int64_t micros) { now_ += micros; }
  void Set(int64_t micros) { now_ = micros; }

 private:
  std::atomic<int64_t> now_;
};

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

}  // namespace backpack
