// Full verification of a stored log: every signature, the hash chain, the
// sequence numbering, each event's encoding, the stored Merkle nodes, and
// the tree against every stored checkpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/store.h"
#include "events/checkpoint.h"

namespace backpack {

struct VerifyReport {
  uint64_t events = 0;  // entries that verified, from seq 0
  Hash256 root{};       // root of the verified tree
  bool ok = false;
  uint64_t first_bad_seq = 0;  // when !ok
  std::string why;             // when !ok
};

// A problem found in a stored log: the first sequence number it concerns
// and why.
struct LogFinding {
  uint64_t seq = 0;
  std::string why;
};

// Checks the latest stored checkpoint of a log holding `events` events: one
// must exist if there are events, verify under `origin` and `key`, be stored
// under its own size, cover at most `events`, and have the root of the stored
// tree at its size. Used by VerifyLog, and by EventLog::Open before it
// appends. A Status error means the check could not run.
Result<std::optional<LogFinding>> CheckLatestCheckpoint(Store& store, std::string_view origin,
                                                        const Ed25519PublicKey& key,
                                                        uint64_t events);

// How a failed verification names the key it was checked with, and what to
// do if that key is the wrong one, in the hint its reason ends with when the
// log names another signer (OtherLogSigner): "bad signature (the log's events
// name key ID X, not key ID Y of the given key: if that key is wrong, verify
// with the right one)".
struct KeyHint {
  std::string key = "the given key";
  std::string advice = "if that key is wrong, verify with the right one";
};

// Verifies the log in `store` against `public_key`, using `threads` threads
// for signatures. A Status error means verification could not run (I/O);
// whatever does not verify under `public_key` is reported in the VerifyReport
// as tampering at its first seq, a log signed with another key too: the key
// IDs a log names prove nothing, so they only add `hint` to the reason. With
// `pinned` (a checkpoint the caller saved earlier and has checked the
// signature of), the log must also still hold that tree: what the store's
// own checkpoints cannot show, since whoever rolls back the log can roll them
// back with it.
Result<VerifyReport> VerifyLog(Store& store, const Ed25519PublicKey& public_key, int threads,
                               const Checkpoint* pinned = nullptr, const KeyHint& hint = {});

}  // namespace backpack
