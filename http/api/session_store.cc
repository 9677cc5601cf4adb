// SessionStore: live sign-in sessions, in memory and, store-backed, in the
// `sessions` column family. api_auth.h states the contract;
// docs/storage-format.md the rows.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <utility>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/threads.h"
#include "http/api/api_auth.h"

namespace backpack::api {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr int64_t kSweepEveryMicros = 60 * kMicrosPerSecond;
// A row's value: the last-used time (8 bytes big-endian, unix
// microseconds), then the user id (opaque, at most this long).
constexpr size_t kTimeBytes = 8;
constexpr size_t kMaxUserIdBytes = 256;
// Deletes End and EndAllFor could not save, kept to retry; past this many
// the oldest are given up (logged), so a store failing for long cannot grow
// memory without bound.
constexpr size_t kMaxUnsavedDeletes = 65'536;

std::string TokenDigest(std::string_view token) {
  return std::string(AsChars(Sha256(AsBytes(token))));
}

// A token is exactly what Create() hands out; anything else is not looked up.
bool LooksLikeToken(std::string_view token) {
  return token.size() == 2 * kTokenBytes && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Bytes EncodeRow(int64_t last_used_us, std::string_view user_id) {
  const auto time = EncodeBigEndian64(static_cast<uint64_t>(last_used_us));
  Bytes value(kTimeBytes + user_id.size());
  std::memcpy(value.data(), time.data(), kTimeBytes);
  if (!user_id.empty()) std::memcpy(value.data() + kTimeBytes, user_id.data(), user_id.size());
  return value;
}

struct Row {
  int64_t last_used_us = 0;
  std::string user_id;
};

// Nullopt for a row that Create did not write (a key that is not a digest,
// a value too short or too long, a time out of range).
std::optional<Row> DecodeRow(ByteView key, ByteView value) {
  if (key.size() != sizeof(Hash256) || value.size() <= kTimeBytes ||
      value.size() > kTimeBytes + kMaxUserIdBytes) {
    return std::nullopt;
  }
  const uint64_t time = DecodeBigEndian64(value.first(kTimeBytes));
  if (time > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return Row{static_cast<int64_t>(time), std::string(AsChars(value.subspan(kTimeBytes)))};
}

}  // namespace

SessionStore::SessionStore(Clock& clock, SessionOptions options)
    : SessionStore(clock, options, nullptr) {}

SessionStore::SessionStore(Clock& clock, SessionOptions options, Store* store)
    : clock_(clock), options_(options), store_(store) {}

Result<std::unique_ptr<SessionStore>> SessionStore::Open(Store& store, Clock& clock,
                                                         SessionOptions options) {
  std::unique_ptr<SessionStore> sessions(new SessionStore(clock, options, &store));
  RETURN_IF_ERROR(sessions->Load());
  try {
    sessions->persister_ = StartThread([raw = sessions.get()] { raw->PersistLoop(); });
  } catch (...) {  // std::system_error: no thread can be started
    return Err(UnavailableError(CaughtError("starting the sessions' writer").message()));
  }
  return sessions;
}

SessionStore::~SessionStore() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (persister_.joinable()) persister_.join();
  PersistLastUse();
}

Status SessionStore::Load() {
  RETURN_IF_ERROR(store_->EnsureColumnFamily(kSessionsFamily));
  const int64_t now = clock_.NowMicros();
  WriteBatch dropped;
  size_t undecodable = 0;
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto it, store_->NewIterator(kSessionsFamily));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<Row> row = DecodeRow(it->key(), it->value());
    if (!row) ++undecodable;
    // A time ahead of the clock (the clock was set back) counts from now.
    const int64_t used = row ? std::min(row->last_used_us, now) : 0;
    if (!row || IdleTooLong(used, now)) {
      dropped.Delete(kSessionsFamily, it->key());
      continue;
    }
    sessions_[std::string(AsChars(it->key()))] = Entry{std::move(row->user_id), used, used};
  }
  RETURN_IF_ERROR(it->status());
  it.reset();
  if (undecodable > 0) spdlog::warn("sessions: dropped {} rows that do not decode", undecodable);
  if (dropped.Count() == 0) return OkStatus();
  Status deleted = store_->Write(dropped, /*sync=*/false);
  if (!deleted.ok()) spdlog::warn("sessions: deleting ended ones failed: {}", deleted.message());
  return OkStatus();
}

Result<std::string> SessionStore::Create(std::string_view user_id) {
  std::string token = ToHex(RandomBytes(kTokenBytes));
  std::string digest = TokenDigest(token);
  const int64_t now = clock_.NowMicros();
  if (store_) {
    WriteBatch batch;
    batch.Put(kSessionsFamily, AsBytes(digest), EncodeRow(now, user_id));
    std::lock_guard write(write_mu_);
    if (Status saved = WriteSyncedLocked(batch); !saved.ok()) {
      spdlog::error("sessions: a new session could not be saved: {}", saved.message());
      return Err(UnavailableError("the session could not be saved: " + saved.message()));
    }
  }
  std::lock_guard lock(mu_);
  SweepLocked(now);
  sessions_[std::move(digest)] = Entry{std::string(user_id), now, now};
  return token;
}

