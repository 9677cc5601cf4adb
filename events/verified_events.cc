#include "events/verified_events.h"

#include <algorithm>

namespace backpack {

VerifiedEvents::VerifiedEvents(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

bool VerifiedEvents::Contains(uint64_t seq, const Hash256& stored_digest) const {
  std::lock_guard lock(mu_);
  if (slots_.empty()) return false;
  const Slot& slot = slots_[seq % capacity_];
  return slot.seq_plus_one == seq + 1 && slot.digest == stored_digest;
}

void VerifiedEvents::Remember(uint64_t seq, const Hash256& stored_digest) {
  std::lock_guard lock(mu_);
  if (slots_.empty()) slots_.resize(capacity_);
  slots_[seq % capacity_] = Slot{seq + 1, stored_digest};
}

}  // namespace backpack
