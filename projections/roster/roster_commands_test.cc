#include <catch2/catch.hpp>

#include "events/log_layout.h"
#include "events/schema/payloads_generated.h"
#include "projections/rebuild.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/roster_test_world.h"

namespace backpack::testing {
namespace {

const Actor kAdmin{"usr_admin", "req_1", ""};

std::string ErrorMessage(const Result<UserInfo>& r) { return r ? "" : r.error().message(); }

TEST_CASE("a user added with a password can authenticate, and only with it") {
  RosterWorld w;
  w.ImportDistrict();  // sch-1
  std::string id = w.AddUser("casey", Role::kEducator, {"schoolwide"}, {"sch-1"});
  CHECK(id.starts_with("usr_"));
  auto cmd = w.commands();

  auto ok = cmd.Authenticate("casey", "correct horse battery");
  REQUIRE(ok);
  CHECK(ok->id == id);
  CHECK(ok->role == Role::kEducator);
  CHECK(ok->flags == IdSet{"schoolwide"});
  CHECK(cmd.Authenticate("CASEY", "correct horse battery"));  // usernames ignore case

  auto wrong = cmd.Authenticate("casey", "correct horse batterY");
  CHECK(wrong.error().code() == StatusCode::kUnauthenticated);
  CHECK(ErrorMessage(wrong) == kLoginBadPassword);
  auto unknown = cmd.Authenticate("nobody", "correct horse battery");
  CHECK(unknown.error().code() == StatusCode::kUnauthenticated);
  CHECK(ErrorMessage(unknown) == kLoginNoSuchUser);

  REQUIRE(cmd.DisableUser(kAdmin, id, "left").has_value());
  CHECK(ErrorMessage(cmd.Authenticate("casey", "correct horse battery")) == kLoginDisabled);
  CHECK(w.roster().FindUser(id)->disabled);
}

// The roster families rebuilt from the log, compared with the live ones:
// the first difference, or "" if byte-for-byte equal.
std::string RosterRebuildDifference(RosterWorld& w) {
  TempDir scratch;
  std::unique_ptr<Store> rebuilt = w.fx().Rebuilt(scratch.path() / "db");
  auto diff = FirstDifference(w.fx().store(), *rebuilt, roster::ProjectionFamilies());
  REQUIRE(diff);
  return diff->value_or("");
}

TEST_CASE("a disabled account can be enabled again, for a stated reason") {
  RosterWorld w;
  std::string id = w.AddUser("casey", Role::kEducator);
  auto cmd = w.commands();
  CHECK(cmd.DisableUser(kAdmin, id, " ").error().code() == StatusCode::kInvalidArgument);
  CHECK(cmd.DisableUser(kAdmin, id, "on leave") == AccountChange::kChanged);
  CHECK(cmd.DisableUser(kAdmin, id, "on leave") == AccountChange::kAlreadySo);
  CHECK(cmd.EnableUser(kAdmin, id, "").error().code() == StatusCode::kInvalidArgument);
  CHECK(w.roster().FindUser(id)->disabled);
  CHECK(cmd.EnableUser(kAdmin, "usr_nobody", "back").error().code() == StatusCode::kNotFound);

  uint64_t size = w.fx().log().size();
  CHECK(cmd.EnableUser(kAdmin, id, "back from leave") == AccountChange::kChanged);
  CHECK(w.fx().log().size() == size + 1);
  CHECK(cmd.EnableUser(kAdmin, id, "back from leave") == AccountChange::kAlreadySo);
  CHECK(w.fx().log().size() == size + 1);
  CHECK_FALSE(w.roster().FindUser(id)->disabled);
  CHECK(cmd.Authenticate("casey", "correct horse battery"));
  w.Reopen();
  CHECK_FALSE(w.roster().FindUser(id)->disabled);
  CHECK(w.commands().Authenticate("casey", "correct horse battery"));
  CHECK(RosterRebuildDifference(w) == "");
}

// True if `marker` is in a stored key or value of `w`'s store, or in a file
// of its directory once the log is flushed into table files.
bool StoredInPlaintext(RosterWorld& w, std::string_view marker) {
  if (AllStoredBytes(w.fx().store()).find(marker) != std::string::npos) return true;
  REQUIRE(w.fx().store().FlushAndCompact(cf::kLog).ok());
  return AnyFileContains(w.fx().store().path(), marker);
}

// The reason of the UserDisabled or UserEnabled event at `seq`, as read back.
template <typename Payload>
std::string AccountReasonAt(RosterWorld& w, uint64_t seq, bool* encrypted) {
  auto event = w.fx().log().Read(seq);
  REQUIRE(event);
  *encrypted = event->header.payload_encrypted;
  auto* p = flatbuffers::GetRoot<Payload>(event->payload.data());
  return p->reason() ? p->reason()->str() : "";
}

TEST_CASE("the reasons for disabling and enabling an account are stored sealed") {
  RosterWorld w;
  std::string id = w.AddUser("casey", Role::kEducator);
  auto cmd = w.commands();
  const std::string off = "Kestrelwood-Disciplinary-7c1e", on = "Marrowgate-Reinstated-2b9d";
  REQUIRE(cmd.DisableUser(kAdmin, id, off) == AccountChange::kChanged);
  const uint64_t disabled_at = w.fx().log().size() - 1;
  REQUIRE(cmd.EnableUser(kAdmin, id, on) == AccountChange::kChanged);
  bool encrypted = false;
  CHECK(AccountReasonAt<fb::UserDisabledPayload>(w, disabled_at, &encrypted) == off);
  CHECK(encrypted);
  CHECK(AccountReasonAt<fb::UserEnabledPayload>(w, disabled_at + 1, &encrypted) == on);
  CHECK(encrypted);
  CHECK_FALSE(StoredInPlaintext(w, off));
  CHECK_FALSE(StoredInPlaintext(w, on));
  CHECK(RosterRebuildDifference(w) == "");
}

TEST_CASE("a plaintext UserDisabled of an earlier store still disables, live and replayed") {
  RosterWorld w;
  std::string id = w.AddUser("casey", Role::kEducator);
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateUserDisabledPayloadDirect(fbb, id.c_str(), "left"));
  NewEvent legacy;
  legacy.type = EventType::UserDisabled;
  legacy.actor_id = kAdmin.user_id;
  legacy.subject_id = id;
  legacy.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  legacy.personal = false;
  w.Append({std::move(legacy)});
  CHECK(w.roster().FindUser(id)->disabled);
  CHECK(RosterRebuildDifference(w) == "");
  REQUIRE(
      ReplayInto(w.fx().store(), w.fx().data_keys(), w.fx().log(), w.fx().domain().projector()));
  w.Reopen();
  CHECK(w.roster().FindUser(id)->disabled);
  CHECK(w.commands().EnableUser(kAdmin, id, "back") == AccountChange::kChanged);
}

TEST_CASE("an account's flags, schools and grades can be changed and the rest stays") {
  RosterWorld w;
  w.ImportDistrict();
  std::string id = w.AddUser("casey", Role::kEducator, {"schoolwide"}, {"sch-1"});
  std::string b = w.StudentId("stu-b");
  CHECK(w.roster().Decide(id, b, w.now()).reason == "schoolwide:sch-1");
  auto cmd = w.commands();

  uint64_t size = w.fx().log().size();
  UserChanges unknown_flag;
  unknown_flag.flags = IdSet{"superuser"};
  CHECK(cmd.UpdateUser(kAdmin, id, unknown_flag).error().code() == StatusCode::kInvalidArgument);
  CHECK(cmd.UpdateUser(kAdmin, "usr_nobody", {}).error().code() == StatusCode::kNotFound);
  for (std::string hostile :
       std::vector<std::string>{"Casey\x1b[2J", "Casey\nAdmin", std::string("Ca\0sey", 6), "\xff",
                                "Casey \xe2\x80\xae"
                                "nimdA"}) {
    UserChanges renamed;
    renamed.display_name = hostile;
    CHECK(cmd.UpdateUser(kAdmin, id, renamed).error().code() == StatusCode::kInvalidArgument);
  }
  CHECK(w.fx().log().size() == size);
  UserChanges same;
  same.flags = IdSet{"schoolwide"};
  CHECK(cmd.UpdateUser(kAdmin, id, same) == AccountChange::kAlreadySo);
  CHECK(w.fx().log().size() == size);  // nothing changed, nothing appended

  UserChanges grade_lead;
  grade_lead.flags = IdSet{};
  grade_lead.grades = IdSet{"08"};
  CHECK(cmd.UpdateUser(kAdmin, id, grade_lead) == AccountChange::kChanged);
  CHECK(w.fx().log().size() == size + 1);
  auto user = w.roster().FindUser(id);
  REQUIRE(user);
  CHECK(user->flags.empty());
  CHECK(user->schools == IdSet{"sch-1"});
  CHECK(user->username == "casey");
  CHECK(user->display_name == "Synthetic casey");
  CHECK(w.roster().Decide(id, b, w.now()).reason == "grade:sch-1:8");
  CHECK_FALSE(w.roster().Decide(id, w.StudentId("stu-a"), w.now()).allowed);
  w.Reopen();
  CHECK(w.roster().Decide(id, b, w.now()).reason == "grade:sch-1:8");
  CHECK(w.commands().Authenticate("casey", "correct horse battery"));
  CHECK(RosterRebuildDifference(w) == "");
}

TEST_CASE("an account stored with a name no longer accepted can still be changed") {
  RosterWorld w;
  // An account from before display names were checked: its name holds a tab.
  const std::string id = "usr_00000000000000000042";
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateUserCreatedPayloadDirect(fbb, id.c_str(), "legacy", fb::UserRole::Educator,
                                                "Legacy\tName"));
  NewEvent created;
  created.type = EventType::UserCreated;
  created.actor_id = "system";
  created.subject_id = id;
  created.payload = Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  created.personal = true;
  w.Append({created});
  REQUIRE(w.roster().FindUser(id));

