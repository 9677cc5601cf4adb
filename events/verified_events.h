// VerifiedEvents: which stored events' signatures have already been checked
// in this process, so that reading the same bytes again (a record's history
// is read again and again) need not check the signature again. Checking an
// Ed25519 signature is most of the cost of EventLog::Read (docs/performance.md).
//
// An entry is the SHA-256 of an event's whole stored value (body and
// signature) under its sequence number: a read whose stored bytes hash to the
// remembered digest reads exactly the bytes that were checked, so it is as
// verified as if it checked them again. Any change to the bytes changes the
// digest, and the signature is checked again (and refused). Entries are only
// meaningful for the one public key they were checked against: one cache per
// log.
//
// Direct-mapped: entry `seq` lives in slot seq % capacity, and a later event
// in that slot replaces it. Memory is allocated on the first Remember.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "core/bytes.h"

namespace backpack {

class VerifiedEvents {
 public:
  // 2^17 slots of 40 bytes: 5 MiB once used.
  static constexpr size_t kDefaultCapacity = size_t{1} << 17;

  explicit VerifiedEvents(size_t capacity = kDefaultCapacity);
  VerifiedEvents(const VerifiedEvents&) = delete;
  VerifiedEvents& operator=(const VerifiedEvents&) = delete;

  // True if event `seq`'s stored bytes with SHA-256 `stored_digest` were
  // remembered as verified.
  bool Contains(uint64_t seq, const Hash256& stored_digest) const;
  // Remembers that the stored bytes of event `seq` with SHA-256
  // `stored_digest` passed the signature check.
  void Remember(uint64_t seq, const Hash256& stored_digest);

 private:
  struct Slot {
    uint64_t seq_plus_one = 0;  // 0: empty
    Hash256 digest{};
  };

  const size_t capacity_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;  // guarded by mu_; empty until the first Remember
};

}  // namespace backpack
