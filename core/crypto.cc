#include "core/crypto.h"

#include <nettle/hmac.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>

namespace backpack {

Status CryptoInit() {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise");
  return OkStatus();
}

namespace {

// SHA-256 fetched from OpenSSL's providers once. OpenSSL 3 fetches it again
// for every digest begun with EVP_sha256() or the one-shot SHA256(), which
// costs about as much as hashing a 64-byte input.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const algorithm = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  return algorithm;
}

}  // namespace

Hash256 Sha256(ByteView data) {
  Hash256 out;
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &length, Sha256Algorithm(), nullptr);
  return out;
}

Sha256Builder::Sha256Builder() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(context_), Sha256Algorithm(), nullptr);
}

Sha256Builder::~Sha256Builder() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

Sha256Builder& Sha256Builder::Add(ByteView data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), data.data(), data.size());
  return *this;
}

Sha256Builder& Sha256Builder::Add(uint8_t byte) { return Add(ByteView(&byte, 1)); }

Hash256 Sha256Builder::Finish() {
  Hash256 out;
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), out.data(), &length);
  return out;
}

void RandomFill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

Bytes RandomBytes(size_t n) {
  Bytes out(n);
  RandomFill(out);
  return out;
}

SigningKey SigningKey::Generate() {
  SigningKey key;
  crypto_sign_keypair(key.public_key_.data(), key.secret_.data());
  return key;
}

Result<SigningKey> SigningKey::FromSecret(ByteView secret) {
  if (secret.size() != kEd25519SecretKeySize) {
    return Err(InvalidArgumentError("an Ed25519 secret key is 64 bytes"));
  }
  SigningKey key;
  std::memcpy(key.secret_.data(), secret.data(), secret.size());
  crypto_sign_ed25519_sk_to_pk(key.public_key_.data(), key.secret_.data());
  return key;
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

Ed25519Signature SigningKey::Sign(ByteView message) const {
  Ed25519Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

bool VerifyEd25519(const Ed25519PublicKey& key, ByteView message, ByteView signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     key.data()) == 0;
}

Bytes AeadSeal(const AeadKey& key, ByteView plaintext, ByteView associated_data) {
  Bytes out(kAeadNonceSize + plaintext.size() + kAeadTagSize);
  randombytes_buf(out.data(), kAeadNonceSize);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + kAeadNonceSize, &written, plaintext.data(), plaintext.size(),
      associated_data.data(), associated_data.size(), nullptr, out.data(), key.data());
  out.resize(kAeadNonceSize + written);
  return out;
}

Result<Bytes> AeadOpen(const AeadKey& key, ByteView sealed, ByteView associated_data) {
  if (sealed.size() < kAeadNonceSize + kAeadTagSize) {
    return Err(DataLossError("ciphertext is too short"));
  }
  Bytes out(sealed.size() - kAeadNonceSize - kAeadTagSize);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out.data(), &written, nullptr, sealed.data() + kAeadNonceSize,
          sealed.size() - kAeadNonceSize, associated_data.data(), associated_data.size(),
          sealed.data(), key.data()) != 0) {
    return Err(DataLossError("ciphertext failed authentication"));
  }
  out.resize(written);
  return out;
}

Hash256 KeyedHash(const AeadKey& key, ByteView data) {
  Hash256 out;
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), key.data(), key.size());
  return out;
}

Hash256 HmacSha256(const AeadKey& key, std::initializer_list<ByteView> parts) {
  hmac_sha256_ctx context;
  hmac_sha256_set_key(&context, key.size(), key.data());
  for (ByteView part : parts) hmac_sha256_update(&context, part.size(), part.data());
  Hash256 out;
  hmac_sha256_digest(&context, out.size(), out.data());
  sodium_memzero(&context, sizeof context);  // derived from the key
  return out;
}

struct HmacSha256Key::State {
  hmac_sha256_ctx keyed;  // the key's padded blocks hashed, nothing else
};

HmacSha256Key::HmacSha256Key(const AeadKey& key) : state_(std::make_unique<State>()) {
  hmac_sha256_set_key(&state_->keyed, key.size(), key.data());
}

HmacSha256Key::~HmacSha256Key() { sodium_memzero(state_.get(), sizeof *state_); }

Hash256 HmacSha256Key::Digest(ByteView data) const {
  hmac_sha256_ctx context = state_->keyed;
  hmac_sha256_update(&context, data.size(), data.data());
  Hash256 out;
  hmac_sha256_digest(&context, out.size(), out.data());
  sodium_memzero(&context, sizeof context);
  return out;
}

void SecureWipe(std::span<uint8_t> bytes) { sodium_memzero(bytes.data(), bytes.size()); }

void SecureWipe(std::string& secret) {
  secret.resize(secret.capacity());
  sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

}  // namespace backpack
