// Password hashing (argon2id, libsodium) and the `credentials` family.
// Internal to projections/roster/.
//
// Thread-safety: every function is safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/store.h"
#include "projections/roster/roster_commands.h"

namespace backpack::roster {

// An encoded argon2id hash ("$argon2id$v=19$...") of `password`.
Result<std::string> HashPassword(std::string_view password, PasswordCost cost);
// True iff `hash` is a hash of `password`.
bool VerifyPassword(std::string_view hash, std::string_view password);
// Spends the time of one interactive-cost verification, for unknown users.
void VerifyAgainstDummy(std::string_view password);

// credentials: user id -> encoded hash. Writes are synced.
Status PutCredential(Store& store, std::string_view user_id, std::string_view hash);
Status DeleteCredential(Store& store, std::string_view user_id);
Result<std::optional<std::string>> GetCredential(Store& store, std::string_view user_id);

}  // namespace backpack::roster
