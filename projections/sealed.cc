#include "projections/sealed.h"

#include <sodium.h>

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <cstring>

namespace backpack {
namespace {

// Room for the associated data of every projection key in use without a heap
// allocation (a value is sealed or opened for nearly every event).
using AssociatedBytes = boost::container::small_vector<uint8_t, 256>;

AssociatedBytes AssociatedData(std::string_view owner, std::string_view family, ByteView key) {
  AssociatedBytes ad;
  for (std::string_view part : {std::string_view("backpack projection v1"), owner, family}) {
    auto length = EncodeBigEndian64(part.size());
    ad.insert(ad.end(), length.begin(), length.end());
    ad.insert(ad.end(), part.begin(), part.end());
  }
  ad.insert(ad.end(), key.begin(), key.end());
  return ad;
}

}  // namespace

size_t SealedOverhead(std::string_view owner) {
  return 1 + owner.size() + kAeadNonceSize + kAeadTagSize;
}

Bytes SealValue(const AeadKey& data_key, std::string_view owner, std::string_view family,
                ByteView key, ByteView plaintext) {
  Bytes out;
  out.reserve(plaintext.size() + SealedOverhead(owner));
  out.assign(plaintext.begin(), plaintext.end());
  SealValueInPlace(data_key, owner, family, key, out);
  return out;
}

void SealValueInPlace(const AeadKey& data_key, std::string_view owner, std::string_view family,
                      ByteView key, Bytes& buffer) {
  const size_t plaintext_size = buffer.size();
  AssociatedBytes ad = AssociatedData(owner, family, key);
  // The nonce is a keyed hash of the associated data and the plaintext, the
  // first length-prefixed: the associated data ends with the projection key,
  // so without it key "ab" with value "cd" and key "abc" with value "d"
  // would share a nonce.
  const auto ad_length = EncodeBigEndian64(ad.size());
  Hash256 mac = HmacSha256(
      data_key, {ByteView(ad_length.data(), ad_length.size()), ByteView(ad.data(), ad.size()),
                 ByteView(buffer.data(), plaintext_size)});
  uint8_t nonce[kAeadNonceSize];
  std::copy(mac.begin(), mac.begin() + kAeadNonceSize, nonce);

  // owner length || owner || nonce || the plaintext, encrypted in place || tag
  const size_t header = 1 + owner.size() + kAeadNonceSize;
  buffer.resize(plaintext_size + SealedOverhead(owner));
  std::memmove(buffer.data() + header, buffer.data(), plaintext_size);
  buffer[0] = static_cast<uint8_t>(owner.size());
  std::copy(owner.begin(), owner.end(), buffer.begin() + 1);
  std::copy(nonce, nonce + kAeadNonceSize, buffer.begin() + 1 + owner.size());
  uint8_t* text = buffer.data() + header;
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(text, &written, text, plaintext_size, ad.data(),
                                             ad.size(), nullptr, nonce, data_key.data());
  buffer.resize(header + written);
}

Result<std::string_view> SealedOwner(ByteView sealed) {
  if (sealed.empty() || sealed.size() < 1 + sealed[0] + kAeadNonceSize + kAeadTagSize) {
    return Err(DataLossError("sealed value is malformed"));
  }
  return AsChars(sealed.subspan(1, sealed[0]));
}

Result<Bytes> OpenValue(const AeadKey& data_key, std::string_view family, ByteView key,
                        ByteView sealed) {
  ASSIGN_OR_RETURN(std::string_view owner, SealedOwner(sealed));
  ByteView rest = sealed.subspan(1 + owner.size());
  AssociatedBytes ad = AssociatedData(owner, family, key);
  Bytes out(rest.size() - kAeadNonceSize - kAeadTagSize);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out.data(), &written, nullptr, rest.data() + kAeadNonceSize, rest.size() - kAeadNonceSize,
          ad.data(), ad.size(), rest.data(), data_key.data()) != 0) {
    return Err(DataLossError("sealed value failed authentication"));
  }
  out.resize(written);
  return out;
}

}  // namespace backpack
