// Invariants 1 and 2: the log is append-only and verifiable. Every kind of
// tampering with stored bytes is detected and named by its first bad seq.
#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "core/keys.h"
#include "events/codec.h"
#include "events/event_log.h"
#include "events/log_layout.h"
#include "events/merkle.h"
#include "events/verifier.h"
#include "tests/closed_log.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

constexpr uint64_t kEvents = 24;

// A closed log of kEvents notes, its store open for tampering.
struct TamperFixture : ClosedLog {
  Ed25519PublicKey public_key;

  TamperFixture()
      : ClosedLog(kEvents,
                  [](uint64_t i) {
                    return NoteEvent("stu_" + std::to_string(i % 5), "note " + std::to_string(i));
                  }),
        public_key(t->keys->signing.public_key()) {}

  // Verifies, requiring a finding whose reason mentions `why`; returns it.
  VerifyReport VerifyFails(const std::string& why) {
    VerifyReport r = Verify();
    CHECK_FALSE(r.ok);
    CHECK_THAT(r.why, Catch::Contains(why));
    return r;
  }
  VerifyReport Verify() {
    auto report = VerifyLog(*t->store, public_key, 2);
    REQUIRE(report);
    return *report;
  }
  // Recomputes every stored Merkle node from the log as it now is, as a
  // tamperer can (no secret needed), so that only the checks above the tree
  // (signatures, the chain, the signed checkpoint) can catch the change.
  void RewriteTree() {
    merkle::Frontier frontier;
    WriteBatch b;
    for (uint64_t seq = 0; seq < kEvents; ++seq) {
      frontier.Append(merkle::LeafHash(Get(seq)),
                      [&](uint8_t level, uint64_t index, const Hash256& hash) {
                        b.Put(cf::kMerkle, layout::MerkleKey(level, index), hash);
                      });
    }
    REQUIRE(t->store->Write(b, true).ok());
  }
  // Re-signs the event at `seq` alone with `key`, naming that key's ID, as a
  // forger with their own key would (the chain after it breaks too).
  void ResignOne(uint64_t seq, const SigningKey& key) {
    const Bytes stored = Get(seq);  // the decoded event views these bytes
    auto decoded = codec::DecodeSignedEvent(stored);
    REQUIRE(decoded);
    EventHeader header = decoded->header;
    header.recorded_at_us += 1;
    Bytes body = codec::EncodeBody(header, SigningKeyId(key.public_key()),
                                   Hash256FromView(decoded->prev_hash), decoded->payload);
    Put(seq, codec::EncodeSignedEvent(body, key.Sign(Sha256(body))));
  }
  static Hash256 Hash256FromView(ByteView view) {
    Hash256 hash{};
    REQUIRE(view.size() == hash.size());
    std::copy(view.begin(), view.end(), hash.begin());
    return hash;
  }
  // Rewrites events from `first` on (one microsecond later) with `key`, each
  // chained to the one before it as rewritten: a consistent, different log.
  void RewriteFrom(uint64_t first, const SigningKey& key) {
    Hash256 prev{};
    for (uint64_t seq = 0; seq < kEvents; ++seq) {
      const Bytes stored = Get(seq);  // the decoded event views these bytes
      auto decoded = codec::DecodeSignedEvent(stored);
      REQUIRE(decoded);
      if (seq < first) {
        prev = Sha256(decoded->body);
        continue;
      }
      EventHeader header = decoded->header;
      header.recorded_at_us += 1;  // a different history than the one signed
      Bytes body = codec::EncodeBody(header, decoded->key_id, prev, decoded->payload);
      Put(seq, codec::EncodeSignedEvent(body, key.Sign(Sha256(body))));
      prev = Sha256(body);
    }
  }
};

}  // namespace

TEST_CASE("verify accepts an untouched log and reports its size and root") {
  TamperFixture f;
  VerifyReport r = f.Verify();
  CHECK(r.ok);
  CHECK(r.events == kEvents);
}

TEST_CASE("verify names the event whose stored bytes had any single byte flipped") {
  TamperFixture f;
  for (uint64_t seq : {uint64_t{0}, uint64_t{11}, kEvents - 1}) {
    Bytes original = f.Get(seq);
    for (size_t pos = 0; pos < original.size(); ++pos) {
      Bytes tampered = original;
      tampered[pos] ^= 0x01;
      f.Put(seq, tampered);
      VerifyReport r = f.Verify();
      INFO("seq " << seq << " byte " << pos << ": " << r.why);
      REQUIRE_FALSE(r.ok);
      REQUIRE(r.first_bad_seq == seq);
    }
    f.Put(seq, original);
  }
  CHECK(f.Verify().ok);
}

