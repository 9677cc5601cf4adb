#include "events/log_reading.h"

#include "events/codec.h"
#include "events/log_layout.h"

namespace backpack {
namespace log_reading {
namespace {

// Decrypts `payload`, stored for `header`, into `out`, marking it shredded
// if the subject's key is gone.
Status DecryptPayload(DataKeyRing& data_keys, const EventHeader& header, ByteView payload,
                      LoggedEvent& out) {
  if (!header.payload_encrypted) {
    out.payload.assign(payload.begin(), payload.end());
    return OkStatus();
  }
  auto key = data_keys.Get(header.subject_id);
  if (!key && key.error().code() == StatusCode::kGone) {
    out.shredded = true;
    return OkStatus();
  }
  if (!key) return key.error();
  ASSIGN_OR_RETURN(out.payload, AeadOpen(*key, payload, codec::PayloadAssociatedData(header)));
  return OkStatus();
}

// Whether `decoded`, the event `seq` stored as `stored`, is signed by
// `public_key`: the signature is checked unless `verified` remembers these
// very bytes as checked.
Status CheckSignature(const Ed25519PublicKey& public_key, ByteView stored,
                      const codec::DecodedEvent& decoded, uint64_t seq, VerifiedEvents* verified) {
  Hash256 stored_digest{};
  if (verified) {
    stored_digest = Sha256(stored);
    if (verified->Contains(seq, stored_digest)) return OkStatus();
  }
  if (!VerifyEd25519(public_key, Sha256(decoded.body), decoded.signature)) {
    return DataLossError("event " + std::to_string(seq) + " has a bad signature");
  }
  if (verified) verified->Remember(seq, stored_digest);
  return OkStatus();
}

}  // namespace

Result<Bytes> ReadStored(Store& store, uint64_t seq) {
  ASSIGN_OR_RETURN(auto stored, store.Get(cf::kLog, layout::LogKey(seq)));
  if (!stored) return Err(NotFoundError("no event " + std::to_string(seq)));
  return std::move(*stored);
}

Result<LoggedEvent> ReadEvent(Store& store, DataKeyRing& data_keys,
                              const Ed25519PublicKey& public_key, uint64_t seq,
                              VerifiedEvents* verified) {
  ASSIGN_OR_RETURN(Bytes stored, ReadStored(store, seq));
  ASSIGN_OR_RETURN(codec::DecodedEvent decoded, codec::DecodeSignedEvent(stored));
  if (decoded.header.seq != seq) return Err(DataLossError("event claims another seq"));
  RETURN_IF_ERROR(CheckSignature(public_key, stored, decoded, seq, verified));
  LoggedEvent out{std::move(decoded.header), {}, false};
  RETURN_IF_ERROR(DecryptPayload(data_keys, out.header, decoded.payload, out));
  return out;
}

Status ReplayEvents(Store& store, DataKeyRing& data_keys, uint64_t from, uint64_t end,
                    size_t batch_size, const std::function<Status(std::span<LoggedEvent>)>& visit) {
  ASSIGN_OR_RETURN(auto it, store.NewIterator(cf::kLog, ReadView::kDurable, ScanExtent::kWhole));
  std::vector<LoggedEvent> batch;
  Bytes aligned;  // RocksDB's value bytes are not aligned, as FlatBuffers needs
  for (it->Seek(layout::LogKey(from)); it->Valid(); it->Next()) {
    ByteView value = it->value();
    aligned.assign(value.begin(), value.end());
    ASSIGN_OR_RETURN(codec::DecodedEvent decoded, codec::DecodeSignedEvent(aligned));
    if (decoded.header.seq >= end) break;
    LoggedEvent& event = batch.emplace_back(LoggedEvent{std::move(decoded.header), {}, false});
    RETURN_IF_ERROR(DecryptPayload(data_keys, event.header, decoded.payload, event));
    if (batch.size() >= batch_size) {
      RETURN_IF_ERROR(visit(batch));
      batch.clear();
    }
  }
  RETURN_IF_ERROR(it->status());
  if (!batch.empty()) RETURN_IF_ERROR(visit(batch));
  return OkStatus();
}

}  // namespace log_reading

merkle::NodeSource layout::StoredNodes(Store& store, ReadView view) {
  return [&store, view](uint8_t level, uint64_t index) -> Result<Hash256> {
    Result<std::optional<Bytes>> value = store.Get(cf::kMerkle, MerkleKey(level, index), view);
    if (!value) return Err(value.error());
    if (!value->has_value() || (*value)->size() != 32) {
      return Err(DataLossError("missing Merkle node " + std::to_string(level) + "/" +
                               std::to_string(index)));
    }
    Hash256 hash;
    std::copy((*value)->begin(), (*value)->end(), hash.begin());
    return hash;
  };
}

Result<std::string> layout::LogOrigin(Store& store) {
  auto stored = store.Get(cf::kMeta, AsBytes(kMetaOrigin));
  if (!stored) return Err(stored.error());
  if (!stored->has_value()) return std::string();
  return std::string(AsChars(**stored));
}

Result<std::optional<layout::StoredCheckpoint>> layout::LatestStoredCheckpoint(Store& store,
                                                                               uint64_t max_size,
                                                                               ReadView view) {
  ASSIGN_OR_RETURN(auto it, store.NewIterator(cf::kCheckpoints, view));
  if (max_size < UINT64_MAX) it->Seek(CheckpointKey(max_size + 1));  // the first key past it
  if (max_size < UINT64_MAX && it->Valid()) {
    it->Prev();
  } else {
    it->SeekToLast();
  }
  RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return std::optional<StoredCheckpoint>();
  if (it->key().size() != 8) return Err(DataLossError("malformed checkpoint key"));
  return std::optional<StoredCheckpoint>(
      StoredCheckpoint{DecodeBigEndian64(it->key()), std::string(AsChars(it->value()))});
}

}  // namespace backpack
