// The family's statements and amendments as the profile and a restricted
// note's read show them (SPEC §6; FERPA §99.20, §99.21): in full beside the
// entry they are about, which is flagged, except for a restricted note's,
// which only its own audited read serves.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

// A guardian's correction request about event `about`, decided `decision`
// by the privacy officer with `reason`; a refused one gets `statement`.
// Returns the request's id.
std::string Annotate(ApiWorld& w, uint64_t about, const std::string& text,
                     const std::string& decision, const std::string& reason,
                     const std::string& statement = "") {
  json::object ask{{"text", text}, {"about_seq", about}};
  auto asked = w.Call("POST", "/api/students/" + w.child + "/correction-requests", w.guardian.token,
                      json::serialize(ask));
  REQUIRE(asked.status == 201);
  std::string id = Str(ApiWorld::Json(asked).at("id"));
  json::object decide{{"decision", decision}, {"reason", reason}};
  REQUIRE(w.Call("POST", "/api/correction-requests/" + id + "/decision", w.privacy.token,
                 json::serialize(decide))
              .status == 200);
  if (!statement.empty()) {
    json::object body{{"text", statement}};
    REQUIRE(w.Call("POST", "/api/correction-requests/" + id + "/statement", w.guardian.token,
                   json::serialize(body))
                .status == 201);
  }
  return id;
}

// The annotation of `section` made for request `id` (REQUIREs one).
json::object AnnotationOf(const json::value& shown, std::string_view section,
                          const std::string& id) {
  for (const json::value& item : shown.at(section).as_array()) {
    if (Str(item.at("request_id")) == id) return item.as_object();
  }
  FAIL("no annotation of " << id << " in " << section);
  return {};
}

// The profile's note `id` (REQUIREs it).
json::object NoteOf(const json::value& profile, const std::string& id) {
  for (const json::value& note : profile.at("notes").as_array()) {
    if (Str(note.at("id")) == id) return note.as_object();
  }
  FAIL("no note " << id << " in the profile");
  return {};
}

bool Flag(const json::object& entry, std::string_view name) {
  const json::value* flag = entry.if_contains(name);
  return flag && flag->is_bool() && flag->as_bool();
}

// A note by the teacher about the child: {id, seq}.
std::pair<std::string, uint64_t> WriteNote(ApiWorld& w, const std::string& text, bool restricted) {
  json::object body{{"kind", "counselor"}, {"text", text}, {"restricted", restricted}};
  auto r =
      w.Call("POST", "/api/students/" + w.child + "/notes", w.teacher.token, json::serialize(body));
  REQUIRE(r.status == 201);
  const json::value written = ApiWorld::Json(r);
  return {Str(written.at("id")), written.at("seq").to_number<uint64_t>()};
}