TEST_CASE("verify names a removed event") {
  TamperFixture f;
  f.Delete(7);
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 7);
}

TEST_CASE("verify names the first of two swapped events") {
  TamperFixture f;
  Bytes a = f.Get(3), b = f.Get(4);
  f.Put(3, b);
  f.Put(4, a);
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 3);
}

TEST_CASE("verify names an inserted event") {
  TamperFixture f;
  for (uint64_t seq = kEvents; seq > 6; --seq) f.Put(seq, f.Get(seq - 1));  // shift up
  f.Put(6, f.Get(5));                                                       // duplicate 5 at 6
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 6);
}

TEST_CASE("verify detects a truncated tail even when the recorded size is rewritten") {
  TamperFixture f;
  for (uint64_t seq = kEvents - 3; seq < kEvents; ++seq) f.Delete(seq);
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == kEvents - 3);

  WriteBatch b;
  b.Put(cf::kMeta, AsBytes(layout::kMetaSize), EncodeBigEndian64(kEvents - 3));
  REQUIRE(f.t->store->Write(b, true).ok());
  r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == kEvents - 3);
  CHECK_THAT(r.why, Catch::Contains("checkpoint"));
}

TEST_CASE("verify names the first event re-signed with another key") {
  TamperFixture f;
  SigningKey forger = SigningKey::Generate();
  Hash256 prev{};
  for (uint64_t seq = 0; seq < kEvents; ++seq) {
    Bytes stored = f.Get(seq);
    auto decoded = codec::DecodeSignedEvent(stored);
    REQUIRE(decoded);
    if (seq >= 9) {
      // A forger rebuilds a consistent chain with their own key.
      Bytes body = codec::EncodeBody(decoded->header, "forged", prev, decoded->payload);
      f.Put(seq, codec::EncodeSignedEvent(body, forger.Sign(Sha256(body))));
      prev = Sha256(body);
    } else {
      prev = Sha256(decoded->body);
    }
  }
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 9);
}

TEST_CASE("an event re-signed with another key ID is tampering at its seq, at the ends too") {
  // The log's own key ID at its other end (and its checkpoint) shows that
  // the key given is the log's: the odd one out was re-signed.
  for (uint64_t seq : {uint64_t{0}, uint64_t{12}, kEvents - 1}) {
    TamperFixture f;
    f.ResignOne(seq, SigningKey::Generate());
    VerifyReport r = f.Verify();
    INFO("re-signed seq " << seq);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == seq);
    CHECK_THAT(r.why, Catch::Contains("bad signature"));
  }
}

TEST_CASE("verify names a forged signature even when the Merkle nodes were recomputed") {
  TamperFixture f;
  f.RewriteFrom(9, SigningKey::Generate());
  f.RewriteTree();
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 9);
  CHECK_THAT(r.why, Catch::Contains("signature"));
}

TEST_CASE("verify names a broken chain even when the event is signed by the store's key") {
  TamperFixture f;
  const Bytes stored = f.Get(12);  // the decoded event views these bytes
  auto decoded = codec::DecodeSignedEvent(stored);
  REQUIRE(decoded);
  // Validly signed, but linked to nothing (an event spliced in from elsewhere).
  Bytes body = codec::EncodeBody(decoded->header, decoded->key_id, Hash256{}, decoded->payload);
  f.Put(12, codec::EncodeSignedEvent(body, f.t->keys->signing.Sign(Sha256(body))));
  f.RewriteTree();
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 12);
  CHECK_THAT(r.why, Catch::Contains("chain"));
}

TEST_CASE("verify detects a consistent rewrite by the store's own key against the checkpoint") {
  // A restored or forked log: signatures, chain and tree all consistent, but
  // not the log the store signed a checkpoint of.
  TamperFixture f;
  f.RewriteFrom(9, f.t->keys->signing);
  f.RewriteTree();
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.why, Catch::Contains("checkpoint"));
}

TEST_CASE("verify detects a changed stored Merkle node") {
  TamperFixture f;
  WriteBatch b;
  b.Put(cf::kMerkle, layout::MerkleKey(1, 2), Hash256{});  // covers leaves 4 and 5
  REQUIRE(f.t->store->Write(b, true).ok());
  VerifyReport r = f.Verify();
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 4);
}

