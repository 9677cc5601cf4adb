// Cryptographic primitives: Ed25519, XChaCha20-Poly1305, keyed BLAKE2b and
// the system CSPRNG from libsodium; SHA-256 from OpenSSL, which uses the
// CPU's SHA extensions (libsodium's portable SHA-256 is several times slower
// and the log hashes every event twice).
//
// Thread-safety: every function here is safe to call concurrently.
// CryptoInit() must run once before any other function (Store::Open and the
// CLI do this).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/status.h"

namespace backpack {

Status CryptoInit();

Hash256 Sha256(ByteView data);

// Incremental SHA-256, for hashing several pieces without concatenating.
class Sha256Builder {
 public:
  Sha256Builder();
  ~Sha256Builder();
  Sha256Builder(const Sha256Builder&) = delete;
  Sha256Builder& operator=(const Sha256Builder&) = delete;
  Sha256Builder& Add(ByteView data);
  Sha256Builder& Add(uint8_t byte);
  // Returns the digest; the builder must not be used afterwards.
  Hash256 Finish();

 private:
  void* context_;  // EVP_MD_CTX
};

void RandomFill(std::span<uint8_t> out);
Bytes RandomBytes(size_t n);

constexpr size_t kEd25519PublicKeySize = 32;
constexpr size_t kEd25519SecretKeySize = 64;
constexpr size_t kEd25519SignatureSize = 64;
using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

// An Ed25519 key pair. The secret half is wiped on destruction.
class SigningKey {
 public:
  static SigningKey Generate();
  // `secret` is libsodium's 64-byte secret key (seed || public key).
  static Result<SigningKey> FromSecret(ByteView secret);
  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey();

  Ed25519Signature Sign(ByteView message) const;
  const Ed25519PublicKey& public_key() const { return public_key_; }
  ByteView secret() const { return secret_; }

 private:
  SigningKey() = default;
  std::array<uint8_t, kEd25519SecretKeySize> secret_{};
  Ed25519PublicKey public_key_{};
};

bool VerifyEd25519(const Ed25519PublicKey& key, ByteView message, ByteView signature);

constexpr size_t kAeadKeySize = 32;
constexpr size_t kAeadNonceSize = 24;
constexpr size_t kAeadTagSize = 16;
using AeadKey = std::array<uint8_t, kAeadKeySize>;

// XChaCha20-Poly1305 with a random nonce. Returns nonce || ciphertext || tag.
Bytes AeadSeal(const AeadKey& key, ByteView plaintext, ByteView associated_data);
// Inverse of AeadSeal; kDataLoss if the bytes or associated data were changed
// or the key is wrong.
Result<Bytes> AeadOpen(const AeadKey& key, ByteView sealed, ByteView associated_data);

// Keyed BLAKE2b-256, for opaque index keys (e.g. lookups by SIS id).
Hash256 KeyedHash(const AeadKey& key, ByteView data);

// HMAC-SHA-256 (RFC 2104) of the concatenation of `parts` under `key`. Only
// for digests that projections keep, since a rebuild recomputes those (it is
// faster than KeyedHash: docs/performance.md); digests stored in the log, and
// ids derived from SIS ids, stay KeyedHash.
Hash256 HmacSha256(const AeadKey& key, std::initializer_list<ByteView> parts);

// HMAC-SHA-256 under one key, with the key's padded blocks hashed once: a
// digest of a short input then costs two SHA-256 blocks instead of four.
// Wipes its state when destroyed.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(const AeadKey& key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  Hash256 Digest(ByteView data) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Overwrites `bytes` with zeros in a way the compiler will not elide.
void SecureWipe(std::span<uint8_t> bytes);
// Overwrites all of `secret`'s buffer (its spare capacity too) and empties it.
void SecureWipe(std::string& secret);

// Wipes key material (a string of hex read from a key file, the bytes it
// decodes to) when the scope it guards ends, however it ends.
template <typename Secret>
class WipedAtExit {
 public:
  explicit WipedAtExit(Secret& secret) : secret_(secret) {}
  ~WipedAtExit() { SecureWipe(secret_); }
  WipedAtExit(const WipedAtExit&) = delete;
  WipedAtExit& operator=(const WipedAtExit&) = delete;

 private:
  Secret& secret_;
};

}  // namespace backpack
