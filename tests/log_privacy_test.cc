// Invariants 4, 5 and 7 at the log level: no plaintext personal data at rest,
// crypto-shredding, and hostile stored bytes never crash a reader.
#include <flatbuffers/flatbuffers.h>

#include <catch2/catch.hpp>
#include <random>

#include "events/codec.h"
#include "events/log_layout.h"
#include "events/schema/payloads_generated.h"
#include "events/verifier.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::testing;

namespace {

std::string NoteText(const LoggedEvent& e) {
  auto* note = flatbuffers::GetRoot<fb::NoteWrittenPayload>(e.payload.data());
  return note->text() ? note->text()->str() : "";
}

// Both ways a group reaches the store: through the write-ahead log, and as
// ingested table files (StoreOptions::bulk_write_bytes, here for every group).
std::optional<uint64_t> BulkBytes(bool every_write_bulk) {
  return every_write_bulk ? std::optional<uint64_t>(1) : std::nullopt;
}

}  // namespace

TEST_CASE("personal payloads appear in no file and no stored value") {
  const std::string marker = "ZEBRA-MARKER-7f3a-Whitfield";
  const bool bulk = GENERATE(false, true);
  INFO("every write bulk " << bulk);
  TempDir dir;
  auto t = TestLog::Open(dir.path(), {}, StoreOptions().min_free_bytes, BulkBytes(bulk));
  for (int i = 0; i < 200; ++i) {
    REQUIRE(t->log->Append({NoteEvent("stu_" + std::to_string(i % 7), marker + " said hello")}));
  }
  auto read_back = t->log->Read(5);
  REQUIRE(read_back);
  CHECK(NoteText(*read_back) == marker + " said hello");  // the marker really was written
  CHECK(AllStoredBytes(*t->store).find(marker) == std::string::npos);
  REQUIRE(t->store->FlushAndCompact(cf::kLog).ok());  // into SST files too
  t->Close();
  CHECK_FALSE(AnyFileContains(dir.path(), marker));
}

TEST_CASE("shredding a subject makes its payloads unreadable forever and leaves others intact") {
  const bool bulk = GENERATE(false, true);
  INFO("every write bulk " << bulk);
  TempDir dir;
  auto t = TestLog::Open(dir.path(), {}, StoreOptions().min_free_bytes, BulkBytes(bulk));
  REQUIRE(t->log->Append({NoteEvent("stu_shred", "about the shredded student")}));
  REQUIRE(t->log->Append({NoteEvent("stu_keep", "about another student")}));
  REQUIRE(t->log->Append({NoteEvent("stu_shred", "second note")}));
  auto wrapped = t->store->Get(cf::kDataKeys, AsBytes("stu_shred"));
  REQUIRE(wrapped);
  REQUIRE(*wrapped);
  std::string wrapped_bytes(AsChars(**wrapped));

  REQUIRE(t->data_keys->Shred("stu_shred").ok());

  for (uint64_t seq : {0, 2}) {
    auto e = t->log->Read(seq);
    REQUIRE(e);
    CHECK(e->shredded);
    CHECK(e->payload.empty());
  }
  auto kept = t->log->Read(1);
  REQUIRE(kept);
  CHECK_FALSE(kept->shredded);
  CHECK(NoteText(*kept) == "about another student");

  // No new events may be encrypted for a shredded subject.
  auto again = t->log->Append({NoteEvent("stu_shred", "after shredding")});
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == StatusCode::kGone);

  auto report = VerifyLog(*t->store, t->keys->signing.public_key(), 2);
  REQUIRE(report);
  CHECK(report->ok);
  CHECK(report->events == 3);

  t->Close();
  CHECK_FALSE(AnyFileContains(dir.path(), wrapped_bytes));
  // After reopening (nothing cached) the subject is still shredded.
  t = TestLog::Open(dir.path());
  auto e = t->log->Read(0);
  REQUIRE(e);
  CHECK(e->shredded);
}

TEST_CASE("hostile stored bytes are rejected with a status, never a crash") {
  TempDir dir;
  auto t = TestLog::Open(dir.path());
  REQUIRE(t->log->Append({NoteEvent("stu_a", "a perfectly ordinary note")}));
  auto stored = t->log->ReadStored(0);
  REQUIRE(stored);

  std::mt19937_64 rng(42);
  int rejected = 0;
  for (int round = 0; round < 20000; ++round) {
    Bytes b = *stored;
    int flips = 1 + rng() % 8;
    for (int i = 0; i < flips; ++i) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    if (round % 5 == 0) b.resize(rng() % b.size());
    if (!codec::DecodeSignedEvent(b)) ++rejected;
  }
  CHECK(rejected > 0);
  for (size_t n = 0; n < 64; ++n) {
    Bytes garbage(n);
    for (auto& x : garbage) x = static_cast<uint8_t>(rng());
    CHECK_FALSE(codec::DecodeSignedEvent(garbage));
  }
  // A stored entry replaced by garbage is a clean read error.
  WriteBatch batch;
  batch.Put(cf::kLog, layout::LogKey(0), AsBytes("not a flatbuffer at all"));
  REQUIRE(t->store->Write(batch, true).ok());
  auto read = t->log->Read(0);
  REQUIRE_FALSE(read);
  CHECK(read.error().code() == StatusCode::kDataLoss);
}
