#include "projections/roster/internal/passwords.h"

#include <sodium.h>

#include <mutex>

#include "core/crypto.h"
#include "projections/roster/internal/records.h"

namespace backpack::roster {
namespace {

const std::string& DummyHash() {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [] {
    Bytes secret = RandomBytes(32);
    auto hashed = HashPassword(ToHex(secret), PasswordCost::kInteractive);
    hash = hashed ? *hashed : std::string();
  });
  return hash;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  bool minimal = cost == PasswordCost::kMinimal;
  unsigned long long ops =
      minimal ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = minimal ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Err(ResourceExhaustedError("out of memory hashing a password"));
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  std::string terminated(hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void VerifyAgainstDummy(std::string_view password) {
  const std::string& dummy = DummyHash();
  if (!dummy.empty()) VerifyPassword(dummy, password);
}

Status PutCredential(Store& store, std::string_view user_id, std::string_view hash) {
  WriteBatch batch;
  batch.Put(kCredentials, AsBytes(user_id), AsBytes(hash));
  return store.Write(batch, /*sync=*/true);
}

Status DeleteCredential(Store& store, std::string_view user_id) {
  WriteBatch batch;
  batch.Delete(kCredentials, AsBytes(user_id));
  return store.Write(batch, /*sync=*/true);
}

Result<std::optional<std::string>> GetCredential(Store& store, std::string_view user_id) {
  ASSIGN_OR_RETURN(auto value, store.Get(kCredentials, AsBytes(user_id)));
  if (!value) return std::optional<std::string>();
  return std::optional<std::string>(std::string(AsChars(*value)));
}

}  // namespace backpack::roster
