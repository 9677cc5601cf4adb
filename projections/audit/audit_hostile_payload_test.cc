// Invariant 7 in the audit projection: an event whose payload does not pass
// the FlatBuffers verifier (truncated, its offsets bent, garbage) is treated
// as one with no payload at all. It never crashes the projection and never
// indexes what an unverified read of its bytes would find.
#include <flatbuffers/flatbuffers.h>

#include <catch2/catch.hpp>
#include <functional>

#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/audit/internal/audit_projection.h"
#include "tests/test_util.h"

namespace backpack::audit_internal {
namespace {

using testing::TempDir;
using testing::TestLog;

constexpr uint64_t kSeq = 40;
constexpr std::string_view kStudent = "stu_hostile0000000000000";

template <typename T>
bool Verifies(ByteView payload) {
  return VerifiedRoot<T>(payload) != nullptr;
}

// One event type the projection reads a payload of, with a valid payload.
struct Row {
  EventType type;
  std::string subject;
  std::function<Bytes()> valid;
  bool (*verifies)(ByteView);
};

Bytes Finished(flatbuffers::FlatBufferBuilder& fbb) {
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

Bytes ViewedPayload() {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::AccessedStudent>> students{
      fb::CreateAccessedStudentDirect(fbb, std::string(kStudent).c_str(), "class:cls-1")};
  std::vector<uint8_t> digest(32, 7);
  fbb.Finish(fb::CreateRecordViewedPayloadDirect(fbb, fb::ReadScope::Profile, "class:cls-1",
                                                 fb::AccessOutcome::Allowed, "192.0.2.1", "", "",
                                                 &digest, &students, 1));
  return Finished(fbb);
}

Bytes DeniedPayload() {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAccessDeniedPayloadDirect(
      fbb, fb::ReadScope::Profile, "no_access", "GET /api/students/{id}/profile", "", "192.0.2.1"));
  return Finished(fbb);
}

Bytes LoginSucceededPayload() {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateLoginSucceededPayloadDirect(fbb, "usr_signed_in", "192.0.2.1"));
  return Finished(fbb);
}

Bytes LoginFailedPayload() {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<uint8_t> digest(32, 9);
  fbb.Finish(fb::CreateLoginFailedPayloadDirect(fbb, "usr_refused", &digest, "192.0.2.1",
                                                fb::LoginFailure::BadPassword));
  return Finished(fbb);
}

Bytes BreakGlassPayload() {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateBreakGlassStartedPayloadDirect(
      fbb, "bg_1", "usr_educator", std::string(kStudent).c_str(),
      "Synthetic: student unwell on a field trip", 1'000'000));
  return Finished(fbb);
}

Bytes ReviewedPayload() {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAlertReviewedPayloadDirect(fbb, AlertId(3).c_str(), "Synthetic note"));
  return Finished(fbb);
}

Bytes SettingsPayload() {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAuditSettingsChangedPayload(fbb, 7));
  return Finished(fbb);
}

Bytes ShreddedPayload() {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::ShreddedBreakGlassAlert>> kept{
      fb::CreateShreddedBreakGlassAlertDirect(fbb, 3, "usr_educator", 10, 20, "bg_1")};
  fbb.Finish(fb::CreateRecordShreddedPayloadDirect(fbb, "retention", "", 30, &kept));
  return Finished(fbb);
}

std::vector<Row> Rows() {
  const std::string student(kStudent);
  return {
      {EventType::RecordViewed, student, ViewedPayload, &Verifies<fb::RecordViewedPayload>},
      {EventType::AccessDenied, student, DeniedPayload, &Verifies<fb::AccessDeniedPayload>},
      {EventType::LoginSucceeded, "", LoginSucceededPayload, &Verifies<fb::LoginSucceededPayload>},
      {EventType::LoginFailed, "", LoginFailedPayload, &Verifies<fb::LoginFailedPayload>},
      {EventType::BreakGlassStarted, student, BreakGlassPayload,
       &Verifies<fb::BreakGlassStartedPayload>},
      {EventType::AlertReviewed, student, ReviewedPayload, &Verifies<fb::AlertReviewedPayload>},
      {EventType::AuditSettingsChanged, "", SettingsPayload,
       &Verifies<fb::AuditSettingsChangedPayload>},
      {EventType::RecordShredded, student, ShreddedPayload, &Verifies<fb::RecordShreddedPayload>},
  };
}

