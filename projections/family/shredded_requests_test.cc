// What stays known of a family's requests once their student's record is
// shredded (FERPA: the family asked, and its request was carried out): each
// request's id, kind and outcome, derived from the plaintext RecordShredded
// alone, so that a rebuild reproduces it and nothing the family wrote is
// kept.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>

#include "projections/family/family_test_util.h"

namespace backpack::family_testing {
namespace {

// id -> status of `requests`, which must all be `student`'s.
std::map<std::string, std::string> Statuses(const std::vector<ShreddedFamilyRequest>& requests,
                                            const std::string& student) {
  std::map<std::string, std::string> out;
  for (const auto& r : requests) {
    CHECK(r.student_id == student);
    out[r.id] = r.status;
  }
  return out;
}

TEST_CASE("a shredded record's requests stay listed by kind and outcome without their texts") {
  World w;
  const std::string text = "Correction Xylophone-Tangerine-8";
  const std::string reason = "Deletion Marigold-Oboe-3";
  auto correction = w.family().RequestCorrection(w.As(w.guardian), w.ana, text, 0);
  auto inspection = w.family().RequestInspection(w.As(w.guardian), w.ana);
  auto deletion = w.family().RequestDeletion(w.As(w.guardian), w.ana, reason);
  auto other = w.family().RequestDeletion(w.As(w.admin), w.ben, "Duplicate record");
  REQUIRE((correction && inspection && deletion && other));
  REQUIRE(w.family().FulfillInspection(w.As(w.privacy), inspection->id).ok());
  REQUIRE(w.family().ApproveDeletion(w.As(w.privacy), deletion->id).ok());

  auto all = w.family().ListShreddedRequests(std::nullopt, "");
  REQUIRE(all);
  CHECK(Statuses(*all, w.ana) == std::map<std::string, std::string>{{correction->id, "shredded"},
                                                                    {inspection->id, "shredded"},
                                                                    {deletion->id, "approved"}});
  for (const auto& r : *all) {
    CHECK(r.shredded_seq == all->front().shredded_seq);
    const std::string shown = boost::json::serialize(ShreddedFamilyRequestJson(r));
    CHECK(shown.find(text) == std::string::npos);
    CHECK(shown.find(reason) == std::string::npos);
  }
  auto approved = w.family().ListShreddedRequests(FamilyRequestKind::kDeletion, "approved");
  REQUIRE(approved);
  REQUIRE(approved->size() == 1);
  CHECK(approved->front().id == deletion->id);
  auto corrections = w.family().ListShreddedRequests(FamilyRequestKind::kCorrection, "");
  REQUIRE(corrections);
  CHECK(Statuses(*corrections, w.ana).size() == 1);
  CHECK(w.family().ListShreddedRequests(std::nullopt, "pending")->empty());
  auto live = w.family().ListRequests(std::nullopt, "");  // Ben's only
  REQUIRE(live);
  REQUIRE(live->size() == 1);
  CHECK(live->front().id == other->id);

  // A shred that no request of the student asked for approves none of them.
  REQUIRE(w.family().Shred(w.As(w.privacy), w.ben, "Retention schedule (synthetic)").ok());
  auto bens = w.family().ListShreddedRequests(std::nullopt, "", w.ben);
  REQUIRE(bens);
  CHECK(Statuses(*bens, w.ben) == std::map<std::string, std::string>{{other->id, "shredded"}});
  w.CheckRebuildEqualsLive();
}

TEST_CASE("a shredded student's history lists what is left of the requests") {
  World w;
  auto deletion = w.family().RequestDeletion(w.As(w.guardian), w.ana, "Moving (synthetic)");
  REQUIRE(deletion);
  REQUIRE(w.family().ApproveDeletion(w.As(w.privacy), deletion->id).ok());
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  const auto& requests = history->at("requests").as_array();
  REQUIRE(requests.size() == 1);
  const auto& request = requests[0].as_object();
  CHECK(request.at("id").as_string() == deletion->id);
  CHECK(request.at("status").as_string() == "approved");
  CHECK(request.at("shredded").as_bool());
  CHECK(boost::json::serialize(request).find("Moving") == std::string::npos);
  w.CheckRebuildEqualsLive();
}

}  // namespace
}  // namespace backpack::family_testing
