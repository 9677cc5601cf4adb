#include "events/verifier.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "core/keys.h"
#include "events/checkpoint.h"
#include "events/codec.h"
#include "events/log_layout.h"
#include "events/log_signer.h"
#include "events/merkle.h"
#include "events/signing_pool.h"

namespace backpack {
namespace {

// The first problem found, by sequence number.
class Findings {
 public:
  void Report(uint64_t seq, std::string why) {
    if (!bad_ || seq < seq_) {
      bad_ = true;
      seq_ = seq;
      why_ = std::move(why);
    }
  }
  bool bad() const { return bad_; }
  uint64_t seq() const { return seq_; }
  const std::string& why() const { return why_; }

 private:
  bool bad_ = false;
  uint64_t seq_ = 0;
  std::string why_;
};

// Events are verified in chunks, so memory stays bounded whatever the log's
// size: the raw entries of a chunk are read in key order, everything that
// needs no neighbour (decoding, hashes, the signature) runs in parallel, and
// then numbering, the chain and the tree are checked in order.
constexpr size_t kChunkEvents = 16'384;

using NodeList = std::vector<std::pair<std::array<uint8_t, 9>, Hash256>>;

// What one entry yields on its own.
struct CheckedEntry {
  std::optional<std::string> malformed;      // not a well-formed entry
  std::optional<std::string> bad_signature;  // well-formed, but the signature fails
  EventHeader header;
  Hash256 prev_hash{};        // as the entry claims it
  bool prev_hash_ok = false;  // 32 bytes
  Hash256 body_hash{};
  Hash256 leaf_hash{};
};

CheckedEntry CheckEntry(ByteView stored, const Ed25519PublicKey& key) {
  CheckedEntry out;
  auto decoded = codec::DecodeSignedEvent(stored);
  if (!decoded) {
    out.malformed = decoded.error().message();
    return out;
  }
  out.header = decoded->header;
  out.prev_hash_ok = decoded->prev_hash.size() == 32;
  if (out.prev_hash_ok) {
    std::copy(decoded->prev_hash.begin(), decoded->prev_hash.end(), out.prev_hash.begin());
  }
  out.body_hash = Sha256(decoded->body);
  out.leaf_hash = merkle::LeafHash(stored);
  if (decoded->signature.size() != kEd25519SignatureSize) {
    out.bad_signature = "signature has the wrong length";
    return out;
  }
  if (!codec::IsCanonicalSignedEvent(stored, *decoded)) {
    out.malformed = "stored bytes differ from the encoding of the signed event";
    return out;
  }
  Ed25519Signature signature;
  std::copy(decoded->signature.begin(), decoded->signature.end(), signature.begin());
  if (!VerifyEd25519(key, out.body_hash, signature)) out.bad_signature = "bad signature";
  return out;
}

// The walk over the log, one chunk at a time.
class LogWalk {
 public:
  LogWalk(Store& store, const Ed25519PublicKey& key, std::string origin, int threads)
      : store_(store), key_(key), origin_(std::move(origin)), pool_(threads) {}

  // Verifies every entry, and every stored checkpoint against the tree at
  // its size; stops at the first chunk with a finding. Checkpoints of trees
  // larger than the log are left to the check of the latest one.
  Status Run(Findings& findings) {
    ASSIGN_OR_RETURN(auto it, store_.NewIterator(cf::kLog, ReadView::kDurable, ScanExtent::kWhole));
    ASSIGN_OR_RETURN(checkpoints_, store_.NewIterator(cf::kCheckpoints));
    it->SeekToFirst();
    checkpoints_->SeekToFirst();
    std::vector<Bytes> values;
    std::vector<uint64_t> key_seqs;
    while (!findings.bad()) {
      values.clear();
      key_seqs.clear();
      for (; it->Valid() && values.size() < kChunkEvents; it->Next()) {
        key_seqs.push_back(it->key().size() == 8 ? DecodeBigEndian64(it->key()) : UINT64_MAX);
        values.emplace_back(it->value().begin(), it->value().end());
      }
      RETURN_IF_ERROR(it->status());
      // The checkpoints this chunk reaches: trees up to its last event.
      RETURN_IF_ERROR(LoadCheckpoints(frontier_.size() + values.size(), findings));
      std::vector<CheckedEntry> checked(values.size());
      pool_.ParallelFor(values.size(), [&](size_t i) { checked[i] = CheckEntry(values[i], key_); });
      NodeList nodes;
      CheckInOrder(key_seqs, checked, nodes, findings);
      if (!findings.bad()) CheckCheckpointsAt(frontier_.size(), findings);
      RETURN_IF_ERROR(CheckStoredNodes(nodes, findings));
      if (values.empty()) break;
    }
    return OkStatus();
  }

  const merkle::Frontier& frontier() const { return frontier_; }

