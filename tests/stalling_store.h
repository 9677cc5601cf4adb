// StallingSyncStore: the real store, except that SyncWal hangs while stalled,
// as on a disk that stops answering instead of failing. Test-only.
#pragma once

#include <condition_variable>
#include <mutex>

#include "tests/forwarding_store.h"

namespace backpack::testing {

class StallingSyncStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  // Syncs from now on hang until Release().
  void Stall() {
    std::lock_guard lock(mu_);
    stalled_ = true;
  }
  // Lets every hanging sync (and later ones) through.
  void Release() {
    {
      std::lock_guard lock(mu_);
      stalled_ = false;
    }
    cv_.notify_all();
  }
  // Syncs hanging now.
  int hanging() {
    std::lock_guard lock(mu_);
    return hanging_;
  }

  Status SyncWal() override {
    {
      std::unique_lock lock(mu_);
      ++hanging_;
      cv_.wait(lock, [&] { return !stalled_; });
      --hanging_;
    }
    return ForwardingStore::SyncWal();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stalled_ = false;  // guarded by mu_
  int hanging_ = 0;       // guarded by mu_
};

}  // namespace backpack::testing
