// Which key a stored log says it is signed by, read before the log is
// verified or opened, so that a wrong key (another store's, a mistyped
// --keys) is reported as such rather than as tampering.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/status.h"
#include "core/store.h"

namespace backpack {

// The signer the log in `store` names, when that is not `key`, described for
// a message ("key ID 0123456789abcdef"); nullopt otherwise. The log names its
// signer in the key ID of each event (its first and last are read) and in
// the key hash of its latest checkpoint's signature, under `origin`. Nullopt
// when any of these names `key`, when the first and last events name
// different keys (an event re-signed with another key is tampering, which
// VerifyLog names by its seq), or when the log names no signer. Nothing is
// verified here: a claim is only a claim.
Result<std::optional<std::string>> OtherLogSigner(Store& store, std::string_view origin,
                                                  const Ed25519PublicKey& key);

// kFailedPrecondition "the log is signed by key ID X, not by `whose_key` (key
// ID Y)" when OtherLogSigner finds another signer; OK otherwise.
Status CheckLogSigner(Store& store, std::string_view origin, const Ed25519PublicKey& key,
                      std::string_view whose_key);

}  // namespace backpack