TEST_CASE("annotations about a restricted note are stubs in every profile") {
  ApiWorld w;  // its own store: the child gets notes, and rebuild is checked
  auto [note, note_seq] = WriteNote(w, "Synthetic restricted detail 5501", true);
  json::object revision{{"text", "Synthetic restricted detail 5502"}};
  REQUIRE(w.Call("POST", "/api/notes/" + note + "/revisions", w.teacher.token,
                 json::serialize(revision))
              .status == 201);
  const uint64_t revised_seq = w.LogSize() - 1;
  const std::string amended = Annotate(w, note_seq, "Synthetic change 5503 to the note", "amend",
                                       "Synthetic reason 5504 about the note");
  const std::string refused = Annotate(w, revised_seq, "Synthetic change 5505", "refuse",
                                       "Synthetic reason 5506", "Synthetic statement 5507");
  // A note restricted after the family's statement about it: from then on a stub too.
  auto [opened, opened_seq] = WriteNote(w, "Synthetic open detail 5508", false);
  const std::string later = Annotate(w, opened_seq, "Synthetic change 5509", "refuse",
                                     "Synthetic reason 5510", "Synthetic statement 5511");
  REQUIRE(w.Call("POST", "/api/notes/" + opened + "/restrict", w.teacher.token).status == 201);

  for (const Account* reader : {&w.teacher, &w.principal}) {  // without and with the flag
    auto profile = w.Call("GET", Profile(w.child), reader->token);
    REQUIRE(profile.status == 200);
    for (std::string_view said : {"5503", "5504", "5505", "5506", "5507", "5509", "5511"}) {
      CHECK(profile.body.find(std::string(said)) == std::string::npos);
    }
    const json::value shown = ApiWorld::Json(profile);
    const json::object amendment = AnnotationOf(shown, "amendments", amended);
    CHECK(amendment.at("restricted") == true);
    CHECK(Str(amendment.at("note_id")) == note);
    CHECK(amendment.at("about_seq").to_number<uint64_t>() == note_seq);
    CHECK_FALSE(amendment.contains("requested_change"));
    CHECK_FALSE(amendment.contains("reason"));
    for (const std::string& id : {refused, later}) {
      const json::object statement = AnnotationOf(shown, "statements", id);
      CHECK(statement.at("restricted") == true);
      CHECK_FALSE(statement.contains("text"));
      CHECK_FALSE(statement.contains("by"));
    }
    CHECK(Str(AnnotationOf(shown, "statements", later).at("note_id")) == opened);
    // The note's entry carries its seq and says what the family's annotations are.
    const json::object entry = NoteOf(shown, note);
    CHECK(entry.at("seq").to_number<uint64_t>() == note_seq);
    CHECK(Flag(entry, "amended"));
    CHECK(Flag(entry, "disputed"));  // about its revision
    CHECK(Flag(NoteOf(shown, opened), "disputed"));
    CHECK_FALSE(Flag(NoteOf(shown, opened), "amended"));
  }

  // The note's own read, audited as a restricted note's, serves them in full.
  const uint64_t before = w.LogSize();
  auto served = w.Call("GET", "/api/notes/" + note + "/restricted", w.principal.token);
  REQUIRE(served.status == 200);
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  CHECK(DecodeViewed(viewed[0]).scope == "RestrictedNote");
  const json::value body = ApiWorld::Json(served);
  CHECK(Str(AnnotationOf(body, "amendments", amended).at("requested_change")) ==
        "Synthetic change 5503 to the note");
  CHECK(Str(AnnotationOf(body, "amendments", amended).at("reason")) ==
        "Synthetic reason 5504 about the note");
  CHECK(Str(AnnotationOf(body, "statements", refused).at("text")) == "Synthetic statement 5507");
  CHECK(body.at("statements").as_array().size() == 1);  // not the other note's
  CHECK(w.RebuildDifference() == "");
}

TEST_CASE("annotations about open entries are shown in full and flag their entry") {
  ApiWorld w;  // its own store: the child gets notes, and rebuild is checked
  auto [note, note_seq] = WriteNote(w, "Synthetic open detail 5601", false);
  const std::string amended =
      Annotate(w, note_seq, "Synthetic change 5602", "amend", "Synthetic reason 5603");
  const json::value before = ApiWorld::Json(w.Call("GET", Profile(w.child), w.teacher.token));
  REQUIRE_FALSE(before.at("attendance").as_array().empty());
  const json::object day = before.at("attendance").as_array().at(0).as_object();
  CHECK_FALSE(day.contains("disputed"));
  const uint64_t day_seq = day.at("seq").to_number<uint64_t>();
  const std::string refused = Annotate(w, day_seq, "Synthetic change 5604", "refuse",
                                       "Synthetic reason 5605", "Synthetic statement 5606");

  const json::value shown = ApiWorld::Json(w.Call("GET", Profile(w.child), w.teacher.token));
  const json::object amendment = AnnotationOf(shown, "amendments", amended);
  CHECK(Str(amendment.at("requested_change")) == "Synthetic change 5602");
  CHECK(Str(amendment.at("reason")) == "Synthetic reason 5603");
  CHECK_FALSE(amendment.contains("restricted"));
  CHECK(Str(AnnotationOf(shown, "statements", refused).at("text")) == "Synthetic statement 5606");
  const json::object entry = NoteOf(shown, note);
  CHECK(entry.at("seq").to_number<uint64_t>() == note_seq);
  CHECK(Flag(entry, "amended"));
  CHECK_FALSE(Flag(entry, "disputed"));
  bool day_disputed = false;
  for (const json::value& row : shown.at("attendance").as_array()) {
    if (row.at("seq").to_number<uint64_t>() == day_seq)
      day_disputed = Flag(row.as_object(), "disputed");
  }
  CHECK(day_disputed);
  CHECK(w.RebuildDifference() == "");
}

}  // namespace
}  // namespace backpack::api_testing