 private:
  // Numbering, the chain and the tree, entry by entry.
  // A stored checkpoint, read and its signature checked.
  struct LoadedCheckpoint {
    uint64_t key_size = 0;
    Result<Checkpoint> checked;
  };

  // Reads the checkpoints of trees of at most `max_size` events not read yet
  // and checks their signatures, in parallel. A key that names no size is a
  // finding: nothing after it is read.
  Status LoadCheckpoints(uint64_t max_size, Findings& findings) {
    std::vector<std::pair<uint64_t, std::string>> read;
    for (; checkpoints_->Valid(); checkpoints_->Next()) {
      if (checkpoints_->key().size() != 8) {
        findings.Report(frontier_.size(), "a checkpoint is stored under a malformed key");
        break;
      }
      const uint64_t size = DecodeBigEndian64(checkpoints_->key());
      if (size > max_size) break;
      read.emplace_back(size, std::string(AsChars(checkpoints_->value())));
    }
    RETURN_IF_ERROR(checkpoints_->status());
    std::vector<LoadedCheckpoint> loaded(read.size());
    pool_.ParallelFor(read.size(), [&](size_t i) {
      loaded[i] = {read[i].first, VerifyCheckpoint(read[i].second, origin_, key_)};
    });
    for (auto& c : loaded) pending_.push_back(std::move(c));
    return OkStatus();
  }

  // Checks the pending checkpoints stored as of a tree of `size` events
  // against the tree just verified up to there.
  void CheckCheckpointsAt(uint64_t size, Findings& findings) {
    const uint64_t at = size == 0 ? 0 : size - 1;
    for (; !pending_.empty() && pending_.front().key_size == size; pending_.pop_front()) {
      const LoadedCheckpoint& c = pending_.front();
      const std::string what = "checkpoint of " + std::to_string(size) + " events";
      if (!c.checked) return findings.Report(at, what + " invalid: " + c.checked.error().message());
      if (c.checked->size != size) return findings.Report(at, what + " names another size");
      if (c.checked->root != frontier_.Root()) return findings.Report(at, what + ": root differs");
    }
  }

  void CheckInOrder(const std::vector<uint64_t>& key_seqs, const std::vector<CheckedEntry>& checked,
                    NodeList& nodes, Findings& findings) {
    for (size_t i = 0; i < checked.size(); ++i) {
      const uint64_t expected = frontier_.size();
      CheckCheckpointsAt(expected, findings);
      if (findings.bad()) return;
      const CheckedEntry& e = checked[i];
      if (key_seqs[i] == UINT64_MAX) return findings.Report(expected, "malformed log key");
      if (key_seqs[i] != expected) {
        return findings.Report(expected,
                               key_seqs[i] > expected ? "event missing" : "unexpected entry");
      }
      if (e.malformed) return findings.Report(expected, *e.malformed);
      if (e.header.seq != expected) {
        return findings.Report(expected, "event claims seq " + std::to_string(e.header.seq));
      }
      if (!e.prev_hash_ok || e.prev_hash != prev_) {
        return findings.Report(expected, "previous-hash chain broken");
      }
      if (e.bad_signature) return findings.Report(expected, *e.bad_signature);
      prev_ = e.body_hash;
      frontier_.Append(e.leaf_hash, [&](uint8_t level, uint64_t index, const Hash256& hash) {
        nodes.emplace_back(layout::MerkleKey(level, index), hash);
      });
    }
  }

  // Stored Merkle nodes serve proofs; each must equal the recomputed one.
  // Read in parallel; the first mismatch in node order is reported.
  Status CheckStoredNodes(const NodeList& nodes, Findings& findings) {
    std::vector<Status> errors(nodes.size());
    std::vector<uint8_t> differs(nodes.size(), 0);
    pool_.ParallelFor(nodes.size(), [&](size_t i) {
      const auto& [key, hash] = nodes[i];
      auto stored = store_.Get(cf::kMerkle, key);
      if (!stored) {
        errors[i] = stored.error();
        return;
      }
      differs[i] =
          !*stored || !std::equal(hash.begin(), hash.end(), (*stored)->begin(), (*stored)->end());
    });
    for (size_t i = 0; i < nodes.size(); ++i) {
      RETURN_IF_ERROR(errors[i]);
      if (differs[i]) {
        const auto& key = nodes[i].first;
        uint64_t first_leaf = DecodeBigEndian64(ByteView(key).subspan(1)) << key[0];
        findings.Report(first_leaf, "stored Merkle node differs from the events");
        return OkStatus();
      }
    }
    return OkStatus();
  }

