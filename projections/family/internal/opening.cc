#include "projections/family/internal/opening.h"

#include <sodium.h>

namespace backpack::family {

Result<AeadKey> OpeningKey(const AeadKey& data_key, ByteView sealed) {
  static_assert(crypto_core_hchacha20_OUTPUTBYTES == kAeadKeySize);
  if (sealed.size() < kAeadNonceSize + kAeadTagSize) {
    return Err(DataLossError("ciphertext is too short"));
  }
  AeadKey opening{};
  crypto_core_hchacha20(opening.data(), sealed.data(), data_key.data(), nullptr);
  return opening;
}

Result<Bytes> OpenWithOpeningKey(const AeadKey& opening_key, ByteView sealed,
                                 ByteView associated_data) {
  static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == 12);
  if (sealed.size() < kAeadNonceSize + kAeadTagSize) {
    return Err(DataLossError("ciphertext is too short"));
  }
  std::array<uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce{};
  std::copy(sealed.begin() + crypto_core_hchacha20_INPUTBYTES, sealed.begin() + kAeadNonceSize,
            nonce.begin() + 4);
  ByteView ciphertext = sealed.subspan(kAeadNonceSize);
  Bytes out(ciphertext.size() - kAeadTagSize);
  unsigned long long written = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(
          out.data(), &written, nullptr, ciphertext.data(), ciphertext.size(),
          associated_data.data(), associated_data.size(), nonce.data(), opening_key.data()) != 0) {
    return Err(DataLossError("the opening key does not open the payload"));
  }
  out.resize(written);
  return out;
}

}  // namespace backpack::family
