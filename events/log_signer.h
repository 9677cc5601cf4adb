// Which key a stored log names as its signer, read before anything is
// verified. Only a claim: an event's key ID and a checkpoint's key hash are
// plain text that whoever edits the store can rewrite. Opening a log to
// append refuses one that names another key (CheckLogSigner), and a failed
// verification adds the claim to its reason as a hint that the key given may
// be the wrong one (VerifyLog); neither says the log is signed by that key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/status.h"
#include "core/store.h"

namespace backpack {

// What the log in `store` says about its signer, when that is not `key`:
// "the log's events name key ID 0123456789abcdef", or "the log's latest
// checkpoint names key hash 01234567" for a log of no events; nullopt
// otherwise. The log names its signer in the key ID of each event (its first
// and last are read) and in the key hash of its latest checkpoint's
// signature, under `origin`. Nullopt when any of these names `key`, when the
// first and last events name different keys (an event re-signed with another
// key is tampering, which VerifyLog names by its seq), or when the log names
// no signer. Nothing is verified here.
Result<std::optional<std::string>> OtherLogSigner(Store& store, std::string_view origin,
                                                  const Ed25519PublicKey& key);

// kFailedPrecondition "the log's events name key ID X, not `whose_key` (key
// ID Y)" when OtherLogSigner finds another signer named; OK otherwise. For
// opening a log to append to: whether the key given is wrong or the log was
// tampered with, appending under that key must not happen.
Status CheckLogSigner(Store& store, std::string_view origin, const Ed25519PublicKey& key,
                      std::string_view whose_key);

}  // namespace backpack