std::optional<std::string> SessionStore::Touch(std::string_view token) {
  if (!LooksLikeToken(token)) return std::nullopt;
  const int64_t now = clock_.NowMicros();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(TokenDigest(token));
  if (it == sessions_.end()) return std::nullopt;
  if (IdleTooLong(it->second.last_used_us, now)) {
    DropLocked(it);
    return std::nullopt;
  }
  it->second.last_used_us = now;
  return it->second.user_id;
}

Result<bool> SessionStore::End(std::string_view token) {
  if (!LooksLikeToken(token)) return false;
  std::string digest = TokenDigest(token);
  {
    std::lock_guard lock(mu_);
    if (sessions_.erase(digest) == 0) return false;
  }
  RETURN_IF_ERROR(DeleteDurably({std::move(digest)}));
  return true;
}

Status SessionStore::EndAllFor(std::string_view user_id) {
  std::vector<std::string> ended;
  {
    std::lock_guard lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second.user_id != user_id) {
        ++it;
        continue;
      }
      ended.push_back(it->first);
      it = sessions_.erase(it);
    }
  }
  if (ended.empty()) return OkStatus();
  return DeleteDurably(ended);
}

void SessionStore::Forget(std::string_view token) {
  if (!LooksLikeToken(token)) return;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(TokenDigest(token));
  if (it != sessions_.end()) DropLocked(it);
}

size_t SessionStore::size() {
  std::lock_guard lock(mu_);
  SweepLocked(clock_.NowMicros(), /*force=*/true);
  return sessions_.size();
}

bool SessionStore::IdleTooLong(int64_t last_used_us, int64_t now_us) const {
  return now_us - last_used_us >= options_.idle_micros;
}

void SessionStore::DropLocked(std::unordered_map<std::string, Entry>::iterator it) {
  if (store_) dropped_.push_back(it->first);
  sessions_.erase(it);
}

void SessionStore::SweepLocked(int64_t now_us, bool force) {
  if (!force && last_sweep_us_ != 0 && now_us - last_sweep_us_ < kSweepEveryMicros) return;
  last_sweep_us_ = now_us;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    if (IdleTooLong(it->second.last_used_us, now_us)) DropLocked(it);
    it = next;
  }
}

Status SessionStore::WriteSyncedLocked(WriteBatch& batch) {
  for (const std::string& digest : unsaved_deletes_) {
    batch.Delete(kSessionsFamily, AsBytes(digest));
  }
  RETURN_IF_ERROR(store_->Write(batch, /*sync=*/true));
  unsaved_deletes_.clear();
  return OkStatus();
}

Status SessionStore::DeleteDurably(const std::vector<std::string>& digests) {
  if (!store_) return OkStatus();
  WriteBatch batch;
  for (const std::string& digest : digests) batch.Delete(kSessionsFamily, AsBytes(digest));
  std::lock_guard write(write_mu_);
  Status deleted = WriteSyncedLocked(batch);
  if (deleted.ok()) return deleted;
  // No token and no user id in the log: the count and the store's reason.
  spdlog::error("sessions: {} ended sessions could not be deleted durably ({}); retrying later",
                digests.size(), deleted.message());
  unsaved_deletes_.insert(unsaved_deletes_.end(), digests.begin(), digests.end());
  if (unsaved_deletes_.size() > kMaxUnsavedDeletes) {
    const size_t excess = unsaved_deletes_.size() - kMaxUnsavedDeletes;
    spdlog::error("sessions: giving up {} unsaved deletes", excess);
    unsaved_deletes_.erase(unsaved_deletes_.begin(), unsaved_deletes_.begin() + excess);
  }
  return deleted;
}

WriteBatch SessionStore::LastUseBatchLocked() {
  WriteBatch batch;
  SweepLocked(clock_.NowMicros(), /*force=*/true);
  for (const std::string& digest : dropped_) batch.Delete(kSessionsFamily, AsBytes(digest));
  dropped_.clear();
  for (auto& [digest, entry] : sessions_) {
    if (entry.stored_us == entry.last_used_us) continue;
    batch.Put(kSessionsFamily, AsBytes(digest), EncodeRow(entry.last_used_us, entry.user_id));
    entry.stored_us = entry.last_used_us;
  }
  return batch;
}

void SessionStore::PersistLastUse() {
  if (!store_) return;
  std::lock_guard write(write_mu_);
  WriteBatch batch;
  {
    std::lock_guard lock(mu_);
    batch = LastUseBatchLocked();
  }
  Status written;
  if (!unsaved_deletes_.empty()) {
    written = WriteSyncedLocked(batch);
  } else if (batch.Count() > 0) {
    written = store_->Write(batch, /*sync=*/false);
  }
  if (!written.ok()) spdlog::warn("sessions: writing last use failed: {}", written.message());
}

void SessionStore::PersistLoop() {
  const auto period = std::chrono::microseconds(kPersistEvery);
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    PersistLastUse();
    lock.lock();
  }
}

}  // namespace backpack::api
