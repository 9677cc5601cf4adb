// Sealed projection values: personal data in projections and indexes is
// encrypted under the owning subject's data key (invariant 4).
//
// Format: owner length (1 byte) || owner id || nonce (24) || ciphertext || tag.
// The owner id is an opaque id (never personal data) so that shredding can
// find and delete every value a subject owns without decrypting anything.
//
// Encryption is deterministic: the nonce is an HMAC-SHA-256 (under the data
// key) of the location (length-prefixed) and the plaintext, cut to 24 bytes.
// Rebuilding a projection from the log therefore yields byte-identical values
// (invariant 6); the cost is that equal plaintexts at the same location under
// the same key produce equal ciphertexts, which reveals nothing new.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"

namespace backpack {

// Seals `plaintext` stored at (`family`, `key`) for `owner`.
Bytes SealValue(const AeadKey& data_key, std::string_view owner, std::string_view family,
                ByteView key, ByteView plaintext);

// How many bytes a sealed value for `owner` holds beyond its plaintext.
size_t SealedOverhead(std::string_view owner);

// As SealValue, turning `buffer` (the plaintext) into the sealed value in
// place: no new allocation if its capacity already holds SealedOverhead(owner)
// more bytes.
void SealValueInPlace(const AeadKey& data_key, std::string_view owner, std::string_view family,
                      ByteView key, Bytes& buffer);

// The owner id of a sealed value; kDataLoss if malformed.
Result<std::string_view> SealedOwner(ByteView sealed);

// Opens a value sealed at (`family`, `key`); kDataLoss if changed or moved.
Result<Bytes> OpenValue(const AeadKey& data_key, std::string_view family, ByteView key,
                        ByteView sealed);

}  // namespace backpack
