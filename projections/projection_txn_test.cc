// ProjectionTxn: staged writes reach the batch once, at Finish, and sealed
// values stay readable (and sealed at rest) however they are read back.
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>

#include "projections/projection.h"
#include "projections/sealed.h"
#include "tests/test_util.h"

using namespace backpack;
using backpack::testing::TempDir;
using backpack::testing::TestLog;

namespace {

constexpr std::string_view kFamily = "rec_student";

void Must(const Status& status) {
  INFO(status.ToString());
  REQUIRE(status.ok());
}

std::string Text(const std::optional<Bytes>& bytes) {
  REQUIRE(bytes.has_value());
  return std::string(AsChars(*bytes));
}

// Every write in `batch`, as "family/key=value" (or "family/key deleted").
std::vector<std::string> Writes(const WriteBatch& batch) {
  std::vector<std::string> out;
  Must(batch.AppendSortedTo([&](std::string_view family, std::string_view key,
                                std::optional<std::string_view> value) {
    std::string line(family);
    line.append("/").append(key);
    if (value) line.append("=").append(*value);
    else line.append(" deleted");
    out.push_back(std::move(line));
    return OkStatus();
  }));
  return out;
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<TestLog> log = TestLog::Open(dir.path());
  WriteBatch batch;
  ProjectionTxn txn{*log->store, *log->data_keys, batch};

  Fixture() { Must(log->store->EnsureColumnFamily(kFamily)); }
};

}  // namespace

TEST_CASE("staged writes reach the batch only at Finish, once per key, last write wins") {
  Fixture f;
  f.txn.Put(kFamily, AsBytes("b"), AsBytes("1"));
  f.txn.Put(kFamily, AsBytes("a"), AsBytes("1"));
  f.txn.Put(kFamily, AsBytes("b"), AsBytes("2"));
  f.txn.Put(kFamily, AsBytes("c"), AsBytes("1"));
  f.txn.Delete(kFamily, AsBytes("c"));
  CHECK(f.batch.Count() == 0);
  CHECK(Text(*f.txn.Get(kFamily, AsBytes("b"))) == "2");
  CHECK_FALSE(f.txn.Get(kFamily, AsBytes("c"))->has_value());
  CHECK(f.txn.StagedBytes() > 0);

  Must(f.txn.Finish());
  CHECK(Writes(f.batch) ==
        std::vector<std::string>{"rec_student/a=1", "rec_student/b=2", "rec_student/c deleted"});
  CHECK(f.txn.StagedBytes() == 0);

  // After Finish the transaction reads the store, which now holds the batch.
  Must(f.log->store->Write(f.batch, /*sync=*/true));
  CHECK(Text(*f.txn.Get(kFamily, AsBytes("b"))) == "2");
}

// Each key once, in the order Finish put them into the batch.
std::vector<std::string> PutInOrder(const WriteBatch& batch, std::string_view family) {
  std::vector<std::string> out;
  for (const auto& views : batch.ByFamily()) {
    if (views.family != family) continue;
    for (const auto& w : views.writes) {
      std::string line(w.key);
      if (w.value) line.append("=").append(*w.value);
      else line.append(" deleted");
      out.push_back(std::move(line));
    }
  }
  return out;
}

// A family nobody reads keeps its writes in the order they were made, and
// Finish sorts them (by unsigned bytes, as RocksDB does); a family read in
// between keeps them in its ordered map. Either way each key reaches the
// batch once, in key order, with its last write.
TEST_CASE("written-only and read families reach the batch in key order, last write winning") {
  Fixture f;
  constexpr std::string_view kOther = "other_family";
  Must(f.log->store->EnsureColumnFamily(kOther));
  for (std::string_view family : {kFamily, kOther}) {
    f.txn.Put(family, AsBytes("prefix12-b"), AsBytes("1"));
    f.txn.Put(family, AsBytes("\xff-high"), AsBytes("1"));
    f.txn.Put(family, AsBytes("prefix12-a"), AsBytes("1"));
    if (family == kOther) CHECK(Text(*f.txn.Get(family, AsBytes("prefix12-b"))) == "1");
    f.txn.Put(family, AsBytes("prefix12-b"), AsBytes("2"));
    f.txn.Put(family, AsBytes("z"), AsBytes("1"));
    f.txn.Put(family, AsBytes(std::string_view("z\0", 2)), AsBytes("1"));
    f.txn.Delete(family, AsBytes("z"));
    f.txn.Put(family, AsBytes("\x80"), AsBytes("1"));
    f.txn.Put(family, AsBytes("\xff-high"), AsBytes("3"));
  }
  Must(f.txn.Finish());
  const std::vector<std::string> expected = {
      "prefix12-a=1", "prefix12-b=2", "z deleted", std::string("z\0=1", 4), "\x80=1",
      "\xff-high=3"};
  CHECK(PutInOrder(f.batch, kFamily) == expected);
  CHECK(PutInOrder(f.batch, kOther) == expected);
  CHECK(f.batch.Count() == 2 * expected.size());
}