  Store& store_;
  const Ed25519PublicKey& key_;
  const std::string origin_;
  SigningPool pool_;
  merkle::Frontier frontier_;
  Hash256 prev_{};
  std::unique_ptr<StoreIterator> checkpoints_;
  std::deque<LoadedCheckpoint> pending_;  // read and not yet checked, in order of size
};

// The recorded size must not exceed the events verified, and the latest
// checkpoint must hold (CheckLatestCheckpoint).
Status CheckRecordedEnd(Store& store, std::string_view origin, const Ed25519PublicKey& key,
                        uint64_t events, Findings& findings) {
  ASSIGN_OR_RETURN(auto size, store.Get(cf::kMeta, AsBytes(layout::kMetaSize)));
  if (size && DecodeBigEndian64(*size) > events) {
    findings.Report(
        events, "log ends before its recorded size " + std::to_string(DecodeBigEndian64(*size)));
  }
  ASSIGN_OR_RETURN(auto finding, CheckLatestCheckpoint(store, origin, key, events));
  if (finding) findings.Report(finding->seq, std::move(finding->why));
  return OkStatus();
}

Status CheckPinnedCheckpoint(Store& store, const Checkpoint& pinned, uint64_t events,
                             Findings& findings) {
  if (pinned.size > events) {
    findings.Report(events, "log ends before the pinned checkpoint's " +
                                std::to_string(pinned.size) + " events");
    return OkStatus();
  }
  ASSIGN_OR_RETURN(Hash256 root, merkle::RootAt(pinned.size, layout::StoredNodes(store)));
  if (root != pinned.root) {
    findings.Report(pinned.size == 0 ? 0 : pinned.size - 1,
                    "tree root differs from the pinned checkpoint");
  }
  return OkStatus();
}

// Adds to a finding's reason that the log names another signer than `key`,
// if it does: the likeliest cause of a finding at seq 0 is the wrong key.
Status AddKeyHint(Store& store, std::string_view origin, const Ed25519PublicKey& key,
                  const KeyHint& hint, std::string& why) {
  ASSIGN_OR_RETURN(std::optional<std::string> other, OtherLogSigner(store, origin, key));
  if (!other) return OkStatus();
  why += " (" + *other + ", not key ID " + SigningKeyId(key) + " of " + hint.key + ": " +
         hint.advice + ")";
  return OkStatus();
}

}  // namespace

Result<std::optional<LogFinding>> CheckLatestCheckpoint(Store& store, std::string_view origin,
                                                        const Ed25519PublicKey& key,
                                                        uint64_t events) {
  using Found = std::optional<LogFinding>;
  ASSIGN_OR_RETURN(auto latest, layout::LatestStoredCheckpoint(store));
  if (!latest) {
    // Every group of appends is checkpointed with it, the first one included.
    if (events == 0) return Found();
    return Found(LogFinding{0, "no signed checkpoint covers the log"});
  }
  auto checkpoint = VerifyCheckpoint(latest->note, origin, key);
  if (!checkpoint) {
    return Found(LogFinding{events, "latest checkpoint invalid: " + checkpoint.error().message()});
  }
  if (checkpoint->size != latest->key_size) {
    return Found(LogFinding{std::min(events, checkpoint->size),
                            "the checkpoint of " + std::to_string(checkpoint->size) +
                                " events is stored as the one of " +
                                std::to_string(latest->key_size)});
  }
  if (checkpoint->size > events) {
    return Found(LogFinding{events, "log truncated: the latest checkpoint covers " +
                                        std::to_string(checkpoint->size) + " events"});
  }
  auto root = merkle::RootAt(checkpoint->size, layout::StoredNodes(store));
  if (!root || *root != checkpoint->root) {
    return Found(LogFinding{checkpoint->size == 0 ? 0 : checkpoint->size - 1,
                            "the stored Merkle tree's root differs from the signed checkpoint"});
  }
  return Found();
}

Result<VerifyReport> VerifyLog(Store& store, const Ed25519PublicKey& public_key, int threads,
                               const Checkpoint* pinned, const KeyHint& hint) {
  ASSIGN_OR_RETURN(const std::string origin, layout::LogOrigin(store));
  Findings findings;
  LogWalk walk(store, public_key, origin, threads);
  RETURN_IF_ERROR(walk.Run(findings));
  const merkle::Frontier& frontier = walk.frontier();
  if (!findings.bad()) {
    RETURN_IF_ERROR(CheckRecordedEnd(store, origin, public_key, frontier.size(), findings));
  }
  if (!findings.bad() && pinned) {
    RETURN_IF_ERROR(CheckPinnedCheckpoint(store, *pinned, frontier.size(), findings));
  }
  VerifyReport report;
  report.ok = !findings.bad();
  report.first_bad_seq = findings.seq();
  report.why = findings.why();
  if (!report.ok) RETURN_IF_ERROR(AddKeyHint(store, origin, public_key, hint, report.why));
  report.events = report.ok ? frontier.size() : findings.seq();
  report.root = frontier.Root();
  return report;
}

}  // namespace backpack