  auto cmd = w.commands();
  UserChanges flags;  // (grades would need schools)
  flags.flags = IdSet{"schoolwide"};
  CHECK(cmd.UpdateUser(kAdmin, id, flags) == AccountChange::kChanged);
  CHECK(cmd.UpdateUser(kAdmin, id, flags) == AccountChange::kAlreadySo);
  UserChanges renamed;
  renamed.display_name = "Still\tLegacy";
  CHECK(cmd.UpdateUser(kAdmin, id, renamed).error().code() == StatusCode::kInvalidArgument);
  renamed.display_name = "Legacy Name";
  CHECK(cmd.UpdateUser(kAdmin, id, renamed) == AccountChange::kChanged);
  CHECK(w.roster().FindUser(id)->display_name == "Legacy Name");
}

TEST_CASE("a password reset replaces the password and puts no hash in the log") {
  RosterWorld w;
  std::string id = w.AddUser("casey", Role::kEducator);
  auto cmd = w.commands();
  CHECK(cmd.ResetPassword(kAdmin, id, "too short", PasswordCost::kMinimal).code() ==
        StatusCode::kInvalidArgument);
  CHECK(cmd.ResetPassword(kAdmin, "usr_nobody", "a new long passphrase", PasswordCost::kMinimal)
            .code() == StatusCode::kNotFound);
  CHECK(cmd.Authenticate("casey", "correct horse battery"));

  REQUIRE(cmd.ResetPassword(kAdmin, id, "a new long passphrase", PasswordCost::kMinimal).ok());
  CHECK(ErrorMessage(cmd.Authenticate("casey", "correct horse battery")) == kLoginBadPassword);
  CHECK(cmd.Authenticate("casey", "a new long passphrase"));
  auto last = w.fx().log().Read(w.fx().log().size() - 1);
  REQUIRE(last);
  CHECK(last->header.type == EventType::PasswordReset);
  CHECK(last->header.subject_id == id);
  CHECK(last->header.actor_id == kAdmin.user_id);
  std::string payload(AsChars(last->payload));
  CHECK(payload.find("argon2") == std::string::npos);
  CHECK(payload.find("passphrase") == std::string::npos);
  w.Reopen();
  CHECK(w.commands().Authenticate("casey", "a new long passphrase"));
}

