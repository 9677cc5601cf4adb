// Per-subject data keys: each student (data subject) has one random
// XChaCha20-Poly1305 key that encrypts every personal payload about them, in
// the log and in projections. Keys are stored wrapped by the KEK in column
// family `data_keys` (subject id -> nonce || sealed key); destroying that one
// entry crypto-shreds the subject.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/crypto.h"
#include "core/store.h"

namespace backpack {

// A subject's key and, if it was just created and is not yet durable, the
// (family, key, value) write that persists it. Whoever commits the first
// ciphertext under a new key must include that write in the same batch.
struct DataKey {
  AeadKey key{};
  std::optional<Bytes> wrapped_to_persist;
};

class DataKeyRing {
 public:
  // `store` and `kek` must outlive the ring. Caches at most `cache_capacity`
  // unwrapped keys in memory; evicted keys are wiped.
  DataKeyRing(Store& store, const AeadKey& kek, size_t cache_capacity = 200'000);
  ~DataKeyRing();

  // The subject's key, created on first use. kGone if the subject was shredded
  // or marked shredded (MarkShredded): a shredded subject never gets a new key.
  Result<DataKey> GetOrCreate(const std::string& subject);
  // The subject's key; kNotFound if it never had one, kGone if shredded.
  Result<AeadKey> Get(const std::string& subject);
  // Records that the wrapped key of `subject` is now durable. Until then every
  // GetOrCreate returns the same key with its wrapped form to persist, so a
  // failed commit never strands ciphertext under a lost key.
  void MarkDurable(const std::string& subject);

  // Crypto-shreds `subject`: wipes the cache, replaces its wrapped key with a
  // tombstone, and flushes and compacts until no memtable or table file holds
  // the old value. kUnavailable if one still does (a long read's snapshot
  // kept it through every attempt, or the disk is full): shredding again
  // finishes the job, as the family projection does whenever the store opens.
  Status Shred(const std::string& subject);
  bool IsShredded(const std::string& subject);
  // True once the store holds the tombstone of `subject` and no older value
  // of its key; false after a crash or failure between writing the
  // RecordShredded and the tombstone, or the tombstone and compacting the old
  // value away. Asks the store, whatever MarkShredded said.
  Result<bool> ShredComplete(const std::string& subject);

  // From now on, in memory, `subject` is shredded: its cached key is wiped
  // and every lookup (GetOrCreate, Get, IsShredded) answers kGone without
  // reading the store, until Shred destroys the stored key. The event log
  // marks each subject whose RecordShredded it has written, so that nothing
  // sealed after that point can use, or re-create, the subject's key.
  void MarkShredded(const std::string& subject);
  // Undoes MarkShredded (the RecordShredded was not written after all):
  // lookups ask the store again.
  void UnmarkShredded(const std::string& subject);

  // The value stored for a shredded subject.
  static ByteView Tombstone();

 private:
  struct Entry {
    AeadKey key{};
    bool durable = false;
  };
  // The subject's wrapped key as stored, unwrapped: nullopt if none, kGone if
  // shredded. Called without mu_: a store call may wait for the store's own
  // lock, which a reader holding an iterator keeps while it asks for a key.
  Result<std::optional<AeadKey>> ReadStored(const std::string& subject);
  // The subject's cache entry, reading the store (with `lock`, which holds
  // mu_, released meanwhile) and caching what it holds if not cached: nullopt
  // if the store has no key, kGone if shredded or being shredded. Holds mu_
  // again on return.
  Result<std::optional<Entry>> LookupLocked(const std::string& subject,
                                            std::unique_lock<std::mutex>& lock);
  void InsertLocked(const std::string& subject, Entry entry);

  Store& store_;
  AeadKey kek_;
  size_t cache_capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // guarded by mu_
  // Subjects marked shredded (MarkShredded; guarded by mu_).
  std::unordered_set<std::string> marked_shredded_;
  // Subjects whose tombstone Shred is writing, with how many shreds of each
  // are (guarded by mu_).
  std::unordered_map<std::string, int> shredding_;
  // Bumped whenever a shred begins, a subject is marked shredded or keys are
  // evicted (guarded by mu_): a lookup that read the store while it changed
  // reads again, since what it read may be stale, or a key created meanwhile
  // may have left the cache.
  uint64_t cache_epoch_ = 0;
};

}  // namespace backpack
