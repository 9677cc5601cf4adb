#include "events/verifier.h"

#include <atomic>
#include <thread>
#include <vector>

#include "events/checkpoint.h"
#include "events/codec.h"
#include "events/log_layout.h"
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

struct SignatureCheck {
  uint64_t seq;
  Hash256 hash;
  Ed25519Signature signature;
};

// Walks the log in key order, checking framing, numbering and the chain.
// Collects signature checks and Merkle leaves for later stages.
Status WalkLog(Store& store, Findings& findings, std::vector<SignatureCheck>& signatures,
               merkle::Frontier& frontier, std::vector<std::pair<std::array<uint8_t, 9>, Hash256>>& nodes) {
  ASSIGN_OR_RETURN(auto it, store.NewIterator(cf::kLog));
  uint64_t expected = 0;
  Hash256 prev{};
  for (it->SeekToFirst(); it->Valid() && !findings.bad(); it->Next(), ++expected) {
    if (it->key().size() != 8) return findings.Report(expected, "malformed log key"), OkStatus();
    uint64_t key_seq = DecodeBigEndian64(it->key());
    if (key_seq != expected) {
      findings.Report(expected, key_seq > expected ? "event missing" : "unexpected entry");
      break;
    }
    auto decoded = codec::DecodeSignedEvent(it->value());
    if (!decoded) return findings.Report(expected, decoded.error().message()), OkStatus();
    if (decoded->header.seq != expected) {
      findings.Report(expected, "event claims seq " + std::to_string(decoded->header.seq));
      break;
    }
    if (decoded->prev_hash.size() != 32 ||
        !std::equal(prev.begin(), prev.end(), decoded->prev_hash.begin())) {
      findings.Report(expected, "previous-hash chain broken");
      break;
    }
    prev = Sha256(decoded->body);
    if (decoded->signature.size() != kEd25519SignatureSize) {
      findings.Report(expected, "signature has the wrong length");
      break;
    }
    SignatureCheck check{expected, prev, {}};
    std::copy(decoded->signature.begin(), decoded->signature.end(), check.signature.begin());
    signatures.push_back(check);
    frontier.Append(merkle::LeafHash(it->value()),
                    [&](uint8_t level, uint64_t index, const Hash256& hash) {
                      nodes.emplace_back(layout::MerkleKey(level, index), hash);
                    });
  }
  return it->status();
}

void CheckSignatures(const std::vector<SignatureCheck>& checks, const Ed25519PublicKey& key,
                     int threads, Findings& findings) {
  std::vector<uint8_t> bad(checks.size(), 0);
  SigningPool pool(threads);
  pool.ParallelFor(checks.size(), [&](size_t i) {
    bad[i] = !VerifyEd25519(key, checks[i].hash, checks[i].signature);
  });
  for (size_t i = 0; i < checks.size(); ++i) {
    if (bad[i]) return findings.Report(checks[i].seq, "bad signature");
  }
}

// Stored Merkle nodes serve proofs; each must equal the recomputed one.
Status CheckStoredNodes(Store& store,
                        const std::vector<std::pair<std::array<uint8_t, 9>, Hash256>>& nodes,
                        Findings& findings) {
  for (const auto& [key, hash] : nodes) {
    ASSIGN_OR_RETURN(auto stored, store.Get(cf::kMerkle, key));
    if (!stored || !std::equal(hash.begin(), hash.end(), stored->begin(), stored->end())) {
      uint64_t first_leaf = DecodeBigEndian64(ByteView(key).subspan(1)) << key[0];
      findings.Report(first_leaf, "stored Merkle node differs from the events");
      return OkStatus();
    }
  }
  return OkStatus();
}

Status CheckLatestCheckpoint(Store& store, const Ed25519PublicKey& key, uint64_t events,
                             Findings& findings) {
  ASSIGN_OR_RETURN(auto origin, store.Get(cf::kMeta, AsBytes(layout::kMetaOrigin)));
  ASSIGN_OR_RETURN(auto size, store.Get(cf::kMeta, AsBytes(layout::kMetaSize)));
  if (size && DecodeBigEndian64(*size) > events) {
    findings.Report(events, "log ends before its recorded size " +
                                std::to_string(DecodeBigEndian64(*size)));
  }
  ASSIGN_OR_RETURN(auto it, store.NewIterator(cf::kCheckpoints));
  it->SeekToLast();
  RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return OkStatus();
  auto checkpoint = VerifyCheckpoint(AsChars(it->value()),
                                     origin ? AsChars(*origin) : std::string_view(), key);
  if (!checkpoint) {
    findings.Report(events, "latest checkpoint invalid: " + checkpoint.error().message());
    return OkStatus();
  }
  if (checkpoint->size > events) {
    findings.Report(events, "log truncated: checkpoint covers " +
                                std::to_string(checkpoint->size) + " events");
    return OkStatus();
  }
  auto root = merkle::RootAt(checkpoint->size, layout::StoredNodes(store));
  if (!root || *root != checkpoint->root) {
    findings.Report(checkpoint->size == 0 ? 0 : checkpoint->size - 1,
                    "tree root differs from the signed checkpoint");
  }
  return OkStatus();
}

}  // namespace

Result<VerifyReport> VerifyLog(Store& store, const Ed25519PublicKey& public_key, int threads) {
  Findings findings;
  std::vector<SignatureCheck> signatures;
  merkle::Frontier frontier;
  std::vector<std::pair<std::array<uint8_t, 9>, Hash256>> nodes;
  RETURN_IF_ERROR(WalkLog(store, findings, signatures, frontier, nodes));
  CheckSignatures(signatures, public_key, threads, findings);
  if (!findings.bad()) RETURN_IF_ERROR(CheckStoredNodes(store, nodes, findings));
  if (!findings.bad()) {
    RETURN_IF_ERROR(CheckLatestCheckpoint(store, public_key, frontier.size(), findings));
  }
  VerifyReport report;
  report.ok = !findings.bad();
  report.first_bad_seq = findings.seq();
  report.why = findings.why();
  report.events = report.ok ? frontier.size() : findings.seq();
  report.root = frontier.Root();
  return report;
}

}  // namespace backpack