TEST_CASE("verify names an event whose envelope was re-encoded even when the tree was recomputed") {
  // Body and signature untouched, so both still check: only the stored
  // bytes, and with them the Merkle leaf, differ.
  TamperFixture f;
  Bytes padded = f.Get(11);
  padded.insert(padded.end(), 8, 0);
  REQUIRE(codec::DecodeSignedEvent(padded));
  f.Put(11, padded);
  f.RewriteTree();
  CHECK(f.VerifyFails("encoding").first_bad_seq == 11);
}

TEST_CASE("the stored encoding of a signed event is pinned, byte for byte") {
  // verify refuses stored bytes that differ from EncodeSignedEvent's, so a
  // FlatBuffers upgrade that lays them out otherwise would make every
  // existing event look tampered with: this test says so first.
  Bytes body(40);
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<uint8_t>(i);
  Ed25519Signature signature;
  signature.fill(0xAB);
  CHECK(ToHex(codec::EncodeSignedEvent(body, signature)) ==
        "0c00000008000c0004000800080000004c0000000400000040000000abababab"
        "abababababababababababababababababababababababababababababababab"
        "abababababababababababababababababababababababababababab28000000"
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        "2021222324252627");
}

TEST_CASE("verify refuses a log whose checkpoints were removed or stored under another size") {
  TamperFixture f;
  auto latest = layout::LatestStoredCheckpoint(*f.t->store);
  REQUIRE(latest);
  REQUIRE(*latest);
  REQUIRE((*latest)->key_size == kEvents);
  SECTION("moved to a larger size") {
    f.PutCheckpoint(kEvents * 100, AsBytes((*latest)->note));
    f.VerifyFails("stored as");
  }
  SECTION("one stored under a key that names no size") {
    WriteBatch b;
    b.Put(cf::kCheckpoints, AsBytes(std::string_view("abc")), AsBytes((*latest)->note));
    REQUIRE(f.t->store->Write(b, true).ok());
    f.VerifyFails("malformed key");
  }
  SECTION("all removed") {
    f.DeleteEveryCheckpoint();
    CHECK(f.VerifyFails("no signed checkpoint").first_bad_seq == 0);
  }
}

TEST_CASE("verify checks every stored checkpoint, not only the latest") {
  TamperFixture f;
  auto note_at = [&f](uint64_t size) {
    auto v = f.t->store->Get(cf::kCheckpoints, layout::CheckpointKey(size));
    REQUIRE(v);
    REQUIRE(*v);  // every append of the fixture was a group with its checkpoint
    return **v;
  };
  const Bytes note11 = note_at(11);
  SECTION("one stored under another size") {
    f.PutCheckpoint(10, note11);
    CHECK(f.VerifyFails("names another size").first_bad_seq == 9);
  }
  SECTION("one with a changed byte") {
    Bytes changed = note_at(5);
    changed[changed.size() - 10] ^= 0x01;  // inside the signature's base64
    f.PutCheckpoint(5, changed);
    CHECK(f.VerifyFails("checkpoint of 5 events invalid").first_bad_seq == 4);
  }
}

