// Roster commands: accounts, credentials, grants, break-glass and search.
//
// Each command validates its input against the committed roster, appends
// its events through services.log (blocking until durable) and returns the
// new id. Authorization (who may call which command) is the caller's job:
// the HTTP handlers check roles, the CLI is an administrator's tool.
//
// Credentials (argon2id hashes, libsodium crypto_pwhash_str) live in the
// mutable column family `credentials` (user id -> hash), never in the log.
//
// Thread-safety: all methods are safe to call concurrently; commands that
// check uniqueness before appending are serialized process-wide.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "projections/access_state.h"
#include "projections/roster/roster.h"
#include "projections/services.h"

namespace backpack {

inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 1024;
inline constexpr size_t kMinBreakGlassReasonLength = 20;  // visible characters
// The longest reason a grant or break-glass may give, in characters.
inline constexpr size_t kMaxReasonChars = 2000;

// Messages of the kUnauthenticated errors of Authenticate, for the caller's
// LoginFailed event. Never show them to the person signing in.
inline constexpr std::string_view kLoginNoSuchUser = "no_such_user";
inline constexpr std::string_view kLoginBadPassword = "bad_password";
inline constexpr std::string_view kLoginDisabled = "disabled";

// Cost of the argon2id hash. kMinimal is for tests and synthetic demos only.
enum class PasswordCost { kInteractive, kMinimal };

struct AddUserRequest {
  std::string username;  // 1-64 of [A-Za-z0-9._@+-]; unique, case-insensitively
  Role role = Role::kEducator;
  std::string display_name;
  IdSet flags;    // kFlag* names (access_state.h)
  IdSet schools;  // school sourcedIds
  IdSet grades;
  // The OneRoster user (teacher, guardian) this account belongs to. If empty,
  // a username equal to an imported teacher's or guardian's sourcedId, or to
  // an imported guardian's email, links the account to that person.
  std::string sourced_id;
  PasswordCost password_cost = PasswordCost::kInteractive;
};

// What UpdateUser changes; an unset field keeps its value. The username and
// role of an account never change; its OneRoster link is set once (LinkUser).
struct UserChanges {
  std::optional<std::string> display_name;
  std::optional<IdSet> flags;  // kFlag* names
  std::optional<IdSet> schools;
  std::optional<IdSet> grades;
};

// Whether an account command appended its event, or found the account
// already as asked and appended nothing.
enum class AccountChange { kChanged, kAlreadySo };

struct GrantRequest {
  std::string educator_id;  // an enabled educator's user id
  GrantScope scope;         // student id, class id, or school id + grades
  std::optional<int64_t> expires_at_us;
  std::string reason;  // required; sealed under the student (student scope) or the educator
};

struct BreakGlassStart {
  std::string id;
  int64_t expires_at_us = 0;
};

struct StudentSearchHit {
  std::string id;
  std::string name;  // StudentInfo::DisplayName()
  std::string grade;
  std::string school_id;
  std::string school_name;
  std::string reason;  // the access reason (SPEC §1)
};

// The roster's mutable (non-projection) column families: {"credentials"}.
// The App creates them; rebuild never resets them.
std::vector<std::string> RosterMutableColumnFamilies();

class RosterCommands {
 public:
  // `services` (with roster, store, log) must outlive this object.
  explicit RosterCommands(Services& services) : services_(services) {}