TEST_CASE("the only enabled district admin cannot be disabled") {
  RosterWorld w;
  std::string first = w.AddUser("first.admin", Role::kDistrictAdmin);
  auto cmd = w.commands();
  auto refused = cmd.DisableUser(kAdmin, first, "left");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == StatusCode::kFailedPrecondition);
  CHECK_FALSE(w.roster().FindUser(first)->disabled);
  std::string second = w.AddUser("second.admin", Role::kDistrictAdmin);
  REQUIRE(cmd.DisableUser(kAdmin, first, "left").has_value());  // another one remains
  CHECK(cmd.DisableUser(kAdmin, second, "left").error().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("user add refuses taken usernames, short passwords and bad names") {
  RosterWorld w;
  w.AddUser("casey", Role::kEducator);
  AddUserRequest r{"Casey", Role::kEducator, "", {}, {}, {}, "", PasswordCost::kMinimal};
  auto cmd = w.commands();
  CHECK(cmd.AddUser(kAdmin, r, "long enough password").error().code() ==
        StatusCode::kAlreadyExists);
  r.username = "drew";
  CHECK(cmd.AddUser(kAdmin, r, "elevenchars").error().code() == StatusCode::kInvalidArgument);
  CHECK(cmd.AddUser(kAdmin, r, "twelve chars").has_value());
  r.username = "has space";
  CHECK(cmd.AddUser(kAdmin, r, "long enough password").error().code() ==
        StatusCode::kInvalidArgument);
  r.username = "erin";
  r.display_name = "Erin\r\nRole: district_admin";
  CHECK(cmd.AddUser(kAdmin, r, "long enough password").error().code() ==
        StatusCode::kInvalidArgument);
  r.display_name = "Érin Ñandú";
  CHECK(cmd.AddUser(kAdmin, r, "long enough password").has_value());
  AddUserRequest guardian{"gale", Role::kGuardian,       "", {"districtwide"}, {}, {},
                          "",     PasswordCost::kMinimal};
  CHECK(cmd.AddUser(kAdmin, guardian, "long enough password").error().code() ==
        StatusCode::kInvalidArgument);
  guardian.flags.clear();
  guardian.schools = {"sch-1"};
  CHECK(cmd.AddUser(kAdmin, guardian, "long enough password").error().code() ==
        StatusCode::kInvalidArgument);
  guardian.schools.clear();
  CHECK(cmd.AddUser(kAdmin, guardian, "long enough password").has_value());
}

TEST_CASE("credentials stay out of the log and survive a rebuild") {
  RosterWorld w;
  std::string id = w.AddUser("casey", Role::kEducator);
  auto event = w.fx().log().Read(w.fx().log().size() - 1);
  REQUIRE(event);
  CHECK(event->header.type == EventType::UserCreated);
  CHECK(event->header.payload_encrypted);
  std::string plain(AsChars(event->payload));
  CHECK(plain.find("$argon2") == std::string::npos);
  CHECK(plain.find("correct horse") == std::string::npos);

  REQUIRE(
      ReplayInto(w.fx().store(), w.fx().data_keys(), w.fx().log(), w.fx().domain().projector()));
  w.Reopen();
  CHECK(w.commands().Authenticate("casey", "correct horse battery"));
}

TEST_CASE("accounts of imported people get their OneRoster ids") {
  RosterWorld w;
  w.ImportDistrict();
  std::string teacher = w.AddUser("tch-1", Role::kEducator);
  CHECK(teacher == UserIdFor(w.index_key(), "tch-1"));
  std::string by_sourced = w.AddUser("ms.jones", Role::kEducator, {}, {}, {}, "tch-2");
  CHECK(by_sourced == UserIdFor(w.index_key(), "tch-2"));
  std::string parent = w.AddUser("MORGAN.Q@example.test", Role::kGuardian);
  CHECK(parent == UserIdFor(w.index_key(), "gdn-1"));
  CHECK(w.roster().FindUser(parent)->guardian_of == std::vector<std::string>{w.StudentId("stu-a")});
  AddUserRequest again{"gdn-1", Role::kGuardian, "", {}, {}, {}, "", PasswordCost::kMinimal};
  CHECK(w.commands().AddUser(kAdmin, again, "long enough password").error().code() ==
        StatusCode::kAlreadyExists);
  CHECK(w.AddUser("stranger", Role::kGuardian) != parent);
}

TEST_CASE("a student grant allows access until it expires or is revoked") {
  RosterWorld w;
  w.ImportDistrict();
  std::string edu = w.AddUser("helper", Role::kEducator);
  std::string b = w.StudentId("stu-b");
  auto cmd = w.commands();
  CHECK_FALSE(w.roster().Decide(edu, b, w.now()).allowed);

  auto grant = cmd.Grant(kAdmin, GrantRequest{edu, GrantScope::ForStudent("stu-b"),
                                              w.now() + 24 * kHour, "covering a class"});
  REQUIRE(grant);
  CHECK(w.roster().Decide(edu, b, w.now()).reason == "grant:" + *grant);
  w.fx().clock().Advance(25 * kHour);
  CHECK_FALSE(w.roster().Decide(edu, b, w.now()).allowed);

  auto open = cmd.Grant(kAdmin, GrantRequest{edu, GrantScope::ForStudent(b), {}, "ongoing"});
  REQUIRE(open);
  CHECK(w.roster().Decide(edu, b, w.now()).allowed);
  REQUIRE(cmd.Revoke(kAdmin, *open).ok());
  CHECK_FALSE(w.roster().Decide(edu, b, w.now()).allowed);
  CHECK(cmd.Revoke(kAdmin, *open).ok());
  CHECK(cmd.Revoke(kAdmin, "grant_nope").code() == StatusCode::kNotFound);
}

TEST_CASE("class and school-grade grants cover their students") {
  RosterWorld w;
  w.ImportDistrict();
  std::string edu = w.AddUser("helper", Role::kEducator);
  auto cmd = w.commands();
  auto by_class = cmd.Grant(kAdmin, GrantRequest{edu, GrantScope::ForClass("cls-1"), {}, "sub"});
  REQUIRE(by_class);
  CHECK(w.roster().Decide(edu, w.StudentId("stu-a"), w.now()).reason == "grant:" + *by_class);
  auto by_grade = cmd.Grant(
      kAdmin, GrantRequest{edu, GrantScope::ForSchoolGrades("sch-1", {"08"}), {}, "grade 8 team"});
  REQUIRE(by_grade);
  CHECK(w.roster().Decide(edu, w.StudentId("stu-b"), w.now()).reason == "grant:" + *by_grade);
}

// The reason of the AccessGranted or AccessRevoked event at `seq`, as read back.
template <typename Payload>
std::string GrantReasonAt(RosterWorld& w, uint64_t seq, std::string* subject) {
  auto event = w.fx().log().Read(seq);
  REQUIRE(event);
  CHECK(event->header.payload_encrypted);
  *subject = event->header.subject_id;
  auto* p = flatbuffers::GetRoot<Payload>(event->payload.data());
  return p->reason() ? p->reason()->str() : "";
}

TEST_CASE("class and school grants keep their reasons sealed under the educator") {
  RosterWorld w;
  w.ImportDistrict();
  std::string edu = w.AddUser("helper", Role::kEducator);
  auto cmd = w.commands();
  const std::string for_class = "Thornquist-Custody-Class-4e2a";
  const std::string for_school = "Brackenridge-Support-School-9d31";
  const std::string revoking = "Ollerton-Revoked-Grant-5c07";
  auto by_class =
      cmd.Grant(kAdmin, GrantRequest{edu, GrantScope::ForClass("cls-1"), {}, for_class});
  REQUIRE(by_class);
  const uint64_t class_seq = w.fx().log().size() - 1;
  auto by_grade = cmd.Grant(
      kAdmin, GrantRequest{edu, GrantScope::ForSchoolGrades("sch-1", {"08"}), {}, for_school});
  REQUIRE(by_grade);
  REQUIRE(cmd.Revoke(kAdmin, *by_class, revoking).ok());
  std::string subject;
  CHECK(GrantReasonAt<fb::AccessGrantedPayload>(w, class_seq, &subject) == for_class);
  CHECK(subject == edu);
  CHECK(GrantReasonAt<fb::AccessGrantedPayload>(w, class_seq + 1, &subject) == for_school);
  CHECK(subject == edu);
  CHECK(GrantReasonAt<fb::AccessRevokedPayload>(w, class_seq + 2, &subject) == revoking);
  CHECK(subject == edu);
  // The grants decide as before: the class one is revoked, the school one holds.
  CHECK_FALSE(w.roster().Decide(edu, w.StudentId("stu-a"), w.now()).allowed);
  CHECK(w.roster().Decide(edu, w.StudentId("stu-b"), w.now()).reason == "grant:" + *by_grade);
  for (const std::string& marker : {for_class, for_school, revoking}) {
    CAPTURE(marker);
    CHECK_FALSE(StoredInPlaintext(w, marker));
  }
  CHECK(RosterRebuildDifference(w) == "");
  w.Reopen();
  CHECK(w.roster().Decide(edu, w.StudentId("stu-b"), w.now()).reason == "grant:" + *by_grade);
  CHECK_FALSE(w.roster().Decide(edu, w.StudentId("stu-a"), w.now()).allowed);
}

TEST_CASE("a plaintext class grant of an earlier store still applies, live and replayed") {
  RosterWorld w;
  w.ImportDistrict();
  std::string edu = w.AddUser("helper", Role::kEducator);
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAccessGrantedPayloadDirect(fbb, "grant_legacy", edu.c_str(),
                                                  fb::GrantScope::Class, "", "cls-1", "", nullptr,
                                                  0, "substitute"));
  NewEvent legacy;
  legacy.type = EventType::AccessGranted;
  legacy.actor_id = kAdmin.user_id;
  legacy.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  legacy.personal = false;  // subject "", as earlier stores recorded it
  w.Append({std::move(legacy)});
  CHECK(w.roster().Decide(edu, w.StudentId("stu-a"), w.now()).reason == "grant:grant_legacy");
  CHECK(RosterRebuildDifference(w) == "");
  REQUIRE(w.commands().Revoke(kAdmin, "grant_legacy", "done").ok());
  CHECK_FALSE(w.roster().Decide(edu, w.StudentId("stu-a"), w.now()).allowed);
  CHECK(RosterRebuildDifference(w) == "");
}

