#include "events/log_signer.h"

#include <algorithm>
#include <vector>

#include "core/keys.h"
#include "events/checkpoint.h"
#include "events/codec.h"
#include "events/log_layout.h"

namespace backpack {
namespace {

// The key ID that the event at the iterator claims; nullopt if it is not a
// well-formed event (verification says why).
std::optional<std::string> KeyIdAt(const StoreIterator& it) {
  const Bytes aligned(it.value().begin(), it.value().end());  // FlatBuffers reads in place
  auto decoded = codec::DecodeSignedEvent(aligned);
  if (!decoded) return std::nullopt;
  return std::string(decoded->key_id);
}

struct EndKeyIds {
  std::optional<std::string> first, last;
};

Result<EndKeyIds> ReadEndKeyIds(Store& store) {
  ASSIGN_OR_RETURN(auto it, store.NewIterator(cf::kLog));
  EndKeyIds ids;
  it->SeekToFirst();
  if (it->Valid()) ids.first = KeyIdAt(*it);
  RETURN_IF_ERROR(it->status());
  it->SeekToLast();
  if (it->Valid()) ids.last = KeyIdAt(*it);
  RETURN_IF_ERROR(it->status());
  return ids;
}

// The key hashes the latest checkpoint's signatures under `origin` claim;
// none if there is no checkpoint, or it or its key is malformed (which
// verification names).
Result<std::vector<std::array<uint8_t, 4>>> LatestCheckpointSigners(Store& store,
                                                                    std::string_view origin) {
  using KeyHashes = std::vector<std::array<uint8_t, 4>>;
  auto latest = layout::LatestStoredCheckpoint(store);
  if (!latest && latest.error().code() == StatusCode::kDataLoss) return KeyHashes();
  if (!latest) return Err(latest.error());
  if (!*latest) return KeyHashes();
  auto hashes = NoteSignerKeyHashes((*latest)->note, origin);
  if (!hashes) return KeyHashes();
  return std::move(*hashes);
}

}  // namespace

Result<std::optional<std::string>> OtherLogSigner(Store& store, std::string_view origin,
                                                  const Ed25519PublicKey& key) {
  using Found = std::optional<std::string>;
  ASSIGN_OR_RETURN(EndKeyIds ids, ReadEndKeyIds(store));
  ASSIGN_OR_RETURN(auto checkpoint_signers, LatestCheckpointSigners(store, origin));
  const std::string key_id = SigningKeyId(key);
  const auto key_hash = NoteKeyHash(origin, key);
  if (ids.first == key_id || ids.last == key_id ||
      std::find(checkpoint_signers.begin(), checkpoint_signers.end(), key_hash) !=
          checkpoint_signers.end()) {
    return Found();
  }
  if (ids.first && ids.last && *ids.first != *ids.last) return Found();  // tampering
  if (ids.first) return Found("the log's events name key ID " + *ids.first);
  if (ids.last) return Found("the log's events name key ID " + *ids.last);
  if (!checkpoint_signers.empty()) {
    return Found("the log's latest checkpoint names key hash " + ToHex(checkpoint_signers.front()));
  }
  return Found();
}

Status CheckLogSigner(Store& store, std::string_view origin, const Ed25519PublicKey& key,
                      std::string_view whose_key) {
  ASSIGN_OR_RETURN(std::optional<std::string> other, OtherLogSigner(store, origin, key));
  if (!other) return OkStatus();
  return FailedPreconditionError(*other + ", not " + std::string(whose_key) + " (key ID " +
                                 SigningKeyId(key) + ")");
}

}  // namespace backpack
