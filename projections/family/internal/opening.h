// Per-event opening keys: let an export's reader decrypt exactly one
// encrypted payload without learning the student's data key.
//
// A payload is sealed with XChaCha20-Poly1305 (core/crypto.h: nonce (24) ||
// ciphertext || tag). XChaCha20-Poly1305 is ChaCha20-Poly1305-IETF under the
// subkey HChaCha20(data key, nonce[0..16)) with nonce 0^4 || nonce[16..24).
// That subkey is the opening key: it opens this one ciphertext (and proves,
// through the Poly1305 tag, that the plaintext is what was signed), while
// HChaCha20 being a PRF keeps the data key secret.
//
// Thread-safety: pure functions.
#pragma once

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"

namespace backpack::family {

// The opening key of `sealed` (an AeadSeal output) under `data_key`.
// kDataLoss if `sealed` is too short.
Result<AeadKey> OpeningKey(const AeadKey& data_key, ByteView sealed);

// Decrypts `sealed` with its opening key; kDataLoss if the key, bytes or
// associated data do not authenticate.
Result<Bytes> OpenWithOpeningKey(const AeadKey& opening_key, ByteView sealed,
                                 ByteView associated_data);

}  // namespace backpack::family
