// Signed checkpoints in the C2SP signed-note checkpoint format
// (https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note):
//
//   <origin>\n
//   <tree size, decimal>\n
//   <root hash, base64>\n
//   \n
//   — <key name> <base64(key hash (4 bytes) || Ed25519 signature (64 bytes))>\n
//
// The signature covers the note text (the first three lines, with their
// newlines). The key hash is the first 4 bytes of
// SHA-256(key name || "\n" || 0x01 || public key).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"

namespace backpack {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash256 root{};
};

// The note text that is signed: origin, size and root lines.
std::string CheckpointText(const Checkpoint& checkpoint);

// The whole signed note, signed by `key` under the name `key_name` (by
// convention equal to the origin).
std::string SignCheckpoint(const Checkpoint& checkpoint, std::string_view key_name,
                           const SigningKey& key);

// Parses `note` as a signed checkpoint without checking any signature:
// kInvalidArgument for a malformed note (what VerifyCheckpoint refuses as one).
Result<Checkpoint> ParseCheckpoint(std::string_view note);

// Parses `note` and checks its signature line for `key_name` against
// `public_key`. kInvalidArgument for malformed notes, kDataLoss for a missing
// or bad signature.
Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view key_name,
                                    const Ed25519PublicKey& public_key);

// The 4-byte key hash that prefixes each signature of the note.
std::array<uint8_t, 4> NoteKeyHash(std::string_view key_name, const Ed25519PublicKey& public_key);

// The key hashes of `note`'s signatures under `key_name`, as the note states
// them: which keys it claims to be signed by (no signature is checked).
// kInvalidArgument for a malformed note.
Result<std::vector<std::array<uint8_t, 4>>> NoteSignerKeyHashes(std::string_view note,
                                                                std::string_view key_name);

// The verifier key string "<name>+<hex key hash>+<base64(0x01 || public key)>"
// that note tools (e.g. Go's golang.org/x/mod/sumdb/note) accept.
std::string NoteVerifierKey(std::string_view key_name, const Ed25519PublicKey& public_key);

// A verifier key as NoteVerifierKey writes it.
struct VerifierKey {
  std::string key_name;
  Ed25519PublicKey public_key{};
};
// Parses `text` as "<name>+<hex key hash>+<base64(0x01 || key)>", checking the
// key hash; kInvalidArgument, saying what is wrong, otherwise.
Result<VerifierKey> ParseNoteVerifierKey(std::string_view text);

}  // namespace backpack