  // Creates an account with `password` (kMinPasswordLength..kMaxPasswordLength
  // bytes); returns its user id. kAlreadyExists if the username or the
  // account id is taken, kNotFound for a school that was never imported,
  // kInvalidArgument for bad input (grades without schools, a blank grade) or
  // a username reserved for a built-in actor (BuiltInActor in
  // projections/services.h).
  Result<std::string> AddUser(const Actor& actor, const AddUserRequest& request,
                              std::string_view password);
  // The account, if `password` is right and it is enabled; else
  // kUnauthenticated with a kLogin* message. Takes about as long for an
  // unknown username as for a wrong password.
  Result<UserInfo> Authenticate(std::string_view username, std::string_view password);
  // Stops an account from signing in (UserDisabled); kAlreadySo if it is
  // disabled. kNotFound for an unknown user; kFailedPrecondition for the only
  // enabled district admin (nobody could manage accounts any more);
  // kInvalidArgument unless `reason` is text of 1..kMaxReasonChars characters.
  // The reason is sealed in the log under the account's data key.
  [[nodiscard]] Result<AccountChange> DisableUser(const Actor& actor, std::string_view user_id,
                                                  std::string_view reason);
  // Lets a disabled account sign in again (UserEnabled); kAlreadySo if it is
  // enabled. kNotFound for an unknown user. `reason` as for DisableUser.
  [[nodiscard]] Result<AccountChange> EnableUser(const Actor& actor, std::string_view user_id,
                                                 std::string_view reason);
  // Changes an account's display name, flags, schools or grades (UserUpdated,
  // with the full new state); kAlreadySo, appending nothing, if nothing
  // changes. kNotFound for an unknown user or a newly given school that was
  // never imported, kInvalidArgument as AddUser's checks.
  [[nodiscard]] Result<AccountChange> UpdateUser(const Actor& actor, std::string_view user_id,
                                                 const UserChanges& changes);
  // Links an account made without a OneRoster sourcedId to the teacher or
  // guardian with `sourced_id` (UserUpdated with the full state, sealed under
  // the account's key): that person's imported guardian links and class
  // rosters, those imported before and after, become the account's.
  // kAlreadySo, appending nothing, if it is linked to that person. A link
  // never changes (it would move a guardian's access to other children):
  // kFailedPrecondition if the account is linked to another person (by its
  // sourcedId, or by its username or email when it was made), or is not a
  // guardian's or an educator's, or if any imported row names the person as
  // the other kind (a guardian link for an educator's account, a teacher
  // enrollment row for a guardian's). kAlreadyExists if another account is
  // linked to `sourced_id`; kNotFound for an unknown user, or if no imported
  // row of the account's kind names the person yet (a typo must not reserve
  // a person); kInvalidArgument for an empty or malformed sourcedId.
  [[nodiscard]] Result<AccountChange> LinkUser(const Actor& actor, std::string_view user_id,
                                               std::string_view sourced_id);
  // Replaces the account's password (PasswordReset; the hash stays in the
  // credentials family). kNotFound for an unknown user, kInvalidArgument for a
  // password outside kMinPasswordLength..kMaxPasswordLength bytes. If the
  // event cannot be appended, the old password stays in force.
  Status ResetPassword(const Actor& actor, std::string_view user_id, std::string_view password,
                       PasswordCost cost = PasswordCost::kInteractive);
  // Ends `guardian_id`'s link to `student_id` (GuardianUnlinked, the reason
  // sealed under the student's key): the guardian no longer sees the
  // student's record. For what the SIS cannot express in time, such as a
  // court order; a later export links them again only with a changed row.
  // kNotFound unless the link is in force; `reason` as for DisableUser.
  Status UnlinkGuardian(const Actor& actor, std::string_view guardian_id,
                        std::string_view student_id, std::string_view reason);

  // Returns the grant id. kNotFound for an unknown educator, student,
  // class or school; kInvalidArgument for a non-educator, a missing reason
  // or an expiry in the past.
  Result<std::string> Grant(const Actor& actor, const GrantRequest& request);
  // kNotFound for an unknown grant; ok if already revoked. The reason is
  // sealed as the grant's was.
  Status Revoke(const Actor& actor, std::string_view grant_id, std::string_view reason = "");
  // One hour of access for `educator_id` to `student_id`. kInvalidArgument
  // for a reason shorter than kMinBreakGlassReasonLength (after trimming),
  // kPermissionDenied unless an enabled educator, kNotFound/kGone for the
  // student.
  Result<BreakGlassStart> StartBreakGlass(const Actor& actor, std::string_view educator_id,
                                          std::string_view student_id, std::string_view reason);

  // Students `user_id` may access at `now_us` whose given, family or
  // preferred name or sourcedId contains each word of `query`, in any order
  // (words split at blanks and commas, so "Bailey, Kevin" finds Kevin Bailey;
  // case and accents folded; no words match all), ordered by family
  // name, given name and id; at most `limit`. With `after` (the id of the
  // last student of an earlier page), only those ordered after that student
  // as it is named now: pages never repeat or skip a student unless one is
  // renamed between them. kInvalidArgument if `after` is not a student the
  // user may access now (a cursor must not place students they may not see).
  // Does not audit: the caller appends the RecordViewed event.
  Result<std::vector<StudentSearchHit>> Search(std::string_view user_id, std::string_view query,
                                               int64_t now_us, size_t limit,
                                               std::string_view after = {}) const;

 private:
  size_t EnabledDistrictAdmins() const;
  Services& services_;
};

}  // namespace backpack
