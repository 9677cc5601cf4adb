#include "core/crypto.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <new>
#include <string>

#include "core/keys.h"

using namespace backpack;

TEST_CASE("SHA-256 of the empty string matches FIPS 180-4") {
  REQUIRE(CryptoInit().ok());
  CHECK(ToHex(Sha256({})) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("Sha256Builder equals one-shot hashing") {
  REQUIRE(CryptoInit().ok());
  CHECK(Sha256Builder().Add(AsBytes("ab")).Add('c').Finish() == Sha256(AsBytes("abc")));
}

// RFC 4231 test cases 1 and 2. HMAC pads a key with zeros to the block size,
// so a 32-byte key ending in zeros is the RFC's shorter key.
TEST_CASE("HMAC-SHA-256 matches RFC 4231, whole or in parts, with or without a prepared key") {
  REQUIRE(CryptoInit().ok());
  AeadKey twenty_0b{};
  std::fill(twenty_0b.begin(), twenty_0b.begin() + 20, 0x0b);
  const std::string case1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
  CHECK(ToHex(HmacSha256(twenty_0b, {AsBytes("Hi There")})) == case1);
  CHECK(ToHex(HmacSha256(twenty_0b, {AsBytes("Hi "), AsBytes(""), AsBytes("There")})) == case1);
  CHECK(ToHex(HmacSha256Key(twenty_0b).Digest(AsBytes("Hi There"))) == case1);

  AeadKey jefe{};
  std::copy_n("Jefe", 4, jefe.begin());
  const std::string case2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  HmacSha256Key prepared(jefe);
  CHECK(ToHex(prepared.Digest(AsBytes("what do ya want for nothing?"))) == case2);
  CHECK(ToHex(prepared.Digest(AsBytes("what do ya want for nothing?"))) == case2);  // reusable
  CHECK(ToHex(HmacSha256(jefe, {AsBytes("what do ya want "), AsBytes("for nothing?")})) == case2);
}

TEST_CASE("Ed25519 signatures verify only for the signed message and key") {
  REQUIRE(CryptoInit().ok());
  SigningKey key = SigningKey::Generate();
  auto sig = key.Sign(AsBytes("event"));
  CHECK(VerifyEd25519(key.public_key(), AsBytes("event"), sig));
  CHECK_FALSE(VerifyEd25519(key.public_key(), AsBytes("Event"), sig));
  CHECK_FALSE(VerifyEd25519(SigningKey::Generate().public_key(), AsBytes("event"), sig));
  auto reloaded = SigningKey::FromSecret(key.secret());
  REQUIRE(reloaded);
  CHECK(reloaded->public_key() == key.public_key());
}

TEST_CASE("AEAD rejects changed ciphertext, changed associated data and wrong keys") {
  REQUIRE(CryptoInit().ok());
  AeadKey key{}, other{};
  RandomFill(key);
  RandomFill(other);
  Bytes sealed = AeadSeal(key, AsBytes("secret note"), AsBytes("ad"));
  auto opened = AeadOpen(key, sealed, AsBytes("ad"));
  REQUIRE(opened);
  CHECK(AsChars(*opened) == "secret note");
  CHECK_FALSE(AeadOpen(key, sealed, AsBytes("AD")));
  CHECK_FALSE(AeadOpen(other, sealed, AsBytes("ad")));
  sealed[sealed.size() / 2] ^= 1;
  auto tampered = AeadOpen(key, sealed, AsBytes("ad"));
  REQUIRE_FALSE(tampered);
  CHECK(tampered.error().code() == StatusCode::kDataLoss);
  CHECK_FALSE(AeadOpen(key, Bytes(5), {}));
}

TEST_CASE("hex and base64 round-trip and reject garbage") {
  Bytes data = {0, 1, 2, 0xfe, 0xff};
  CHECK(*FromHex(ToHex(data)) == data);
  CHECK(*FromBase64(ToBase64(data)) == data);
  CHECK(FromHex("") == Bytes());  // (no null pointer handed to libsodium: UBSan)
  CHECK_FALSE(FromHex("abc"));
  CHECK_FALSE(FromHex("zz"));
  CHECK_FALSE(FromBase64("@@@@"));
  CHECK(DecodeBigEndian64(EncodeBigEndian64(0x0102030405060708ull)) == 0x0102030405060708ull);
  CHECK(EncodeBigEndian64(1)[7] == 1);
}

TEST_CASE("a wiped secret string is empty and its whole buffer zero") {
  std::string secret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  secret.pop_back();  // spare capacity that held key material too
  const char* buffer = secret.data();
  const size_t capacity = secret.capacity();
  SecureWipe(secret);
  CHECK(secret.empty());
  REQUIRE(secret.data() == buffer);  // wiped in place, not reallocated
  CHECK(std::all_of(buffer, buffer + capacity, [](char c) { return c == 0; }));
}

TEST_CASE("store keys wipe the key-encryption and index keys when destroyed") {
  REQUIRE(CryptoInit().ok());
  alignas(StoreKeys) unsigned char storage[sizeof(StoreKeys)];
  auto* keys = new (storage) StoreKeys(SigningKey::Generate());
  keys->kek.fill(0xA5);
  keys->index_key.fill(0x5A);
  const auto offset = [&](const AeadKey& key) {
    return static_cast<size_t>(reinterpret_cast<const unsigned char*>(key.data()) - storage);
  };
  const size_t kek_at = offset(keys->kek), index_at = offset(keys->index_key);
  keys->~StoreKeys();
  CHECK(std::all_of(storage + kek_at, storage + kek_at + kAeadKeySize,
                    [](unsigned char b) { return b == 0; }));
  CHECK(std::all_of(storage + index_at, storage + index_at + kAeadKeySize,
                    [](unsigned char b) { return b == 0; }));
}
