#include "projections/family/internal/payload_text.h"

#include <catch2/catch.hpp>

#include "events/schema/payloads_generated.h"

namespace backpack::family {
namespace {

Bytes Finished(flatbuffers::FlatBufferBuilder& fbb) {
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

TEST_CASE("payloads render as JSON with schema field names and enum names") {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAttendanceRecordedPayloadDirect(
      fbb, "2026-09-01", fb::AttendanceStatus::Absent, true, "illness", "imp_1"));
  auto json = PayloadToJson(EventType::AttendanceRecorded, Finished(fbb));
  REQUIRE(json);
  CHECK(json->at("date").as_string() == "2026-09-01");
  CHECK(json->at("status").as_string() == "Absent");
  CHECK(json->at("excused").as_bool());
  CHECK(json->at("reason").as_string() == "illness");
}

TEST_CASE("nested tables, vectors and 64-bit numbers render faithfully") {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::AccessedStudent>> students{
      fb::CreateAccessedStudentDirect(fbb, "stu_a", "class:C-1")};
  fbb.Finish(fb::CreateRecordViewedPayloadDirect(fbb, fb::ReadScope::Search, "",
                                                 fb::AccessOutcome::Allowed, "", "", "", nullptr,
                                                 &students, 9'000'000'000ull));
  auto json = PayloadToJson(EventType::RecordViewed, Finished(fbb));
  REQUIRE(json);
  CHECK(json->at("students").as_array()[0].at("reason").as_string() == "class:C-1");
  CHECK(json->at("result_count").to_number<uint64_t>() == 9'000'000'000ull);
  CHECK(json->at("scope").as_string() == "Search");
}

TEST_CASE("non-ASCII text survives rendering") {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteWrittenPayloadDirect(fbb, "note_1", "general", "Café — naïve ✓", false));
  auto json = PayloadToJson(EventType::NoteWritten, Finished(fbb));
  REQUIRE(json);
  CHECK(json->at("text").as_string() == "Café — naïve ✓");
}

TEST_CASE("garbage and payloads of another type are refused, not rendered") {
  Bytes garbage{1, 2, 3, 4, 5, 6, 7, 8, 9};
  CHECK(PayloadToJson(EventType::NoteWritten, garbage).error().code() == StatusCode::kDataLoss);
  CHECK(PayloadToJson(EventType::NoteWritten, {}).error().code() == StatusCode::kDataLoss);
  CHECK(PayloadToJson(EventType::Unknown, garbage).error().code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(VerifyPayload(EventType::StudentImported, garbage));
}

TEST_CASE("every event type has a renderable payload table") {
  for (int raw = 1; raw <= 200; ++raw) {
    auto type = static_cast<EventType>(raw);
    if (EventTypeName(type) == "Unknown") continue;
    flatbuffers::FlatBufferBuilder fbb;
    fbb.Finish(flatbuffers::Offset<flatbuffers::Table>(
        fbb.EndTable(fbb.StartTable())));  // an empty table is valid for every type
    INFO(EventTypeName(type));
    CHECK(PayloadToJson(type, Finished(fbb)));
  }
}

// Byte strings no payload table verifies as: too short, a root offset
// outside the buffer, a zero root offset (an unverified read takes the
// offset itself for a table whose fields are all absent), random bytes.
std::vector<Bytes> GarbagePayloads() {
  return {Bytes{0x7f},
          Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9},
          Bytes{0xf0, 0xff, 0xff, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0},
          Bytes(8, 0),
          Bytes(64, 0),
          Bytes{0x0c, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0x55, 0xaa, 0x55, 0xaa, 4, 0, 0, 0}};
}

// An empty table: a valid payload of every type.
Bytes EmptyTable() {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(flatbuffers::Offset<flatbuffers::Table>(fbb.EndTable(fbb.StartTable())));
  return Finished(fbb);
}

TEST_CASE("every event type refuses garbage and truncated payloads with a status") {
  const Bytes valid = EmptyTable();
  for (int raw = 1; raw <= 200; ++raw) {
    auto type = static_cast<EventType>(raw);
    if (EventTypeName(type) == "Unknown") continue;
    INFO(EventTypeName(type));
    REQUIRE(PayloadToJson(type, valid));  // the control: whole, it renders
    for (const Bytes& garbage : GarbagePayloads()) {
      INFO("garbage of " << garbage.size() << " bytes");
      CHECK_FALSE(VerifyPayload(type, garbage));
      auto json = PayloadToJson(type, garbage);
      REQUIRE_FALSE(json);
      CHECK(json.error().code() == StatusCode::kDataLoss);
    }
    for (size_t cut = 0; cut < valid.size(); ++cut) {
      INFO("cut to " << cut << " bytes");
      const Bytes truncated(valid.begin(), valid.begin() + static_cast<ptrdiff_t>(cut));
      CHECK_FALSE(VerifyPayload(type, truncated));
      CHECK_FALSE(PayloadToJson(type, truncated));
    }
  }
}

}  // namespace
}  // namespace backpack::family
