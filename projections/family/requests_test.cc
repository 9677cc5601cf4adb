#include <atomic>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "projections/family/export.h"
#include "projections/family/family_test_util.h"

namespace backpack::family_testing {
namespace {

namespace json = boost::json;

TEST_CASE("an inspection request is due 45 days after it was recorded and is listed") {
  World w;
  int64_t now = w.fx().clock().NowMicros();
  auto receipt = w.family().RequestInspection(w.As(w.guardian), w.ana);
  REQUIRE(receipt);
  CHECK(receipt->due_by_us == now + 45 * kMicrosPerDay);
  auto request = w.family().FindRequest(receipt->id);
  REQUIRE(request);
  CHECK(request->status == "pending");
  CHECK(request->student_id == w.ana);
  CHECK(request->due_by_us == receipt->due_by_us);
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  const json::array& requests = history->at("requests").as_array();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].at("kind").as_string() == "inspection");
  CHECK(requests[0].at("requested_by").at("name").as_string() == "Marisol Q.");
}

TEST_CASE("only the student's guardian or a privacy officer may request an inspection") {
  World w;
  CHECK(w.family().RequestInspection(w.As(w.stranger), w.ana).error().code() ==
        StatusCode::kPermissionDenied);
  CHECK(w.family().RequestInspection(w.As(w.educator), w.ana).error().code() ==
        StatusCode::kPermissionDenied);
  CHECK(w.family().RequestInspection(w.As("usr_nobody"), w.ana).error().code() ==
        StatusCode::kPermissionDenied);
  CHECK(w.family().RequestInspection(w.As(w.privacy), w.ana));
  CHECK(w.family().RequestInspection(w.As(w.guardian), w.ana).error().code() ==
        StatusCode::kFailedPrecondition);  // one is pending already
  CHECK(w.family().RequestInspection(w.As(w.guardian), "stu_00000000000000000000").error().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("shredding is refused during a pending inspection and allowed after fulfilment") {
  World w;
  auto receipt = w.family().RequestInspection(w.As(w.guardian), w.ana);
  REQUIRE(receipt);
  CHECK(*w.family().HasLegalHold(w.ana));
  Status refused = w.family().Shred(w.As(w.privacy), w.ana, "retention schedule");
  CHECK(refused.code() == StatusCode::kFailedPrecondition);
  CHECK(refused.message().find(receipt->id) != std::string::npos);  // which request holds it
  // A second request while one is pending is refused, naming the first.
  auto again = w.family().RequestInspection(w.As(w.guardian), w.ana);
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == StatusCode::kFailedPrecondition);
  CHECK(again.error().message().find(receipt->id) != std::string::npos);
  CHECK_FALSE(*w.family().IsShredded(w.ana));
  CHECK(w.fx().data_keys().Get(w.ana));
  CHECK(w.family().FulfillInspection(w.As(w.guardian), receipt->id).code() ==
        StatusCode::kPermissionDenied);
  REQUIRE(w.family().FulfillInspection(w.As(w.privacy), receipt->id).ok());
  CHECK(w.family().FindRequest(receipt->id)->status == "fulfilled");
  CHECK(w.family().FulfillInspection(w.As(w.privacy), receipt->id).code() ==
        StatusCode::kFailedPrecondition);
  CHECK_FALSE(*w.family().HasLegalHold(w.ana));
  auto after = w.family().RequestInspection(w.As(w.guardian), w.ana);  // a new one may follow
  REQUIRE(after);
  REQUIRE(w.family().FulfillInspection(w.As(w.privacy), after->id).ok());
  REQUIRE(w.family().Shred(w.As(w.privacy), w.ana, "retention schedule").ok());
  CHECK(*w.family().IsShredded(w.ana));
}

TEST_CASE("a second inspection pending after a fulfilled first holds the record") {
  World w;
  auto first = w.family().RequestInspection(w.As(w.guardian), w.ana);
  REQUIRE(first);
  REQUIRE(w.family().FulfillInspection(w.As(w.privacy), first->id).ok());
  auto second = w.family().RequestInspection(w.As(w.guardian), w.ana);
  REQUIRE(second);
  auto deletion = w.family().RequestDeletion(w.As(w.guardian), w.ana, "We are moving away");
  REQUIRE(deletion);
  CHECK(*w.family().HasLegalHold(w.ana));
  Status shred = w.family().Shred(w.As(w.privacy), w.ana, "retention schedule");
  CHECK(shred.code() == StatusCode::kFailedPrecondition);
  CHECK(shred.message().find(second->id) != std::string::npos);
  Status approve = w.family().ApproveDeletion(w.As(w.privacy), deletion->id);
  CHECK(approve.code() == StatusCode::kFailedPrecondition);
  CHECK(approve.message().find(second->id) != std::string::npos);
  CHECK_FALSE(*w.family().IsShredded(w.ana));
  CHECK(w.fx().data_keys().Get(w.ana));
}

TEST_CASE("a refused correction lets the guardian attach a statement shown with the record") {
  World w;
  uint64_t note = w.WriteNote(w.ana, "behavior", "Left class early (synthetic)");
  auto request =
      w.family().RequestCorrection(w.As(w.guardian), w.ana, "She had a dentist appointment", note);
  REQUIRE(request);
  CHECK(w.family().AttachStatement(w.As(w.guardian), request->id, "Too early").code() ==
        StatusCode::kFailedPrecondition);
  CHECK(w.family()
            .DecideCorrection(w.As(w.guardian), request->id, CorrectionDecision::kRefuse, "no")
            .code() == StatusCode::kPermissionDenied);
  REQUIRE(w.family()
              .DecideCorrection(w.As(w.privacy), request->id, CorrectionDecision::kRefuse,
                                "The note records what the teacher saw")
              .ok());
  Status again = w.family().DecideCorrection(w.As(w.privacy), request->id,
                                             CorrectionDecision::kAmend, "again");
  CHECK(again.code() == StatusCode::kFailedPrecondition);
  CHECK(again.message() ==
        "request " + request->id + " is refused, not pending: it was decided already");
  CHECK(w.family().AttachStatement(w.As(w.stranger), request->id, "Not mine").code() ==
        StatusCode::kPermissionDenied);
  REQUIRE(
      w.family()
          .AttachStatement(w.As(w.guardian), request->id, "We disagree: the absence was excused")
          .ok());
  CHECK(w.family().AttachStatement(w.As(w.guardian), request->id, "Twice").code() ==
        StatusCode::kAlreadyExists);
  auto history = w.family().History(w.ana);
  REQUIRE(history);
  const json::array& statements = history->at("statements").as_array();
  REQUIRE(statements.size() == 1);
  CHECK(statements[0].at("about_seq").to_number<uint64_t>() == note);
  CHECK(statements[0].at("text").as_string() == "We disagree: the absence was excused");
  auto found = w.family().FindRequest(request->id);
  CHECK(found->status == "refused");
  CHECK(found->decision_reason == "The note records what the teacher saw");
}

TEST_CASE("an amended correction takes no statement") {
  World w;
  uint64_t note = w.WriteNote(w.ana, "behavior", "Left class early (synthetic)");
  auto request = w.family().RequestCorrection(w.As(w.guardian), w.ana, "Wrong date", note);
  REQUIRE(request);
  REQUIRE(w.family()
              .DecideCorrection(w.As(w.privacy), request->id, CorrectionDecision::kAmend,
                                "Date corrected")
              .ok());
  CHECK(w.family().FindRequest(request->id)->status == "amended");
  CHECK(w.family().AttachStatement(w.As(w.guardian), request->id, "Thanks").code() ==
        StatusCode::kFailedPrecondition);
}

// A CorrectionDecided or StatementAttached appended straight to the log, as
// a binary that checked the status without a lock could have done.
NewEvent Decided(const std::string& student, const std::string& request_id,
                 fb::CorrectionDecision decision, const std::string& reason,
                 const std::string& by) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateCorrectionDecidedPayloadDirect(fbb, request_id.c_str(), decision,
                                                      reason.c_str(), by.c_str()));
  return MakeEvent(EventType::CorrectionDecided, Actor{by, "req_test", ""}, student, fbb,
                   /*personal=*/true);
}