// Copies of `valid` that its table's verifier refuses: every truncation,
// every single byte inverted, and root offsets that are zero (which an
// unverified read takes for a table with every field absent: defaults, not
// a crash) or point past the end.
std::vector<Bytes> HostileCopies(const Bytes& valid, bool (*verifies)(ByteView)) {
  std::vector<Bytes> out;
  for (size_t cut = 0; cut < valid.size(); ++cut) {
    out.emplace_back(valid.begin(), valid.begin() + static_cast<ptrdiff_t>(cut));
  }
  for (size_t i = 0; i < valid.size(); ++i) {
    Bytes flipped = valid;
    flipped[i] ^= 0xff;
    out.push_back(std::move(flipped));
  }
  for (uint32_t root : {uint32_t{0}, static_cast<uint32_t>(valid.size() + 64), 0xfffffff0u}) {
    Bytes bent = valid;
    for (int b = 0; b < 4; ++b) bent[b] = static_cast<uint8_t>(root >> (8 * b));
    out.push_back(std::move(bent));
  }
  out.push_back(Bytes(8, 0));
  std::erase_if(out, [&](const Bytes& b) { return verifies(b); });  // a flip may still verify
  return out;
}

class Harness {
 public:
  Harness() {
    for (const std::string& family : projection_.ColumnFamilies()) {
      REQUIRE(log_->store->EnsureColumnFamily(family).ok());
    }
    REQUIRE(log_->data_keys->GetOrCreate(std::string(kStudent)));
  }

  // Applies an event of `row`'s type with `payload` in a transaction of its
  // own; the status, and every write it staged as "family/key=value".
  std::pair<Status, std::vector<std::string>> Apply(const Row& row, const Bytes& payload) {
    LoggedEvent event;
    event.header = {kSeq, 1'790'000'000'000'000, row.type, "usr_actor", row.subject, "req_1"};
    event.payload = payload;
    WriteBatch batch;
    ProjectionTxn txn(*log_->store, *log_->data_keys, batch);
    Status status = projection_.Apply(event, txn);
    if (status.ok()) status = txn.Finish();
    std::vector<std::string> writes;
    REQUIRE(batch
                .AppendSortedTo([&](std::string_view family, std::string_view key,
                                    std::optional<std::string_view> value) {
                  writes.push_back(std::string(family) + "/" + std::string(key) + "=" +
                                   std::string(value.value_or("(deleted)")));
                  return OkStatus();
                })
                .ok());
    return {status, writes};
  }

 private:
  TempDir dir_;
  std::unique_ptr<TestLog> log_ = TestLog::Open(dir_.path());
  AuditProjection projection_{AuditOptions{}};
};

TEST_CASE("the audit projection treats a payload that fails the verifier as no payload") {
  Harness h;
  for (const Row& row : Rows()) {
    INFO(EventTypeName(row.type));
    const Bytes valid = row.valid();
    REQUIRE(row.verifies(valid));
    // Without a payload (as after a shred) the projection skips the event or
    // indexes only its envelope; a valid payload adds what it says.
    auto [none_status, none] = h.Apply(row, {});
    REQUIRE(none_status.ok());
    auto [valid_status, with_payload] = h.Apply(row, valid);
    REQUIRE(valid_status.ok());
    REQUIRE(with_payload != none);
    const std::vector<Bytes> hostile = HostileCopies(valid, row.verifies);
    REQUIRE(hostile.size() > valid.size());
    for (const Bytes& bad : hostile) {
      auto [status, writes] = h.Apply(row, bad);
      if (!status.ok()) continue;  // refused: nothing is written
      INFO("a hostile copy of " << bad.size() << " bytes");
      CHECK(writes == none);
    }
  }
}

TEST_CASE("reads of every kind index nothing when their payload fails the verifier") {
  Harness h;
  for (const Row& row : Rows()) {
    if (row.type == EventType::AlertReviewed || row.type == EventType::RecordShredded) continue;
    INFO(EventTypeName(row.type));  // the trail of these comes from the payload alone
    CHECK(h.Apply(row, {}).second.empty());
    CHECK(h.Apply(row, Bytes(8, 0)).second.empty());
  }
}

}  // namespace
}  // namespace backpack::audit_internal
