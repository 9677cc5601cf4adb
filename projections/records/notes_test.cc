#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "projections/records/records.h"
#include "projections/records/records_world_test_util.h"

namespace backpack::records_testing {
namespace {

Actor As(const std::string& user_id) { return Actor{user_id, "req_notes_test", ""}; }

TEST_CASE("a written note is readable with its author, kind and time") {
  World w;
  auto note = w.records().WriteNote(As(w.teacher), w.alex, "mtss", "Tier 2 reading plan", false);
  REQUIRE(note);
  CHECK(note->id.starts_with("note_"));
  CHECK(note->author_id == w.teacher);
  CHECK(note->written_at_us == w.now());
  auto student = w.records().NoteStudent(note->id);
  REQUIRE(student);
  CHECK(*student == w.alex);
  auto found = w.records().FindNote(note->id);
  REQUIRE(found);
  CHECK(found->kind == "mtss");
  CHECK_FALSE(found->restricted);
}

TEST_CASE("notes with a bad kind or text are refused and append nothing") {
  World w;
  uint64_t before = w.log().size();
  auto kind = w.records().WriteNote(As(w.teacher), w.alex, "gossip", "text", false);
  REQUIRE_FALSE(kind);
  CHECK(kind.error().code() == StatusCode::kInvalidArgument);
  for (std::string text : {std::string(), std::string("   \n"), std::string(10'001, 'x'),
                           std::string("bad \xff utf8"), std::string("nul\0byte", 8)}) {
    auto refused = w.records().WriteNote(As(w.teacher), w.alex, "other", text, false);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == StatusCode::kInvalidArgument);
  }
  // 10,000 characters of two bytes each are within the limit.
  std::string long_text;
  for (int i = 0; i < 10'000; ++i) long_text += "\xc3\xa9";
  CHECK(w.records().WriteNote(As(w.teacher), w.alex, "other", long_text, false));
  CHECK(w.log().size() == before + 1);
  auto unknown = w.records().WriteNote(As(w.teacher), "stu_nobody", "other", "text", false);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code() == StatusCode::kNotFound);
}

TEST_CASE("only the author may revise a note, and the reviser is recorded") {
  World w;
  auto note = w.records().WriteNote(As(w.teacher), w.alex, "sst", "First draft", false);
  REQUIRE(note);
  auto denied = w.records().ReviseNote(As(w.principal), note->id, "Hijacked");
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code() == StatusCode::kPermissionDenied);

  w.fx().clock().Advance(60 * kMicrosPerSecond);
  auto revised = w.records().ReviseNote(As(w.teacher), note->id, "Second draft");
  REQUIRE(revised);
  CHECK(revised->revised_by == w.teacher);
  CHECK(revised->revised_at_us == w.now());

  auto text = w.records().RestrictedNoteText(note->id);
  REQUIRE(text);
  CHECK(text->text == "Second draft");
  CHECK(text->info.revised_by == w.teacher);
  auto profile = w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  const auto& shown = profile->at("notes").as_array().at(0).as_object();
  CHECK(shown.at("text").as_string() == "Second draft");
  CHECK(shown.at("revised_by").as_string() == w.teacher);
  CHECK(shown.at("revised_by_name") == shown.at("author_name"));  // the author revised it
  CHECK_FALSE(shown.at("revised_by_name").as_string().empty());
  CHECK(boost::json::serialize(*profile).find("Hijacked") == std::string::npos);

  auto missing = w.records().ReviseNote(As(w.teacher), "note_missing", "x");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == StatusCode::kNotFound);
}

TEST_CASE("restricted note text is available to the restricted-note route only") {
  World w;
  auto note = w.records().WriteNote(As(w.teacher), w.alex, "counselor", "Private matter", true);
  REQUIRE(note);
  auto text = w.records().RestrictedNoteText(note->id);
  REQUIRE(text);
  CHECK(text->text == "Private matter");
  CHECK(text->info.student_id == w.alex);
  CHECK(text->info.restricted);
}

TEST_CASE("the author can restrict a note later, others cannot") {
  World w;
  auto note = w.records().WriteNote(As(w.teacher), w.alex, "other", "Sensitive after all", false);
  REQUIRE(note);
  auto denied = w.records().RestrictNote(As(w.principal), note->id);
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code() == StatusCode::kPermissionDenied);
  auto restricted = w.records().RestrictNote(As(w.teacher), note->id);
  REQUIRE(restricted);
  CHECK(restricted->restricted);
  auto profile = w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  CHECK(boost::json::serialize(*profile).find("Sensitive after all") == std::string::npos);
}

TEST_CASE("a profile read twice reflects every change committed in between (record cache)") {
  World w;
  auto read = [&] {
    auto profile =
        w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
    REQUIRE(profile);
    return boost::json::serialize(*profile);
  };
  CHECK(read().find("First words") == std::string::npos);  // fills the cache
  auto note = w.records().WriteNote(As(w.teacher), w.alex, "other", "First words", false);
  REQUIRE(note);
  CHECK(read().find("First words") != std::string::npos);
  REQUIRE(w.records().ReviseNote(As(w.teacher), note->id, "Better words"));
  std::string revised = read();
  CHECK(revised.find("Better words") != std::string::npos);
  CHECK(revised.find("First words") == std::string::npos);
  REQUIRE(w.records().RestrictNote(As(w.teacher), note->id));
  CHECK(read().find("Better words") == std::string::npos);
  AppendOrDie(w.log(),
              {Attendance(w.alex, w.Day(-1), fb::AttendanceStatus::Absent, true, "dentist")});
  CHECK(read().find("dentist") != std::string::npos);
}

}  // namespace
}  // namespace backpack::records_testing