NewEvent Statement(const std::string& student, const std::string& request_id,
                   const std::string& text, const std::string& by) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(
      fb::CreateStatementAttachedPayloadDirect(fbb, request_id.c_str(), text.c_str(), by.c_str()));
  return MakeEvent(EventType::StatementAttached, Actor{by, "req_test", ""}, student, fbb,
                   /*personal=*/true);
}

TEST_CASE("a request's first decision and first statement stand, live and rebuilt") {
  World w;
  uint64_t note = w.WriteNote(w.ana, "behavior", "Left class early (synthetic)");
  auto request = w.family().RequestCorrection(w.As(w.guardian), w.ana, "Wrong date", note);
  REQUIRE(request);
  w.Append({Decided(w.ana, request->id, fb::CorrectionDecision::Refuse, "First", w.privacy),
            Statement(w.ana, request->id, "Our statement", w.guardian),
            Decided(w.ana, request->id, fb::CorrectionDecision::Amend, "Second", w.privacy),
            Statement(w.ana, request->id, "A second statement", w.guardian)});
  auto check = [&] {
    auto found = w.family().FindRequest(request->id);
    REQUIRE(found);
    CHECK(found->status == "refused");
    CHECK(found->decision_reason == "First");
    CHECK(found->statement == "Our statement");
  };
  check();
  w.CheckRebuildEqualsLive();
}

