// Invariant 2 against the key IDs a log names: they are plain text, so
// verification never trusts them. A log that does not verify under the key
// given is tampered at its first bad seq, whatever its key IDs say; when they
// name another key, the reason adds that as a hint (the key given may be the
// wrong one), and opening the log to append refuses it.
#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "core/keys.h"
#include "events/event_log.h"
#include "events/log_layout.h"
#include "events/verifier.h"
#include "tests/closed_log.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

constexpr uint64_t kEvents = 6;

// A closed log of kEvents notes, its store open for editing.
struct KeyIdFixture : ClosedLog {
  KeyIdFixture()
      : ClosedLog(kEvents,
                  [](uint64_t i) { return NoteEvent("stu_" + std::to_string(i), "note"); }) {}

  // Replaces the key ID text in the stored event at `seq` with `key_id`, of
  // the same length: the bytes still decode, only the signature breaks.
  void EditKeyId(uint64_t seq, const std::string& key_id) {
    std::string bytes(AsChars(Get(seq)));
    const size_t at = bytes.find(t->keys->signing_key_id);
    REQUIRE(at != std::string::npos);
    REQUIRE(key_id.size() == t->keys->signing_key_id.size());
    bytes.replace(at, key_id.size(), key_id);
    Put(seq, AsBytes(bytes));
  }

  VerifyReport Verify(const Ed25519PublicKey& key) {
    auto report = VerifyLog(*t->store, key, 2);
    REQUIRE(report);
    return *report;
  }
};

}  // namespace

TEST_CASE("verify names seq 0 of a log whose end events name another key ID") {
  // Without checkpoints, the events' key IDs are all that names a signer:
  // edited at both ends, they must not pass for a wrong key.
  KeyIdFixture f;
  const std::string edited = "deadbeefdeadbeef";
  f.EditKeyId(0, edited);
  f.EditKeyId(kEvents - 1, edited);
  f.DeleteEveryCheckpoint();
  const Ed25519PublicKey key = f.t->keys->signing.public_key();
  VerifyReport r = f.Verify(key);
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 0);
  CHECK_THAT(r.why, Catch::StartsWith("bad signature (the log's events name key ID " + edited +
                                      ", not key ID " + f.t->keys->signing_key_id +
                                      " of the given key: if that key is wrong"));
  // Nothing is appended onto it either; the refusal claims no more than the
  // events do.
  auto log = EventLog::Open(*f.t->store, *f.t->keys, *f.t->data_keys);
  REQUIRE_FALSE(log);
  CHECK(log.error().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(log.error().message(), Catch::StartsWith("the log's events name key ID " + edited));
}

TEST_CASE("verify with another store's key names seq 0 and the key ID the events name") {
  KeyIdFixture f;
  const SigningKey other = SigningKey::Generate();
  VerifyReport r = f.Verify(other.public_key());
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_seq == 0);
  CHECK_THAT(r.why, Catch::StartsWith("bad signature") &&
                        Catch::Contains("the log's events name key ID " +
                                        f.t->keys->signing_key_id + ", not key ID " +
                                        SigningKeyId(other.public_key()) + " of the given key"));
  // Under its own key the log verifies, and then names no other signer.
  VerifyReport own = f.Verify(f.t->keys->signing.public_key());
  CHECK(own.ok);
  CHECK(own.events == kEvents);
}

TEST_CASE("verify with another key names the checkpoint of a log of no events") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  REQUIRE(t->log->WriteCheckpoint().ok());  // size 0: no event names its key
  const SigningKey other = SigningKey::Generate();
  auto report = VerifyLog(*t->store, other.public_key(), 2);
  REQUIRE(report);
  CHECK_FALSE(report->ok);
  CHECK(report->first_bad_seq == 0);
  CHECK_THAT(report->why, Catch::Contains("the log's latest checkpoint names key hash"));
  auto own = VerifyLog(*t->store, t->keys->signing.public_key(), 2);
  REQUIRE(own);
  CHECK(own->ok);
}