TEST_CASE("grants refuse bad input") {
  RosterWorld w;
  w.ImportDistrict();
  std::string edu = w.AddUser("helper", Role::kEducator);
  std::string admin = w.AddUser("boss", Role::kDistrictAdmin);
  auto cmd = w.commands();
  auto code = [&](GrantRequest r) { return cmd.Grant(kAdmin, r).error().code(); };
  CHECK(code({admin, GrantScope::ForStudent("stu-a"), {}, "r"}) == StatusCode::kInvalidArgument);
  CHECK(code({"usr_unknown", GrantScope::ForStudent("stu-a"), {}, "r"}) == StatusCode::kNotFound);
  CHECK(code({edu, GrantScope::ForStudent("stu-zzz"), {}, "r"}) == StatusCode::kNotFound);
  CHECK(code({edu, GrantScope::ForClass("cls-zzz"), {}, "r"}) == StatusCode::kNotFound);
  CHECK(code({edu, GrantScope::ForSchoolGrades("sch-zzz", {"7"}), {}, "r"}) ==
        StatusCode::kNotFound);
  CHECK(code({edu, GrantScope::ForSchoolGrades("sch-1", {}), {}, "r"}) ==
        StatusCode::kInvalidArgument);
  CHECK(code({edu, GrantScope::ForStudent("stu-a"), w.now() - 1, "r"}) ==
        StatusCode::kInvalidArgument);
  CHECK(code({edu, GrantScope::ForStudent("stu-a"), {}, "  "}) == StatusCode::kInvalidArgument);
}

