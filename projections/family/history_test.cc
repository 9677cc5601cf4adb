#include <algorithm>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "events/schema/payloads_generated.h"
#include "projections/family/family_test_util.h"
#include "projections/roster/roster_commands.h"

namespace backpack::family_testing {
namespace {

namespace json = boost::json;

std::vector<uint64_t> Seqs(const json::object& history) {
  std::vector<uint64_t> seqs;
  for (const auto& e : history.at("events").as_array())
    seqs.push_back(e.at("seq").to_number<uint64_t>());
  return seqs;
}

const json::object& EventAt(const json::object& history, uint64_t seq) {
  for (const auto& e : history.at("events").as_array()) {
    if (e.at("seq").to_number<uint64_t>() == seq) return e.as_object();
  }
  FAIL("no event " << seq);
  throw std::logic_error("unreachable");
}

TEST_CASE("history lists every event about the student oldest first and nothing about others") {
  World w;
  std::vector<uint64_t> expected{0, 2};  // Ana's StudentImported and GuardianLinked
  expected.push_back(w.WriteNote(w.ana, "mtss", "Reads well aloud (synthetic)"));
  uint64_t ben_note = w.WriteNote(w.ben, "general", "Ben note (synthetic)");
  expected.push_back(w.ViewProfile(w.ana, "districtwide"));
  uint64_t ben_view = w.ViewProfile(w.ben, "districtwide");
  expected.push_back(w.Append({Denied(w.ana, w.stranger, "denied:no_relationship")}));

  auto history = w.family().History(w.ana);
  REQUIRE(history);
  CHECK(Seqs(*history) == expected);
  CHECK(history->at("shredded").as_bool() == false);
  auto seqs = Seqs(*history);
  CHECK(std::find(seqs.begin(), seqs.end(), ben_note) == seqs.end());
  CHECK(std::find(seqs.begin(), seqs.end(), ben_view) == seqs.end());
  CHECK(EventAt(*history, 0).at("type").as_string() == "StudentImported");
}

TEST_CASE("history summarizes each event and names who did it") {
  World w;
  uint64_t note = w.WriteNote(w.ana, "mtss", "Reads well aloud (synthetic)");
  uint64_t view = w.ViewProfile(w.ana, "class:CLS-1");
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  const json::object& written = EventAt(*history, note);
  CHECK(written.at("summary").as_string() == "Note written (mtss)");
  CHECK(written.at("who").at("role").as_string() == "educator");
  CHECK(written.at("who").at("name").as_string() == "Ms. Rivera");
  CHECK(written.at("at").as_string().size() == 20);  // 2026-09-21T..:..:..Z
  CHECK(EventAt(*history, view).at("summary").as_string() ==
        "Profile viewed by Ms. Rivera (teaches the student's class)");
  const json::object& imported = EventAt(*history, 0);
  CHECK(imported.at("who").at("role").as_string() == "system");
  CHECK(imported.at("summary").as_string() == "Student record imported (grade 07)");
}

TEST_CASE("history tells a row missing from a later import from one replaced by a correction") {
  World w;
  uint64_t missing = w.Append({Retracted(w.ana, fb::RecordKind::Enrollment, "E-9", false)});
  uint64_t replaced = w.Append({Retracted(w.ana, fb::RecordKind::TeamMembership, "", true)});
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  CHECK(EventAt(*history, missing).at("summary").as_string() ==
        "Row missing from a later import flagged (enrollment)");
  CHECK(EventAt(*history, replaced).at("summary").as_string() ==
        "Row replaced by a corrected one from a later import (team_membership)");
}

TEST_CASE("the disclosure record holds every view, denial and outside disclosure") {
  World w;
  uint64_t view = w.ViewProfile(w.ana, "grade:SCH-1:7");
  uint64_t denied = w.Append({Denied(w.ana, w.stranger, "denied:no_relationship")});
  uint64_t disclosed =
      w.Append({Disclosed(w.ana, w.privacy, "State assessment office", "state reporting")});
  w.ViewProfile(w.ben, "districtwide");
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  const json::array& record = history->at("disclosures").as_array();
  REQUIRE(record.size() == 3);
  CHECK(record[0].at("seq").to_number<uint64_t>() == view);
  CHECK(record[0].at("action").as_string() == "viewed");
  CHECK(record[0].at("scope").as_string() == "profile");
  CHECK(record[0].at("reason").as_string() == "grade:SCH-1:7");
  CHECK(record[0].at("who").at("name").as_string() == "Ms. Rivera");
  CHECK(record[1].at("seq").to_number<uint64_t>() == denied);
  CHECK(record[1].at("action").as_string() == "denied");
  CHECK(record[1].at("outcome").as_string() == "denied");
  CHECK(record[2].at("seq").to_number<uint64_t>() == disclosed);
  CHECK(record[2].at("recipient").as_string() == "State assessment office");
  CHECK(record[2].at("legitimate_interest").as_string() == "state reporting");
}

TEST_CASE("a privacy officer or district admin records an outside disclosure for the family") {
  World w;
  const DisclosureRecord transcript{"Lincoln High School (synthetic)", "the student enrolls there",
                                    "transcript and attendance of 2025-26"};
  for (const std::string& refused : {w.guardian, w.educator}) {
    CHECK(w.family().RecordDisclosure(w.As(refused), w.ana, transcript).error().code() ==
          StatusCode::kPermissionDenied);
  }
  const DisclosureRecord blank{transcript.recipient, " ", transcript.description};
  const uint64_t before = w.log().size();
  CHECK(w.family().RecordDisclosure(w.As(w.privacy), w.ana, blank).error().code() ==
        StatusCode::kInvalidArgument);
  CHECK(w.log().size() == before);
  auto by_privacy = w.family().RecordDisclosure(w.As(w.privacy), w.ana, transcript);
  REQUIRE(by_privacy);
  REQUIRE(w.family().RecordDisclosure(w.As(w.admin), w.ana, transcript));
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  const json::array& record = history->at("disclosures").as_array();
  REQUIRE(record.size() == 2);
  const json::object& first = record[0].as_object();
  CHECK(first.at("seq").to_number<uint64_t>() == *by_privacy);
  CHECK(first.at("action").as_string() == "disclosed");
  CHECK(first.at("recipient").as_string() == transcript.recipient);
  CHECK(first.at("legitimate_interest").as_string() == transcript.legitimate_interest);
  CHECK(first.at("description").as_string() == transcript.description);
  CHECK(first.at("who").at("id").as_string() == w.privacy);
  CHECK(history->at("events").as_array().back().at("type").as_string() == "RecordDisclosed");
  CHECK(w.family().RecordDisclosure(w.As(w.privacy), "stu_unknown", transcript).error().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("a multi-student read appears in each listed student's history with their reason") {
  World w;
  uint64_t search = w.Append({Viewed("", w.educator, fb::ReadScope::Search, "",
                                     {{w.ana, "class:CLS-1"}, {w.ben, "districtwide"}})});
  for (const std::string& student : {w.ana, w.ben}) {
    auto history = w.family().History(student);
    REQUIRE(history);
    auto seqs = Seqs(*history);
    CHECK(std::find(seqs.begin(), seqs.end(), search) != seqs.end());
  }
  auto ana = w.family().History(w.ana);
  CHECK(EventAt(*ana, search).at("summary").as_string() ==
        "Found in a search by Ms. Rivera (teaches the student's class)");
  // A home-feed page is recorded as a search too, but told as what it was.
  uint64_t feed = w.Append({Viewed("", w.educator, fb::ReadScope::Search, "educator",
                                   {{w.ana, "districtwide"}}, "view=feed")});
  CHECK(EventAt(*w.family().History(w.ana), feed).at("summary").as_string() ==
        "Shown in the home feed of Ms. Rivera (district-wide access)");
  CHECK(ana->at("disclosures").as_array().back().at("reason").as_string() == "class:CLS-1");
}

TEST_CASE("history names who a grant gave access to, shows its revocation, and says why in words") {
  World w;
  RosterCommands roster(w.fx().services());
  auto grant =
      roster.Grant(w.As(w.admin), GrantRequest{w.educator, GrantScope::ForStudent(w.ana),
                                               std::nullopt, "Synthetic: covering a class"});
  REQUIRE(grant);
  REQUIRE(roster.Revoke(w.As(w.admin), *grant, "Synthetic: cover ended").ok());
  w.Append({Denied(w.ana, w.stranger, "denied:no_relationship")});
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  std::vector<std::string> summaries;
  for (const json::value& e : history->at("events").as_array()) {
    summaries.emplace_back(e.at("summary").as_string());
  }
  auto has = [&](std::string_view text) {
    return std::find(summaries.begin(), summaries.end(), text) != summaries.end();
  };
  CAPTURE(summaries);
  CHECK(has("Access granted to Ms. Rivera by Ada Admin (student grant)"));
  CHECK(has("Access grant revoked by Ada Admin"));
  // Its free-text reason is the student's data, as the grant's was: encrypted.
  auto bundle = w.family().ExportHistory(w.ana);
  REQUIRE(bundle);
  for (const json::value& e : bundle->at("events").as_array()) {
    if (e.at("type") == "AccessRevoked" || e.at("type") == "AccessGranted") {
      CHECK(e.at("encrypted").as_bool());
    }
  }
  CHECK(std::any_of(summaries.begin(), summaries.end(), [](const std::string& s) {
    return s.starts_with("Access denied to ") && s.ends_with("(no relationship to the student)");
  }));
}

TEST_CASE("a guardian's history names the child's guardians but not another family's") {
  World w;
  const std::string co = UserIdFor(w.fx().keys().index_key, "G-2");  // Ana's second guardian
  w.Append({GuardianLinked(w.ben, "G-9", "S-2"),                     // the stranger is Ben's family
            GuardianLinked(w.ana, "G-2", "S-1"),
            UserCreated(co, "jordan", fb::UserRole::Guardian, "Jordan Q.")});
  REQUIRE(RosterCommands(w.fx().services())
              .UnlinkGuardian(w.As(w.admin), co, w.ana, "Synthetic court order")
              .ok());
  const uint64_t refused = w.Append({Denied(w.ana, w.stranger, "denied:no_relationship")});
  const uint64_t former = w.Append({Denied(w.ana, co, "denied:no_relationship")});

  auto history = w.family().History(w.ana, w.guardian);
  REQUIRE(history);
  const std::string text = json::serialize(*history);
  CHECK(text.find(w.stranger) == std::string::npos);
  CHECK(text.find("Other Parent") == std::string::npos);
  const json::object anonymous{{"role", "guardian"}, {"name", "another guardian"}};
  CHECK(EventAt(*history, refused).at("who") == anonymous);
  CHECK(EventAt(*history, refused).at("summary") ==
        "Access denied to another guardian (no relationship to the student)");
  const json::value& disclosed = history->at("disclosures").as_array().back();
  CHECK(disclosed.at("seq").to_number<uint64_t>() == former);
  CHECK(history->at("disclosures").as_array().at(0).at("who") == anonymous);
  // A guardian of the child, even once unlinked, is the family's to know.
  CHECK(EventAt(*history, former).at("who").at("id") == co.c_str());
  CHECK(disclosed.at("who").at("name") == "Jordan Q.");

  SECTION("the privacy officer's history names them") {
    auto full = w.family().History(w.ana);
    REQUIRE(full);
    CHECK(EventAt(*full, refused).at("who").at("id") == w.stranger.c_str());
    CHECK(EventAt(*full, refused).at("summary") ==
          "Access denied to Other Parent (no relationship to the student)");
  }
}

TEST_CASE("a guardian's history never names a co-guardian by their username, often an email") {
  World w;
  const std::string co = UserIdFor(w.fx().keys().index_key, "G-2");
  const std::string username = "jordan.coparent@example.test";
  w.Append({GuardianLinked(w.ana, "G-2", "S-1", username, "", "Jordan", "Rivers"),
            UserCreated(co, username, fb::UserRole::Guardian, "")});
  const uint64_t read = w.Append({Viewed(w.ana, co, fb::ReadScope::History, "guardian")});
  const uint64_t own = w.Append({Viewed(w.ana, w.guardian, fb::ReadScope::History, "guardian")});

  auto history = w.family().History(w.ana, w.guardian);
  REQUIRE(history);
  CHECK(json::serialize(*history).find(username) == std::string::npos);
  // Named as the SIS named them when it linked them (not as the viewer's own link).
  const json::object named{{"id", co}, {"role", "guardian"}, {"name", "Jordan Rivers"}};
  CHECK(EventAt(*history, read).at("who") == named);
  CHECK(EventAt(*history, own).at("who").at("name") == "Marisol Q.");

  SECTION("once unlinked, as a guardian of the student") {
    REQUIRE(RosterCommands(w.fx().services())
                .UnlinkGuardian(w.As(w.admin), co, w.ana, "Synthetic court order")
                .ok());
    auto later = w.family().History(w.ana, w.guardian);
    REQUIRE(later);
    CHECK(json::serialize(*later).find(username) == std::string::npos);
    CHECK(EventAt(*later, read).at("who").at("name") == "a guardian of the student");
  }
  SECTION("the privacy officer's history names the account as it is") {
    auto full = w.family().History(w.ana);
    REQUIRE(full);
    CHECK(EventAt(*full, read).at("who").at("name") == username.c_str());
  }
}

TEST_CASE("history of an unknown student is not found") {
  World w;
  auto history = w.family().History("stu_00000000000000000000");
  REQUIRE_FALSE(history);
  CHECK(history.error().code() == StatusCode::kNotFound);
}

TEST_CASE("the history index survives a restart") {
  World w;
  uint64_t note = w.WriteNote(w.ana, "mtss", "Reads well aloud (synthetic)");
  w.Reopen();
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  CHECK(Seqs(*history).back() == note);
}

}  // namespace
}  // namespace backpack::family_testing
