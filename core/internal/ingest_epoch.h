// A sequence lock between reads of a store and the ingestions of table files
// into it (core/internal/rocks_store.h).
#pragma once

#include <atomic>
#include <cstdint>

namespace backpack {

// Ingesting table files into several families shows one family's files
// before another's (RocksDB documents the mixed state), and an ingestion
// without a snapshot open is visible at once. So no read may overlap one: it
// could see a family after the ingestion and the next one before it. The
// epoch is odd while an ingestion is under way; a read waits for an even
// epoch and runs again if the epoch moved meanwhile (a sequence lock).
class IngestEpoch {
 public:
  // Runs `read` until one run falls between ingestions; returns its result.
  template <typename Read>
  auto Outside(Read&& read) const {
    while (true) {
      const uint64_t before = epoch_.load(std::memory_order_acquire);
      if (before % 2 == 1) {
        epoch_.wait(before, std::memory_order_acquire);
        continue;
      }
      auto result = read();
      std::atomic_thread_fence(std::memory_order_acquire);
      if (epoch_.load(std::memory_order_relaxed) == before) return result;
    }
  }

  // Marks an ingestion under way for its lifetime.
  class UnderWay {
   public:
    explicit UnderWay(IngestEpoch& epoch) : epoch_(epoch.epoch_) {
      epoch_.fetch_add(1, std::memory_order_acq_rel);
    }
    ~UnderWay() {
      epoch_.fetch_add(1, std::memory_order_release);
      epoch_.notify_all();
    }
    UnderWay(const UnderWay&) = delete;
    UnderWay& operator=(const UnderWay&) = delete;

   private:
    std::atomic<uint64_t>& epoch_;
  };

 private:
  mutable std::atomic<uint64_t> epoch_{0};
};

}  // namespace backpack