// A family read by key finds each key's last write through a hash index; one
// scanned keeps its writes ordered from then on. Either way reads, scans and
// Finish see each key's last write, however many writes came before it.
TEST_CASE("reads, scans and Finish see each key's last write, whatever reads came between") {
  enum class Reads { kNone, kPoint, kPointThenScan };
  for (Reads reads : {Reads::kNone, Reads::kPoint, Reads::kPointThenScan}) {
    Fixture f;
    constexpr int kKeys = 300;  // enough to grow the index several times
    auto key_of = [](int k) {
      char key[8];
      std::snprintf(key, sizeof key, "k%03d", k);
      return std::string(key);
    };
    std::map<std::string, std::optional<std::string>> expected;
    size_t writes = 0;
    for (int round = 0; round < 3; ++round) {
      for (int k = 0; k < kKeys; ++k) {
        const std::string key = key_of(round == 1 ? kKeys - 1 - k : k);
        const std::string value{'v', static_cast<char>('0' + round)};
        f.txn.Put(kFamily, AsBytes(key), AsBytes(value));
        expected[key] = value;
        if (round == 2 && k % 7 == 0) {
          f.txn.Delete(kFamily, AsBytes(key));
          expected[key].reset();
          ++writes;
        }
        ++writes;
        if (reads != Reads::kNone && k % 5 == 0) {
          auto read = f.txn.Get(kFamily, AsBytes(key));
          REQUIRE(read);
          CHECK(read->has_value() == expected[key].has_value());
          if (read->has_value()) CHECK(std::string(AsChars(**read)) == *expected[key]);
        }
      }
      if (reads == Reads::kPointThenScan && round == 1) {
        std::vector<std::string> scanned;
        Must(f.txn.Scan(kFamily, AsBytes("k"), [&](ByteView key, ByteView value) {
          scanned.push_back(std::string(AsChars(key)).append("=").append(AsChars(value)));
          return true;
        }));
        std::vector<std::string> live;
        for (const auto& [key, value] : expected) {
          if (value) live.push_back(std::string(key).append("=").append(*value));
        }
        CHECK(scanned == live);
      }
    }
    // Every write counted once at most (key, value and its entry).
    CHECK(f.txn.StagedBytes() > 0);
    CHECK(f.txn.StagedBytes() <= writes * (56 + 4 + 2));
    Must(f.txn.Finish());
    std::vector<std::string> want;
    for (const auto& [key, value] : expected) {
      want.push_back(value ? std::string(key).append("=").append(*value) : key + " deleted");
    }
    CHECK(PutInOrder(f.batch, kFamily) == want);
  }
}

TEST_CASE("a sealed value reads back as plaintext and is stored sealed, however it is read") {
  Fixture f;
  const std::string marker = "MARKER-sealed-in-txn";
  Must(f.txn.PutSealed(kFamily, AsBytes("stu_1/x"), "stu_1", AsBytes("draft")));
  Must(f.txn.PutSealed(kFamily, AsBytes("stu_1/x"), "stu_1", AsBytes(marker)));
  CHECK(Text(*f.txn.GetSealed(kFamily, AsBytes("stu_1/x"))) == marker);

  // The raw bytes are sealed for their owner, and open to the plaintext.
  auto raw = f.txn.Get(kFamily, AsBytes("stu_1/x"));
  REQUIRE(raw);
  REQUIRE(raw->has_value());
  CHECK(std::string(AsChars(**raw)).find(marker) == std::string::npos);
  CHECK(*SealedOwner(**raw) == "stu_1");

  // A Scan hands out the sealed bytes; OpenSealed opens them.
  int visited = 0;
  Must(f.txn.Scan(kFamily, AsBytes("stu_1/"), [&](ByteView key, ByteView sealed) {
    ++visited;
    auto plain = f.txn.OpenSealed(kFamily, key, sealed);
    REQUIRE(plain);
    CHECK(std::string(AsChars(*plain)) == marker);
    CHECK(std::string(AsChars(sealed)).find(marker) == std::string::npos);
    return true;
  }));
  CHECK(visited == 1);

  Must(f.txn.Finish());
  auto writes = Writes(f.batch);
  for (const auto& w : writes) CHECK(w.find(marker) == std::string::npos);
  Must(f.log->store->Write(f.batch, /*sync=*/true));
  CHECK(Text(*f.txn.GetSealed(kFamily, AsBytes("stu_1/x"))) == marker);
}

