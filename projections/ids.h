// Backpack's opaque ids.
//
// Imported people get ids derived from their OneRoster sourcedId with a keyed
// hash (StoreKeys::index_key): stable across imports, so re-imports are
// idempotent and SIS-id lookups need no plaintext index, yet the id reveals
// nothing about the SIS id without the key.
#pragma once

#include <string>
#include <string_view>

#include "core/crypto.h"

namespace backpack {

// "stu_" + 20 hex: the student with OneRoster sourcedId `sourced_id`.
std::string StudentIdFor(const AeadKey& index_key, std::string_view sourced_id);
// "usr_" + 20 hex: the account of the OneRoster user (teacher, guardian, ...)
// with sourcedId `sourced_id`, whether or not it has signed in yet.
std::string UserIdFor(const AeadKey& index_key, std::string_view sourced_id);
// A fresh random id: `prefix` + "_" + 20 hex (e.g. "note", "grant", "usr").
std::string NewId(std::string_view prefix);
// A keyed hash for opaque lookups of other identifiers (usernames, SIS ids).
std::string LookupDigest(const AeadKey& index_key, std::string_view kind, std::string_view value);

}  // namespace backpack
