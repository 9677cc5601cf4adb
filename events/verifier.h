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

// Verifies the log in `store` against `public_key`, using `threads` threads
// for signatures. A Status error means verification could not run: I/O, or
// kFailedPrecondition if the log names another signing key than `public_key`
// (CheckLogSigner: a wrong key is not tampering); tampering is reported in
// the VerifyReport. With `pinned` (a checkpoint the
// caller saved earlier and has checked the signature of), the log must also
// still hold that tree: what the store's own checkpoints cannot show, since
// whoever rolls back the log can roll them back with it.
Result<VerifyReport> VerifyLog(Store& store, const Ed25519PublicKey& public_key, int threads,
                               const Checkpoint* pinned = nullptr);

}  // namespace backpack