TEST_CASE("two decisions racing on one correction request: exactly one is taken") {
  World w;
  uint64_t note = w.WriteNote(w.ana, "behavior", "Left class early (synthetic)");
  for (int round = 0; round < 8; ++round) {
    auto request = w.family().RequestCorrection(w.As(w.guardian), w.ana, "Wrong date", note);
    REQUIRE(request);
    const uint64_t before = w.log().size();
    std::atomic<int> taken{0};
    auto decide = [&](CorrectionDecision decision) {
      if (w.family().DecideCorrection(w.As(w.privacy), request->id, decision, "Decided").ok()) {
        ++taken;
      }
    };
    std::thread amend(decide, CorrectionDecision::kAmend);
    std::thread refuse(decide, CorrectionDecision::kRefuse);
    amend.join();
    refuse.join();
    CHECK(taken == 1);
    CHECK(w.log().size() == before + 1);
  }
}

TEST_CASE("a correction must name an event about the student and carry text") {
  World w;
  uint64_t ben_note = w.WriteNote(w.ben, "general", "Ben note (synthetic)");
  CHECK(w.family().RequestCorrection(w.As(w.guardian), w.ana, "Wrong", ben_note).error().code() ==
        StatusCode::kInvalidArgument);
  CHECK(w.family().RequestCorrection(w.As(w.guardian), w.ana, "", 0).error().code() ==
        StatusCode::kInvalidArgument);
  CHECK(w.family()
            .RequestCorrection(w.As(w.guardian), w.ana, std::string(30'000, 'x'), 0)
            .error()
            .code() == StatusCode::kInvalidArgument);
}

TEST_CASE("family request texts are never stored in plaintext") {
  World w;
  const std::string text = "Correction text Xylophone-Marmalade-42";
  const std::string statement = "Statement Quokka-Saffron-17";
  auto request = w.family().RequestCorrection(w.As(w.guardian), w.ana, text, 0);
  REQUIRE(request);
  REQUIRE(
      w.family()
          .DecideCorrection(w.As(w.privacy), request->id, CorrectionDecision::kRefuse, "Refused")
          .ok());
  REQUIRE(w.family().AttachStatement(w.As(w.guardian), request->id, statement).ok());
  REQUIRE(w.family().FindRequest(request->id)->text == text);
  w.Close();
  CHECK_FALSE(testing::AnyFileContains(w.dir(), text));
  CHECK_FALSE(testing::AnyFileContains(w.dir(), statement));
}

TEST_CASE("an approved deletion request shreds the record") {
  World w;
  CHECK(w.family().RequestDeletion(w.As(w.educator), w.ana, "Moving away").error().code() ==
        StatusCode::kPermissionDenied);
  auto by_admin = w.family().RequestDeletion(w.As(w.admin), w.ben, "Duplicate record");
  REQUIRE(by_admin);
  // One pending deletion per student: approving it shreds the whole record.
  auto second = w.family().RequestDeletion(w.As(w.admin), w.ben, "Asked again");
  REQUIRE_FALSE(second);
  CHECK(second.error().code() == StatusCode::kFailedPrecondition);
  CHECK(second.error().message().find(by_admin->id) != std::string::npos);
  auto request = w.family().RequestDeletion(w.As(w.guardian), w.ana, "We are moving away");
  REQUIRE(request);
  CHECK(w.family().ApproveDeletion(w.As(w.guardian), request->id).code() ==
        StatusCode::kPermissionDenied);
  auto hold = w.family().RequestInspection(w.As(w.guardian), w.ana);
  REQUIRE(hold);
  CHECK(w.family().ApproveDeletion(w.As(w.privacy), request->id).code() ==
        StatusCode::kFailedPrecondition);
  REQUIRE(w.family().FulfillInspection(w.As(w.privacy), hold->id).ok());
  REQUIRE(w.family().ApproveDeletion(w.As(w.privacy), request->id).ok());
  CHECK(*w.family().IsShredded(w.ana));
  CHECK(w.fx().data_keys().IsShredded(w.ana));
  // The shred took the request's record; its id is known to be gone.
  CHECK(w.family().FindRequest(request->id).error().code() == StatusCode::kGone);
  CHECK(*w.family().ShreddedRequestStudent(request->id) == w.ana);
  CHECK(w.family().FindRequest(NewId("del")).error().code() == StatusCode::kNotFound);
  CHECK(w.family().FindRequest(by_admin->id));  // Ben's request is untouched
  CHECK(w.family().RequestInspection(w.As(w.guardian), w.ana).error().code() == StatusCode::kGone);
}

TEST_CASE("a refused deletion keeps the record, is decided once, and lets the family ask again") {
  World w;
  const std::string reason = "Refusal reason Pangolin-Juniper-88";
  auto request = w.family().RequestDeletion(w.As(w.guardian), w.ana, "We are moving away");
  REQUIRE(request);
  CHECK(w.family().RefuseDeletion(w.As(w.admin), request->id, reason).code() ==
        StatusCode::kPermissionDenied);
  CHECK(w.family().RefuseDeletion(w.As(w.privacy), request->id, "").code() ==
        StatusCode::kInvalidArgument);
  REQUIRE(w.family().RefuseDeletion(w.As(w.privacy), request->id, reason).ok());
  auto refused = w.family().FindRequest(request->id);
  REQUIRE(refused);
  CHECK(refused->status == "refused");
  CHECK(refused->decision_reason == reason);
  CHECK(refused->decided_by == w.privacy);
  // Decided once: neither refused again nor approved.
  CHECK(w.family().RefuseDeletion(w.As(w.privacy), request->id, reason).code() ==
        StatusCode::kFailedPrecondition);
  CHECK(w.family().ApproveDeletion(w.As(w.privacy), request->id).code() ==
        StatusCode::kFailedPrecondition);
  CHECK_FALSE(*w.family().IsShredded(w.ana));
  // The family's history says so, and lists the request with the reason.
  auto history = w.family().History(w.ana, w.guardian);
  REQUIRE(history);
  std::string summary;
  for (const json::value& e : history->at("events").as_array()) {
    if (e.at("type").as_string() == "DeletionRefused") summary = e.at("summary").as_string();
  }
  CHECK(summary.starts_with("Deletion refused by "));
  CHECK(summary.ends_with("; the record is kept"));
  const json::object& listed = history->at("requests").as_array().at(0).as_object();
  CHECK(listed.at("status").as_string() == "refused");
  CHECK(listed.at("decision_reason").as_string() == reason);
  // The family's bundle holds the refusal and verifies offline.
  auto bundle = w.family().ExportHistory(w.ana, w.guardian);
  REQUIRE(bundle);
  CHECK(json::serialize(*bundle).find("DeletionRefused") != std::string::npos);
  CHECK(VerifyExport(json::value(*bundle)));
  // A new request may follow the refusal.
  auto again = w.family().RequestDeletion(w.As(w.guardian), w.ana, "Asked again");
  REQUIRE(again);
  auto pending = w.family().PendingRequest(w.ana, FamilyRequestKind::kDeletion);
  REQUIRE(pending);
  REQUIRE(*pending);
  CHECK((*pending)->id == again->id);
  w.CheckRebuildEqualsLive();
  w.Close();
  CHECK_FALSE(testing::AnyFileContains(w.dir(), reason));
}

}  // namespace
}  // namespace backpack::family_testing