TEST_CASE("break-glass needs a 20-character reason and lasts one hour") {
  RosterWorld w;
  w.ImportDistrict();
  std::string edu = w.AddUser("helper", Role::kEducator);
  std::string guardian = w.AddUser("gdn-1", Role::kGuardian);
  std::string b = w.StudentId("stu-b");
  auto cmd = w.commands();
  CHECK(cmd.StartBreakGlass(kAdmin, edu, b, std::string(19, 'x')).error().code() ==
        StatusCode::kInvalidArgument);
  CHECK(cmd.StartBreakGlass(kAdmin, edu, b, "   short reason      ").error().code() ==
        StatusCode::kInvalidArgument);
  CHECK(cmd.StartBreakGlass(kAdmin, guardian, b, std::string(20, 'x')).error().code() ==
        StatusCode::kPermissionDenied);

  auto started = cmd.StartBreakGlass(kAdmin, edu, b, std::string(20, 'x'));
  REQUIRE(started);
  CHECK(started->expires_at_us == w.now() + kHour);
  CHECK(w.roster().Decide(edu, b, w.now()).reason == "break_glass:" + started->id);
  w.fx().clock().Advance(kHour - 1);
  CHECK(w.roster().Decide(edu, b, w.now()).allowed);
  w.fx().clock().Advance(1);
  CHECK_FALSE(w.roster().Decide(edu, b, w.now()).allowed);
}

}  // namespace
}  // namespace backpack::testing
