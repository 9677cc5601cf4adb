#include "core/data_keys.h"

#include <chrono>
#include <thread>

namespace backpack {
namespace {

constexpr uint8_t kTombstone[] = {'S', 'H', 'R', 'E', 'D', 'D', 'E', 'D'};
// How many times Shred flushes and compacts before it gives up for now.
constexpr int kCompactionAttempts = 3;

Bytes WrapAd(const std::string& subject) {
  std::string ad = "backpack data key v1:" + subject;
  return Bytes(ad.begin(), ad.end());
}

}  // namespace

DataKeyRing::DataKeyRing(Store& store, const AeadKey& kek, size_t cache_capacity)
    : store_(store), kek_(kek), cache_capacity_(cache_capacity) {}

DataKeyRing::~DataKeyRing() {
  for (auto& [subject, entry] : cache_) SecureWipe(entry.key);
  SecureWipe(kek_);
}

ByteView DataKeyRing::Tombstone() { return ByteView(kTombstone, sizeof(kTombstone)); }

Result<std::optional<AeadKey>> DataKeyRing::ReadStored(const std::string& subject) {
  ASSIGN_OR_RETURN(auto stored, store_.Get(cf::kDataKeys, AsBytes(subject)));
  if (!stored) return std::optional<AeadKey>();
  ByteView value(*stored);
  if (value.size() == sizeof(kTombstone) &&
      std::equal(value.begin(), value.end(), Tombstone().begin())) {
    return Err(GoneError("the record was shredded"));
  }
  auto opened = AeadOpen(kek_, value, WrapAd(subject));
  if (!opened) {
    return Err(
        DataLossError("a data key does not open with this key-encryption key (is --keys "
                      "the store's key directory?), or its bytes were changed"));
  }
  Bytes plain = std::move(*opened);
  if (plain.size() != kAeadKeySize) return Err(DataLossError("wrapped data key has wrong size"));
  AeadKey key;
  std::copy(plain.begin(), plain.end(), key.begin());
  SecureWipe(plain);
  return std::optional<AeadKey>(key);
}

Result<std::optional<DataKeyRing::Entry>> DataKeyRing::LookupLocked(
    const std::string& subject, std::unique_lock<std::mutex>& lock) {
  for (;;) {
    if (marked_shredded_.contains(subject) || shredding_.contains(subject)) {
      return Err(GoneError("the record was shredded"));
    }
    if (auto it = cache_.find(subject); it != cache_.end()) {
      return std::optional<Entry>(it->second);
    }
    const uint64_t epoch = cache_epoch_;
    lock.unlock();
    auto stored = ReadStored(subject);
    lock.lock();
    // A shred began meanwhile (what was read may be stale), or keys were
    // evicted (one created and stored meanwhile may have left the cache).
    if (cache_epoch_ != epoch) {
      if (stored && *stored) SecureWipe(**stored);
      continue;
    }
    if (auto it = cache_.find(subject); it != cache_.end()) {  // cached meanwhile
      if (stored && *stored) SecureWipe(**stored);
      return std::optional<Entry>(it->second);
    }
    if (!stored) return Err(stored.error());
    if (!*stored) return std::optional<Entry>();
    Entry entry{**stored, /*durable=*/true};
    SecureWipe(**stored);
    InsertLocked(subject, entry);
    return std::optional<Entry>(entry);
  }
}

void DataKeyRing::InsertLocked(const std::string& subject, Entry entry) {
  if (cache_.size() >= cache_capacity_) {
    ++cache_epoch_;
    // Evict durable keys only; pending ones must stay until committed.
    for (auto it = cache_.begin(); it != cache_.end() && cache_.size() >= cache_capacity_ / 2;) {
      if (it->second.durable) {
        SecureWipe(it->second.key);
        it = cache_.erase(it);
      } else {
        ++it;
      }
    }
  }
  cache_[subject] = entry;
}

Result<DataKey> DataKeyRing::GetOrCreate(const std::string& subject) {
  std::unique_lock lock(mu_);
  ASSIGN_OR_RETURN(std::optional<Entry> found, LookupLocked(subject, lock));
  if (found) {
    DataKey key{found->key, std::nullopt};
    if (!found->durable) key.wrapped_to_persist = AeadSeal(kek_, key.key, WrapAd(subject));
    SecureWipe(found->key);
    return key;
  }
  Entry entry;
  RandomFill(entry.key);
  InsertLocked(subject, entry);
  return DataKey{entry.key, AeadSeal(kek_, entry.key, WrapAd(subject))};
}

Result<AeadKey> DataKeyRing::Get(const std::string& subject) {
  std::unique_lock lock(mu_);
  ASSIGN_OR_RETURN(std::optional<Entry> found, LookupLocked(subject, lock));
  if (!found) return Err(NotFoundError("no data key for this subject"));
  AeadKey key = found->key;
  SecureWipe(found->key);
  return key;
}

void DataKeyRing::MarkDurable(const std::string& subject) {
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(subject); it != cache_.end()) it->second.durable = true;
}

Status DataKeyRing::Shred(const std::string& subject) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(subject); it != cache_.end()) {
      SecureWipe(it->second.key);
      cache_.erase(it);
    }
    ++shredding_[subject];
    ++cache_epoch_;  // lookups that read the store before now read again
  }
  WriteBatch batch;
  batch.Put(cf::kDataKeys, AsBytes(subject), Tombstone());
  Status written = store_.Write(batch, /*sync=*/true);
  {
    std::lock_guard lock(mu_);
    // The store now answers (or, if the write failed, the old key), unless
    // another shred of the subject is still writing.
    if (--shredding_[subject] == 0) shredding_.erase(subject);
  }
  RETURN_IF_ERROR(written);
  for (int attempt = 0; attempt < kCompactionAttempts; ++attempt) {
    // A reader's snapshot (one read's worth) may have kept the old value
    // through the last compaction: give it a moment to finish.
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
    RETURN_IF_ERROR(store_.FlushAndCompact(cf::kDataKeys));
    ASSIGN_OR_RETURN(size_t versions, store_.CountVersions(cf::kDataKeys, AsBytes(subject)));
    if (versions <= 1) return OkStatus();  // the tombstone alone
  }
  return UnavailableError(
      "the shredded key's old value is still on disk; it is compacted away when the store "
      "next opens");
}

Result<bool> DataKeyRing::ShredComplete(const std::string& subject) {
  auto stored = ReadStored(subject);
  if (stored && *stored) SecureWipe(**stored);
  if (stored || stored.error().code() != StatusCode::kGone) return false;  // no tombstone
  ASSIGN_OR_RETURN(size_t versions, store_.CountVersions(cf::kDataKeys, AsBytes(subject)));
  return versions == 1;
}

void DataKeyRing::MarkShredded(const std::string& subject) {
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(subject); it != cache_.end()) {
    SecureWipe(it->second.key);
    cache_.erase(it);
  }
  marked_shredded_.insert(subject);
  ++cache_epoch_;  // lookups that read the store before now read again
}

void DataKeyRing::UnmarkShredded(const std::string& subject) {
  std::lock_guard lock(mu_);
  marked_shredded_.erase(subject);
}

bool DataKeyRing::IsShredded(const std::string& subject) {
  std::unique_lock lock(mu_);
  auto found = LookupLocked(subject, lock);
  if (found && *found) SecureWipe((*found)->key);
  return !found && found.error().code() == StatusCode::kGone;
}

}  // namespace backpack
