// The store's long-lived keys and their files.
//
// `backpack init` creates, in the key directory (default DATA/keys):
//   signing.key  Ed25519 secret key (hex), signs every event and checkpoint
//   kek.key      key-encryption key (hex, 32 bytes), wraps per-subject data keys
// Both files are created 0600 and refused at load if group or world can read
// them. Production keys belong outside the data directory.
#pragma once

#include <filesystem>

#include "core/crypto.h"
#include "core/status.h"

namespace backpack {

// The key files' names in their directory.
inline constexpr std::string_view kSigningKeyFile = "signing.key";
inline constexpr std::string_view kKekFile = "kek.key";

// Wipes its secrets when destroyed (a copy or move leaves the source to
// wipe its own).
struct StoreKeys {
  explicit StoreKeys(SigningKey signing_key) : signing(std::move(signing_key)) {}
  StoreKeys(const StoreKeys&) = default;
  StoreKeys(StoreKeys&&) = default;
  StoreKeys& operator=(const StoreKeys&) = default;
  StoreKeys& operator=(StoreKeys&&) = default;
  ~StoreKeys() {
    SecureWipe(kek);
    SecureWipe(index_key);
  }

  SigningKey signing;  // wipes itself
  AeadKey kek{};
  // Derived from the KEK: keys opaque index lookups (e.g. by SIS id).
  AeadKey index_key{};
  // "hex of the first 8 bytes of SHA-256(public key)", stored in each event.
  std::string signing_key_id;
};

// Which of the two key files a key directory holds.
enum class KeyFiles { kNone, kBoth };
// kNone if `dir` or both files are absent, kBoth if both are there;
// kFailedPrecondition, naming the missing file, if only one is (keys are
// neither created beside it nor loaded); kUnavailable, with the system's
// reason, if that cannot be told (permission denied).
Result<KeyFiles> FindKeyFiles(const std::filesystem::path& dir);

// Writes fresh key files into `dir` (created 0700 if absent; an existing
// directory keeps its mode), and syncs the directory. kAlreadyExists if either
// file is already there: keys are never overwritten. kPermissionDenied if
// group or others may write to `dir`.
Status CreateKeyFiles(const std::filesystem::path& dir);

// Loads both keys. kPermissionDenied if a file is readable by group or world,
// or the directory belongs to another user (not root) or is writable by group
// or world without being sticky or read-only (they could swap the keys);
// kNotFound, advising `backpack init`, if the directory or both files do not
// exist; kFailedPrecondition if only one does (FindKeyFiles); kUnavailable,
// with the system's reason, if one cannot be read (permission denied);
// kDataLoss if malformed.
Result<StoreKeys> LoadKeyFiles(const std::filesystem::path& dir);

std::string SigningKeyId(const Ed25519PublicKey& public_key);

}  // namespace backpack