TEST_CASE("the log refuses to open for appends once events or the tree were tampered with") {
  // Appending onto a truncated log would reuse the removed events' numbers
  // and sign a new checkpoint over the damage, hiding it from verify.
  TamperFixture f;
  auto reopen = [&f] { return EventLog::Open(*f.t->store, *f.t->keys, *f.t->data_keys); };
  SECTION("untouched: it opens and appends") {
    auto log = reopen();
    REQUIRE(log);
    CHECK((*log)->Append({NoteEvent("stu_0", "later")}));
  }
  SECTION("tail removed") {
    for (uint64_t seq = kEvents - 3; seq < kEvents; ++seq) f.Delete(seq);
    auto log = reopen();
    REQUIRE_FALSE(log);
    CHECK(log.error().code() == StatusCode::kDataLoss);
    CHECK_THAT(log.error().message(), Catch::Contains("recorded 24"));
    CHECK_THAT(log.error().message(), Catch::Contains("backpack verify"));
  }
  SECTION("the first event removed") {
    f.Delete(0);  // the last seq still matches the recorded size
    auto log = reopen();
    REQUIRE_FALSE(log);
    CHECK(log.error().code() == StatusCode::kDataLoss);
    CHECK_THAT(log.error().message(), Catch::Contains("first event is not seq 0"));
  }
  SECTION("tail removed and the recorded size rewritten") {
    for (uint64_t seq = kEvents - 3; seq < kEvents; ++seq) f.Delete(seq);
    WriteBatch b;
    b.Put(cf::kMeta, AsBytes(layout::kMetaSize), EncodeBigEndian64(kEvents - 3));
    REQUIRE(f.t->store->Write(b, true).ok());
    auto log = reopen();
    REQUIRE_FALSE(log);
    CHECK_THAT(log.error().message(), Catch::Contains("checkpoint covers 24"));
  }
  SECTION("a stored Merkle node of the signed root changed") {
    WriteBatch b;
    b.Put(cf::kMerkle, layout::MerkleKey(3, 2), Hash256{});  // leaves 16-23 of 24
    REQUIRE(f.t->store->Write(b, true).ok());
    auto log = reopen();
    REQUIRE_FALSE(log);
    CHECK_THAT(log.error().message(), Catch::Contains("Merkle tree"));
  }
  SECTION("opened with another store's keys: the wrong key is named, not damage") {
    StoreKeys other(SigningKey::Generate());
    other.signing_key_id = SigningKeyId(other.signing.public_key());
    auto log = EventLog::Open(*f.t->store, other, *f.t->data_keys);
    REQUIRE_FALSE(log);
    CHECK(log.error().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(log.error().message(),
               Catch::Contains("the log's events name key ID " + f.t->keys->signing_key_id));
    CHECK_THAT(log.error().message(), !Catch::Contains("backpack verify"));
  }
  SECTION("every checkpoint removed") {
    f.DeleteEveryCheckpoint();
    auto log = reopen();
    REQUIRE_FALSE(log);
    CHECK_THAT(log.error().message(), Catch::Contains("no signed checkpoint"));
  }
}

TEST_CASE("stored events are never rewritten by later appends") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  REQUIRE(t->log->Append({NoteEvent("stu_a", "first")}));
  auto before = t->log->ReadStored(0);
  REQUIRE(before);
  for (int i = 0; i < 50; ++i) REQUIRE(t->log->Append({NoteEvent("stu_a", "more")}));
  auto after = t->log->ReadStored(0);
  REQUIRE(after);
  CHECK(*before == *after);
}

TEST_CASE("verify streams long logs in chunks and still names the first bad seq") {
  // More events than one verification chunk (16,384), in appends of 100.
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  constexpr uint64_t kLong = 17'000;
  for (uint64_t i = 0; i < kLong; i += 100) {
    std::vector<NewEvent> batch;
    for (uint64_t j = i; j < i + 100; ++j)
      batch.push_back(NoteEvent("stu_" + std::to_string(j % 50), "n"));
    REQUIRE(t->log->Append(std::move(batch)));
  }
  Ed25519PublicKey key = t->keys->signing.public_key();
  t->log.reset();
  auto clean = VerifyLog(*t->store, key, 2);
  REQUIRE(clean);
  CHECK(clean->ok);
  CHECK(clean->events == kLong);

  for (uint64_t seq : {uint64_t{16'383}, uint64_t{16'384}, uint64_t{16'900}}) {
    auto stored = t->store->Get(cf::kLog, layout::LogKey(seq));
    REQUIRE(stored);
    REQUIRE(*stored);
    Bytes original = **stored;
    Bytes changed = original;
    changed[changed.size() / 2] ^= 0x01;
    WriteBatch tamper;
    tamper.Put(cf::kLog, layout::LogKey(seq), changed);
    REQUIRE(t->store->Write(tamper, true).ok());
    auto report = VerifyLog(*t->store, key, 2);
    REQUIRE(report);
    CHECK_FALSE(report->ok);
    CHECK(report->first_bad_seq == seq);
    WriteBatch restore;
    restore.Put(cf::kLog, layout::LogKey(seq), original);
    REQUIRE(t->store->Write(restore, true).ok());
  }
}

TEST_CASE("a read refuses an event tampered with after an earlier read checked it") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  REQUIRE(t->log->Append({NoteEvent("stu_a", "first"), NoteEvent("stu_a", "second")}));
  REQUIRE(t->log->Read(1));  // checked, and remembered as checked
  REQUIRE(t->log->Read(1));

  auto stored = t->store->Get(cf::kLog, layout::LogKey(1));
  REQUIRE(stored);
  REQUIRE(*stored);
  auto decoded = codec::DecodeSignedEvent(**stored);
  REQUIRE(decoded);
  Bytes forged = **stored;
  // One byte of the signature, where the decoder still accepts the bytes.
  forged[decoded->signature.data() - (**stored).data()] ^= 0x01;
  WriteBatch batch;
  batch.Put(cf::kLog, layout::LogKey(1), forged);
  REQUIRE(t->store->Write(batch, true).ok());

  auto read = t->log->Read(1);
  REQUIRE_FALSE(read);
  CHECK(read.error().code() == StatusCode::kDataLoss);
  CHECK(t->log->Read(0));
}