TEST_CASE("sealing at Finish is byte-identical to sealing at once") {
  Fixture f;
  Must(f.txn.PutSealed(kFamily, AsBytes("stu_2/x"), "stu_2", AsBytes("value")));
  Must(f.txn.Finish());
  auto key = f.log->data_keys->Get("stu_2");
  REQUIRE(key);
  Bytes expected = SealValue(*key, "stu_2", kFamily, AsBytes("stu_2/x"), AsBytes("value"));
  std::vector<std::string> writes;
  Must(f.batch.AppendSortedTo([&](std::string_view family, std::string_view k,
                                  std::optional<std::string_view> value) {
    if (family == kFamily && k == "stu_2/x") writes.push_back(std::string(*value));
    return OkStatus();
  }));
  REQUIRE(writes.size() == 1);
  CHECK(writes[0] == std::string(AsChars(expected)));
}

TEST_CASE("Finish fails and writes nothing if a pending value's owner was shredded") {
  Fixture f;
  // The owner's key must be durable before it can be shredded.
  Must(f.txn.PutSealed(kFamily, AsBytes("stu_3/a"), "stu_3", AsBytes("first")));
  Must(f.txn.Finish());
  Must(f.log->store->Write(f.batch, /*sync=*/true));
  f.log->data_keys->MarkDurable("stu_3");
  f.batch.Clear();

  Must(f.txn.PutSealed(kFamily, AsBytes("stu_3/b"), "stu_3", AsBytes("second")));
  f.txn.Put(kFamily, AsBytes("plain"), AsBytes("v"));
  Must(f.log->data_keys->Shred("stu_3"));
  Status finished = f.txn.Finish();
  CHECK(finished.code() == StatusCode::kGone);
  CHECK(f.batch.Count() == 0);
}

TEST_CASE("a transaction restricted to a projection's families refuses the others") {
  Fixture f;
  Must(f.log->store->EnsureColumnFamily("other"));
  f.txn.RestrictTo({std::string(kFamily)});
  f.txn.Put(kFamily, AsBytes("mine"), AsBytes("1"));
  CHECK(f.txn.Get(kFamily, AsBytes("mine")));
  auto read = f.txn.Get("other", AsBytes("theirs"));
  REQUIRE_FALSE(read);
  CHECK(read.error().code() == StatusCode::kFailedPrecondition);
  CHECK(read.error().message().find("'other'") != std::string::npos);
  CHECK(f.txn.Scan("other", {}, [](ByteView, ByteView) { return true; }).code() ==
        StatusCode::kFailedPrecondition);

  f.txn.Put("other", AsBytes("theirs"), AsBytes("1"));
  CHECK(f.txn.Finish().code() == StatusCode::kFailedPrecondition);
  CHECK(f.batch.Count() == 0);
}

TEST_CASE("a new subject's wrapped key enters the batch once, however many values it seals") {
  Fixture f;
  for (const char* key : {"stu_9/a", "stu_9/b", "stu_9/c"}) {
    Must(f.txn.PutSealed(kFamily, AsBytes(key), "stu_9", AsBytes("value")));
  }
  CHECK(f.batch.Count() == 1);  // the wrapped key; the values wait for Finish
  CHECK(f.txn.new_key_subjects().size() == 1);
  Must(f.txn.Finish());
  size_t key_writes = 0;
  for (const auto& write : Writes(f.batch)) {
    if (write.starts_with(std::string(cf::kDataKeys) + "/stu_9")) ++key_writes;
  }
  CHECK(key_writes == 1);
  CHECK(f.batch.Count() == 4);

  // Once durable, later transactions put no key at all.
  Must(f.log->store->Write(f.batch, /*sync=*/true));
  f.log->data_keys->MarkDurable("stu_9");
  WriteBatch later_batch;
  ProjectionTxn later(*f.log->store, *f.log->data_keys, later_batch);
  Must(later.PutSealed(kFamily, AsBytes("stu_9/d"), "stu_9", AsBytes("value")));
  CHECK(later.new_key_subjects().empty());
  Must(later.Finish());
  CHECK(later_batch.Count() == 1);
}
