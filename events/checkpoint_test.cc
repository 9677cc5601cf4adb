#include "events/checkpoint.h"

#include <catch2/catch.hpp>
#include <string>

namespace backpack {
namespace {

constexpr std::string_view kEmDash = "\xE2\x80\x94";
constexpr std::string_view kOrigin = "backpack.example/district-7";

Checkpoint SampleCheckpoint() {
  return Checkpoint{std::string(kOrigin), 42, Sha256(AsBytes("a root"))};
}

template <typename T>
StatusCode CodeOf(const Result<T>& result) {
  return result ? StatusCode::kOk : result.error().code();
}

Bytes FromBase64OrDie(std::string_view text) {
  Result<Bytes> bytes = FromBase64(text);
  REQUIRE(bytes);
  return *bytes;
}

// The 32-byte Ed25519 key inside a note verifier key's base64(0x01 || key).
Ed25519PublicKey PublicKeyFromNoteKey(std::string_view base64) {
  Bytes bytes = FromBase64OrDie(base64);
  REQUIRE(bytes.size() == 33);
  REQUIRE(bytes[0] == 0x01);
  Ed25519PublicKey key;
  std::copy(bytes.begin() + 1, bytes.end(), key.begin());
  return key;
}

// Replaces the first occurrence of `from` in `text` with `to`.
std::string Replaced(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("a signed checkpoint verifies and returns its origin, size and root") {
  REQUIRE(CryptoInit().ok());
  const SigningKey key = SigningKey::Generate();
  for (uint64_t size : {uint64_t{0}, uint64_t{42}, UINT64_MAX}) {
    Checkpoint checkpoint = SampleCheckpoint();
    checkpoint.size = size;
    const std::string note = SignCheckpoint(checkpoint, kOrigin, key);
    Result<Checkpoint> verified = VerifyCheckpoint(note, kOrigin, key.public_key());
    REQUIRE(verified);
    CHECK(verified->origin == checkpoint.origin);
    CHECK(verified->size == size);
    CHECK(verified->root == checkpoint.root);
  }
}

TEST_CASE("a signed checkpoint is laid out as a C2SP signed note") {
  REQUIRE(CryptoInit().ok());
  const SigningKey key = SigningKey::Generate();
  const Checkpoint checkpoint = SampleCheckpoint();
  const std::string text = std::string(kOrigin) + "\n42\n" + ToBase64(checkpoint.root) + "\n";
  CHECK(CheckpointText(checkpoint) == text);

  const std::string note = SignCheckpoint(checkpoint, kOrigin, key);
  const std::string prefix = text + "\n" + std::string(kEmDash) + " " + std::string(kOrigin) + " ";
  REQUIRE(note.starts_with(prefix));
  REQUIRE(note.ends_with("\n"));
  const Bytes blob = FromBase64OrDie(note.substr(prefix.size(), note.size() - prefix.size() - 1));
  REQUIRE(blob.size() == 4 + kEd25519SignatureSize);
  const auto key_hash = NoteKeyHash(kOrigin, key.public_key());
  CHECK(std::equal(key_hash.begin(), key_hash.end(), blob.begin()));
  CHECK(VerifyEd25519(key.public_key(), AsBytes(text), ByteView(blob).subspan(4)));
}

TEST_CASE("changing any line of a signed checkpoint fails verification") {
  REQUIRE(CryptoInit().ok());
  const SigningKey key = SigningKey::Generate();
  const Checkpoint checkpoint = SampleCheckpoint();
  const std::string note = SignCheckpoint(checkpoint, kOrigin, key);
  const std::string root = ToBase64(checkpoint.root);
  const std::string other_root = ToBase64(Sha256(AsBytes("another root")));
  const size_t signature_at = note.rfind(' ') + 1;

  CHECK(CodeOf(VerifyCheckpoint(Replaced(note, "district-7", "district-8"), kOrigin,
                                key.public_key())) == StatusCode::kDataLoss);
  CHECK(CodeOf(VerifyCheckpoint(Replaced(note, "\n42\n", "\n43\n"), kOrigin, key.public_key())) ==
        StatusCode::kDataLoss);
  CHECK(CodeOf(VerifyCheckpoint(Replaced(note, root, other_root), kOrigin, key.public_key())) ==
        StatusCode::kDataLoss);
  CHECK(CodeOf(VerifyCheckpoint(Replaced(note, "\n\n", "\n"), kOrigin, key.public_key())) ==
        StatusCode::kInvalidArgument);
  // Every byte of the key hash and signature matters.
  for (size_t i = signature_at; i + 1 < note.size(); ++i) {
    std::string tampered = note;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    CAPTURE(i);
    CHECK_FALSE(VerifyCheckpoint(tampered, kOrigin, key.public_key()));
  }
}

TEST_CASE("a checkpoint signed by another key or name fails verification") {
  REQUIRE(CryptoInit().ok());
  const SigningKey key = SigningKey::Generate();
  const SigningKey other = SigningKey::Generate();
  const std::string note = SignCheckpoint(SampleCheckpoint(), kOrigin, key);
  CHECK(CodeOf(VerifyCheckpoint(note, kOrigin, other.public_key())) == StatusCode::kDataLoss);
  CHECK(CodeOf(VerifyCheckpoint(note, "someone.else", key.public_key())) == StatusCode::kDataLoss);
  const std::string renamed = SignCheckpoint(SampleCheckpoint(), "someone.else", key);
  CHECK(CodeOf(VerifyCheckpoint(renamed, kOrigin, key.public_key())) == StatusCode::kDataLoss);
}

TEST_CASE("other keys' signature lines are ignored but a valid one of ours is required") {
  REQUIRE(CryptoInit().ok());
  const SigningKey key = SigningKey::Generate();
  const SigningKey witness = SigningKey::Generate();
  const std::string ours = SignCheckpoint(SampleCheckpoint(), kOrigin, key);
  const std::string theirs = SignCheckpoint(SampleCheckpoint(), "witness.example", witness);
  const std::string our_line = ours.substr(ours.rfind("\n\n") + 2);
  const std::string their_line = theirs.substr(theirs.rfind("\n\n") + 2);

  CHECK(VerifyCheckpoint(theirs + our_line, kOrigin, key.public_key()));
  CHECK(VerifyCheckpoint(ours + their_line, kOrigin, key.public_key()));
  CHECK(CodeOf(VerifyCheckpoint(theirs, kOrigin, key.public_key())) == StatusCode::kDataLoss);

  // A second line claiming our key but carrying a bad signature poisons the note.
  const std::string forged = SignCheckpoint(Checkpoint{std::string(kOrigin), 7, {}}, kOrigin, key);
  const std::string forged_line = forged.substr(forged.rfind("\n\n") + 2);
  CHECK(CodeOf(VerifyCheckpoint(ours + forged_line, kOrigin, key.public_key())) ==
        StatusCode::kDataLoss);
}

TEST_CASE("malformed checkpoints are rejected as invalid arguments") {
  REQUIRE(CryptoInit().ok());
  const SigningKey key = SigningKey::Generate();
  const std::string note = SignCheckpoint(SampleCheckpoint(), kOrigin, key);
  const std::string root = ToBase64(SampleCheckpoint().root);
  const std::string line = note.substr(note.rfind("\n\n") + 2);
  const std::string short_root = ToBase64(ByteView(SampleCheckpoint().root).first(31));
  // The last data character of a 32-byte value carries two unused low bits.
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string non_canonical_root = root;
  non_canonical_root[42] = kAlphabet[kAlphabet.find(root[42]) ^ 1];

  const std::string malformed[] = {
      note.substr(0, note.size() - 1),                                   // no final newline
      Replaced(note, "\n42\n", "\n042\n"),                               // leading zero
      Replaced(note, "\n42\n", "\n-42\n"),                               // sign
      Replaced(note, "\n42\n", "\n+42\n"),                               // sign
      Replaced(note, "\n42\n", "\n4 2\n"),                               // not decimal
      Replaced(note, "\n42\n", "\n\n"),                                  // empty size
      Replaced(note, "\n42\n", "\n18446744073709551616\n"),              // 2^64
      Replaced(note, root, "not*base64"),                                // bad base64
      Replaced(note, root, short_root),                                  // 31-byte root
      Replaced(note, root, non_canonical_root),                          // non-canonical base64
      Replaced(note, root, root + "\nextension"),                        // extra line
      Replaced(note, std::string(kOrigin) + "\n", ""),                   // no origin line
      Replaced(note, std::string(kOrigin), ""),                          // empty origin
      Replaced(note, "district", "dis\rtrict"),                          // control character
      Replaced(note, "district", "dis\xFFtrict"),                        // invalid UTF-8
      Replaced(note, "district", "dis\xC0\xAFtrict"),                    // overlong UTF-8
      Replaced(note, std::string(kEmDash), "--"),                        // not an em dash
      Replaced(note, std::string(kEmDash) + " ", std::string(kEmDash)),  // no space
      note + "unexpected line\n",                                        // junk after signatures
      note.substr(0, note.rfind("\n\n") + 2),                            // no signature lines
      note + std::string(kEmDash) + " name+plus " + line.substr(line.rfind(' ') + 1),
      note + std::string(kEmDash) + " short AAAAAA==\n",  // shorter than key hash + 1
  };
  for (const std::string& bad : malformed) {
    CAPTURE(bad);
    CHECK(CodeOf(VerifyCheckpoint(bad, kOrigin, key.public_key())) == StatusCode::kInvalidArgument);
    CHECK(CodeOf(ParseCheckpoint(bad)) == StatusCode::kInvalidArgument);
  }
  // Parsing alone checks no signature: another key's note parses.
  const SigningKey other = SigningKey::Generate();
  auto parsed = ParseCheckpoint(SignCheckpoint(SampleCheckpoint(), "elsewhere", other));
  REQUIRE(parsed);
  CHECK(parsed->size == SampleCheckpoint().size);
  std::string many = note;
  for (int i = 0; i < 100; ++i) many += line;
  CHECK(CodeOf(VerifyCheckpoint(many, kOrigin, key.public_key())) == StatusCode::kInvalidArgument);
}

// A checkpoint served by sum.golang.org (Go's checksum database), quoted in
// transparency-dev/trillian-tessera's internal/parse tests, and the database's
// public verifier key that the go command pins.
constexpr std::string_view kSumDbVerifierKey =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
constexpr std::string_view kSumDbCheckpoint =
    "go.sum database tree\n"
    "31700353\n"
    "qINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n"
    "\n"
    "\xE2\x80\x94 sum.golang.org "
    "Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3YI8oW9/"
    "C8DJ87F61QqspBYwM=\n";

TEST_CASE("a real sum.golang.org checkpoint verifies under its published key") {
  REQUIRE(CryptoInit().ok());
  const Ed25519PublicKey key = PublicKeyFromNoteKey("Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
  CHECK(NoteVerifierKey("sum.golang.org", key) == kSumDbVerifierKey);
  Result<Checkpoint> checkpoint = VerifyCheckpoint(kSumDbCheckpoint, "sum.golang.org", key);
  REQUIRE(checkpoint);
  CHECK(checkpoint->origin == "go.sum database tree");
  CHECK(checkpoint->size == 31700353);
  CHECK(ToBase64(checkpoint->root) == "qINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=");
  const std::string grown = Replaced(std::string(kSumDbCheckpoint), "31700353", "31700354");
  CHECK(CodeOf(VerifyCheckpoint(grown, "sum.golang.org", key)) == StatusCode::kDataLoss);
}

TEST_CASE("key hashes, verifier keys and signatures match Go's sumdb/note test vectors") {
  REQUIRE(CryptoInit().ok());
  // From golang.org/x/mod/sumdb/note's note_test.go (TestSign).
  const Bytes seed = FromBase64OrDie("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
  const Ed25519PublicKey public_key =
      PublicKeyFromNoteKey("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  Bytes secret(seed.begin() + 1, seed.end());
  secret.insert(secret.end(), public_key.begin(), public_key.end());
  Result<SigningKey> key = SigningKey::FromSecret(secret);
  REQUIRE(key);

  const auto key_hash = NoteKeyHash("PeterNeumann", public_key);
  CHECK(ToHex(key_hash) == "c74f20a3");
  CHECK(NoteVerifierKey("PeterNeumann", public_key) ==
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");

  const std::string text =
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n";
  Bytes blob(key_hash.begin(), key_hash.end());
  const Ed25519Signature signature = key->Sign(AsBytes(text));
  blob.insert(blob.end(), signature.begin(), signature.end());
  CHECK(ToBase64(blob) ==
        "x08go/ZJkuBS9UG/"
        "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=");
}

TEST_CASE("a verifier key parses back to its name and key, and a wrong hash is refused") {
  REQUIRE(CryptoInit().ok());
  const Ed25519PublicKey public_key =
      PublicKeyFromNoteKey("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  auto parsed =
      ParseNoteVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  REQUIRE(parsed);
  CHECK(parsed->key_name == "PeterNeumann");
  CHECK(parsed->public_key == public_key);
  // The key's base64 may hold a '+' (the name never does).
  const Ed25519PublicKey sumdb =
      PublicKeyFromNoteKey("Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
  auto named = ParseNoteVerifierKey(kSumDbVerifierKey);
  REQUIRE(named);
  CHECK(named->key_name == "sum.golang.org");
  CHECK(named->public_key == sumdb);
  for (std::string_view bad :
       {"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // hash
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // key bytes
        "PeterNeumann+c74f20a3", "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseNoteVerifierKey(bad));
  }
}

}  // namespace
}  // namespace backpack
