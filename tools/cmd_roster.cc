// user add, update, disable, enable and password, and grant (SPEC §5): thin
// shells over RosterCommands.
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "projections/audit/audit_time.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "tools/commands.h"
#include "tools/secret_input.h"

namespace backpack {
namespace {

// Each member starts empty ({}), so a designated initializer may name a few.
struct UserAddOptions {
  std::string username{}, role{}, display_name{}, sourced_id{};
  std::vector<std::string> flags{}, schools{}, grades{};
};

struct GrantOptions {
  std::string educator, student, klass, school, reason, expires;
  std::vector<std::string> grades;
};

int Usage(const std::string& message) {
  std::cerr << "backpack: " << message << "\n";
  return kExitUsage;
}

IdSet ToSet(const std::vector<std::string>& items) { return IdSet(items.begin(), items.end()); }

// The password on the first line of stdin, without its line ending (typed
// unseen after a prompt naming `username` when stdin is a terminal);
// nullopt (a usage error, in `exit_code`) if it is too short to be one.
std::optional<std::string> ReadPassword(const std::string& username, int* exit_code) {
  std::string line = ReadSecretLine("password for " + username + " (not shown): ");
  if (line.size() < kMinPasswordLength) {
    *exit_code = Usage("the password (first line of stdin) needs at least " +
                       std::to_string(kMinPasswordLength) + " characters");
    return std::nullopt;
  }
  return line;
}

// True if the roster links account `id` to an imported person: a guardian
// to a student, an educator to a class they teach.
bool LinkedToRoster(const Roster& roster, Role role, const std::string& id) {
  if (role == Role::kEducator) return roster.TeachesAClass(id);
  auto user = roster.FindUser(id);
  return user && !user->guardian_of.empty();
}

// True if an educator's account is given access other than class rosters:
// district-wide, or to schools (school-wide or by grade).
bool HasAccessBeyondRosters(const UserAddOptions& o) {
  return !o.schools.empty() ||
         std::find(o.flags.begin(), o.flags.end(), "districtwide") != o.flags.end();
}

// One warning line on stderr for a new guardian's or educator's account that
// no imported row links yet (it is created all the same: the import that
// brings its row may come later), unless it is an educator given other
// access and no --sourced-id. Names only what the operator typed.
void WarnIfUnlinked(const Roster& roster, const UserAddOptions& o, Role role,
                    const std::string& id) {
  if (role != Role::kGuardian && role != Role::kEducator) return;
  if (role == Role::kEducator && o.sourced_id.empty() && HasAccessBeyondRosters(o)) return;
  if (LinkedToRoster(roster, role, id)) return;
  const bool guardian = role == Role::kGuardian;
  const std::string person = guardian ? "guardian" : "teacher";
  const std::string lacks = guardian ? "sees no students" : "has no class rosters";
  if (o.sourced_id.empty()) {
    std::cerr << "backpack: warning: " << o.username << " " << lacks
              << ", and no import will link it: that takes --sourced-id with the " << person
              << "'s users.csv sourcedId\n";
    return;
  }
  std::cerr << "backpack: warning: no imported " << (guardian ? "student" : "class")
            << " names sourcedId " << o.sourced_id << " as its " << person
            << " (yet): " << o.username << " " << lacks << " until an import does\n";
}

void RunUserAdd(const GlobalOptions& global, const UserAddOptions& o, int* exit_code) {
  auto role = ParseRole(o.role);
  if (!role) {
    *exit_code = Usage("--role must be educator, privacy_officer, district_admin or guardian");
    return;
  }
  std::optional<std::string> password = ReadPassword(o.username, exit_code);
  if (!password) return;
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  AddUserRequest request{
      o.username,       *role,           o.display_name, ToSet(o.flags),
      ToSet(o.schools), ToSet(o.grades), o.sourced_id,   PasswordCost::kInteractive};
  auto id = RosterCommands(app->services()).AddUser(CliActor(), request, *password);
  if (!id) {
    *exit_code = Fail(id.error());
    return;
  }
  std::cout << *id << "\n";
  WarnIfUnlinked(*app->services().roster, o, *role, *id);
}

// The grant's scope from exactly one of --student, --class, --school.
std::optional<GrantScope> ScopeFrom(const GrantOptions& o, std::string* why) {
  int given = !o.student.empty() + !o.klass.empty() + !o.school.empty();
  if (given != 1) {
    *why = "give exactly one of --student, --class or --school";
    return std::nullopt;
  }
  if (o.school.empty() != o.grades.empty()) {
    *why = "--grades goes with --school, and --school needs --grades";
    return std::nullopt;
  }
  if (!o.student.empty()) return GrantScope::ForStudent(o.student);
  if (!o.klass.empty()) return GrantScope::ForClass(o.klass);
  return GrantScope::ForSchoolGrades(o.school, ToSet(o.grades));
}

// The user id of the enabled educator `text` (username or id) names. An
// unknown account and one that may not hold grants (another role, disabled)
// are both refusals (exit 1): the store holds no such educator.
Result<std::string> GrantableEducator(Services& services, const std::string& text) {
  auto id = services.roster->ResolveUser(text);
  if (!id) return Err(NotFoundError("no educator account " + text));
  ASSIGN_OR_RETURN(UserInfo user, services.roster->FindUser(*id));
  if (user.role != Role::kEducator) {
    return Err(FailedPreconditionError(text + " is a " + std::string(RoleName(user.role)) +
                                       " account, not an educator's: only educators hold grants"));
  }
  if (user.disabled) {
    return Err(FailedPreconditionError(text + " is a disabled educator account"));
  }
  return *id;
}

void RunGrant(const GlobalOptions& global, const GrantOptions& o, int* exit_code) {
  std::string why;
  auto scope = ScopeFrom(o, &why);
  if (!scope) {
    *exit_code = Usage(why);
    return;
  }
  std::optional<int64_t> expires;
  if (!o.expires.empty()) {
    auto parsed = ParseIsoTimeUntil(o.expires);
    if (!parsed) {
      *exit_code = Usage("--expires is not an ISO 8601 date or time: " + o.expires);
      return;
    }
    expires = *parsed;
  }
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto educator = GrantableEducator(app->services(), o.educator);
  if (!educator) {
    *exit_code = Fail(educator.error());
    return;
  }
  GrantRequest request{*educator, *scope, expires, o.reason};
  auto id = RosterCommands(app->services()).Grant(CliActor(), request);
  if (!id) {
    *exit_code = Fail(id.error());
    return;
  }
  std::cout << *id << "\n";
}

struct UserChangeOptions {
  std::string username, reason;
};

// What ChangeUser prints: "`done` USER_ID", or "`already` USER_ID" when the
// account already was as asked and nothing was recorded.
struct ChangeWords {
  std::string_view done, already;
};

// Runs `change` (returning Result<AccountChange>) on the account `username`
// (login name or user id) and says what it did. A running server must be
// stopped first (it holds the store).
template <typename Change>
void ChangeUser(const GlobalOptions& global, const std::string& username, ChangeWords words,
                Change change, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto user = app->services().roster->ResolveUser(username);
  if (!user) {
    *exit_code = Fail(NotFoundError("no account " + username));
    return;
  }
  Result<AccountChange> changed = change(RosterCommands(app->services()), *user);
  if (!changed) {
    *exit_code = Fail(changed.error());
    return;
  }
  std::cout << (*changed == AccountChange::kChanged ? words.done : words.already) << " " << *user
            << "\n";
}

// Disables an account (UserDisabled): it can no longer sign in. A running
// server can do the same through POST /api/users/{id}/disable, which also
// ends the account's sessions.
void RunUserDisable(const GlobalOptions& global, const UserChangeOptions& o, int* exit_code) {
  auto disable = [&o](RosterCommands commands, const std::string& id) {
    return commands.DisableUser(CliActor(), id, o.reason);
  };
  ChangeUser(global, o.username, {"disabled", "already disabled"}, disable, exit_code);
}

// Lets a disabled account sign in again (UserEnabled).
void RunUserEnable(const GlobalOptions& global, const UserChangeOptions& o, int* exit_code) {
  auto enable = [&o](RosterCommands commands, const std::string& id) {
    return commands.EnableUser(CliActor(), id, o.reason);
  };
  ChangeUser(global, o.username, {"enabled", "already enabled"}, enable, exit_code);
}

// Sets a new password, read from the first line of stdin (PasswordReset).
void RunUserPassword(const GlobalOptions& global, const UserChangeOptions& o, int* exit_code) {
  std::optional<std::string> password = ReadPassword(o.username, exit_code);
  if (!password) return;
  auto reset = [&password](RosterCommands commands,
                           const std::string& id) -> Result<AccountChange> {
    RETURN_IF_ERROR(commands.ResetPassword(CliActor(), id, *password));
    return AccountChange::kChanged;
  };
  ChangeUser(global, o.username, {"password reset for", ""}, reset, exit_code);
}

struct UserUpdateOptions {
  std::string username, display_name, sourced_id;
  std::vector<std::string> flags, schools, grades;
  const CLI::Option *display_name_given = nullptr, *flags_given = nullptr, *schools_given = nullptr,
                    *grades_given = nullptr, *sourced_id_given = nullptr;
};

// A list option's new value if it was given: "" (as in --flags "") clears it.
std::optional<IdSet> ListChange(const CLI::Option* given, const std::vector<std::string>& items) {
  if (given->count() == 0) return std::nullopt;
  IdSet set;
  for (const std::string& item : items) {
    if (!item.empty()) set.insert(item);
  }
  return set;
}

// Links an account made without --sourced-id to its OneRoster person
// (UserUpdated): "linked USER_ID", or "unchanged USER_ID" if it already was.
// A refusal names the account as the operator typed it, and nothing else of
// the person. Warns, as user add does, if the person's imported rows link the
// account to nothing now (all were retracted or unlinked).
void RunUserLink(const GlobalOptions& global, const UserUpdateOptions& o, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  Roster& roster = *app->services().roster;
  auto user = roster.ResolveUser(o.username);
  if (!user) {
    *exit_code = Fail(NotFoundError("no account " + o.username));
    return;
  }
  auto linked = RosterCommands(app->services()).LinkUser(CliActor(), *user, o.sourced_id);
  if (!linked) {
    const Status& why = linked.error();
    *exit_code = Fail(Status(why.code(), o.username + ": " + std::string(why.message())));
    return;
  }
  std::cout << (*linked == AccountChange::kChanged ? "linked " : "unchanged ") << *user << "\n";
  if (auto info = roster.FindUser(*user)) {
    WarnIfUnlinked(roster, UserAddOptions{.username = o.username, .sourced_id = o.sourced_id},
                   info->role, *user);
  }
}

// Changes an account's display name, flags, schools or grades (UserUpdated),
// or links it (--sourced-id, given alone).
void RunUserUpdate(const GlobalOptions& global, const UserUpdateOptions& o, int* exit_code) {
  if (o.sourced_id_given->count() > 0) {
    if (o.display_name_given->count() + o.flags_given->count() + o.schools_given->count() +
            o.grades_given->count() >
        0) {
      *exit_code = Usage("--sourced-id goes alone: link the account, then change the rest");
      return;
    }
    return RunUserLink(global, o, exit_code);
  }
  UserChanges changes;
  if (o.display_name_given->count() > 0) changes.display_name = o.display_name;
  changes.flags = ListChange(o.flags_given, o.flags);
  changes.schools = ListChange(o.schools_given, o.schools);
  changes.grades = ListChange(o.grades_given, o.grades);
  if (!changes.display_name && !changes.flags && !changes.schools && !changes.grades) {
    *exit_code = Usage("give at least one of --display-name, --flags, --schools or --grades");
    return;
  }
  auto update = [&changes](RosterCommands commands, const std::string& id) {
    return commands.UpdateUser(CliActor(), id, changes);
  };
  ChangeUser(global, o.username, {"updated", "unchanged"}, update, exit_code);
}

void AddUserAddCommand(CLI::App& user, const GlobalOptions& global, int* exit_code) {
  auto* add = user.add_subcommand("add", "create an account; reads the password from stdin");
  static UserAddOptions u;
  add->add_option("--username", u.username, "login name")->required();
  add->add_option("--role", u.role, "educator, privacy_officer, district_admin or guardian")
      ->required();
  add->add_option("--display-name", u.display_name, "name shown to others");
  add->add_option("--flags", u.flags, "districtwide, schoolwide, can_view_restricted_notes")
      ->delimiter(',');
  add->add_option("--schools", u.schools, "school sourcedIds")->delimiter(',');
  add->add_option("--grades", u.grades, "grade levels within --schools")->delimiter(',');
  add->add_option("--sourced-id", u.sourced_id, "the person's OneRoster sourcedId");
  add->callback([&global, exit_code] { RunUserAdd(global, u, exit_code); });
}

// `user update`: only the options given change.
void AddUserUpdateCommand(CLI::App& user, const GlobalOptions& global, int* exit_code) {
  auto* update = user.add_subcommand(
      "update",
      "change an account's display name, flags, schools or grades (the rest stays), or link it "
      "to its OneRoster sourcedId");
  static UserUpdateOptions up;
  update->add_option("--username", up.username, "login name or user id")->required();
  up.display_name_given =
      update->add_option("--display-name", up.display_name, "name shown to others");
  up.flags_given = update
                       ->add_option("--flags", up.flags,
                                    "districtwide, schoolwide, can_view_restricted_notes "
                                    "(replaces them; \"\" for none)")
                       ->delimiter(',');
  up.schools_given =
      update->add_option("--schools", up.schools, "school sourcedIds (replaces them)")
          ->delimiter(',');
  up.grades_given =
      update->add_option("--grades", up.grades, "grade levels (replaces them)")->delimiter(',');
  up.sourced_id_given = update->add_option(
      "--sourced-id", up.sourced_id,
      "link an account made without one to the person's OneRoster sourcedId (alone; a link "
      "never changes)");
  update->callback([&global, exit_code] { RunUserUpdate(global, up, exit_code); });
}

// `user disable`, `user enable` and `user password`.
void AddUserChangeCommands(CLI::App& user, const GlobalOptions& global, int* exit_code) {
  auto* disable = user.add_subcommand("disable", "disable an account: it can no longer sign in");
  static UserChangeOptions d;
  disable->add_option("--username", d.username, "login name or user id")->required();
  disable->add_option("--reason", d.reason, "why (kept in the UserDisabled event)")->required();
  disable->callback([&global, exit_code] { RunUserDisable(global, d, exit_code); });

  auto* enable = user.add_subcommand("enable", "let a disabled account sign in again");
  static UserChangeOptions e;
  enable->add_option("--username", e.username, "login name or user id")->required();
  enable->add_option("--reason", e.reason, "why (kept in the UserEnabled event)")->required();
  enable->callback([&global, exit_code] { RunUserEnable(global, e, exit_code); });

  auto* password =
      user.add_subcommand("password", "set an account's password; reads it from stdin");
  static UserChangeOptions pw;
  password->add_option("--username", pw.username, "login name or user id")->required();
  password->callback([&global, exit_code] { RunUserPassword(global, pw, exit_code); });
}

void AddGrantCommand(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* grant = cli.add_subcommand("grant", "grant an educator explicit access");
  static GrantOptions g;
  grant->add_option("--educator", g.educator, "username or user id")->required();
  grant->add_option("--student", g.student, "student id or OneRoster sourcedId");
  grant->add_option("--class", g.klass, "class sourcedId");
  grant->add_option("--school", g.school, "school sourcedId (with --grades)");
  grant->add_option("--grades", g.grades, "grade levels, e.g. 6,7")->delimiter(',');
  grant->add_option("--reason", g.reason, "why the educator needs access")->required();
  grant->add_option("--expires", g.expires,
                    "ISO 8601 time (UTC unless an offset), or a date: through that day");
  grant->callback([&global, exit_code] { RunGrant(global, g, exit_code); });
}

}  // namespace

void AddRosterCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* user = cli.add_subcommand("user", "manage accounts");
  user->require_subcommand(1);
  AddUserAddCommand(*user, global, exit_code);
  AddUserUpdateCommand(*user, global, exit_code);
  AddUserChangeCommands(*user, global, exit_code);
  AddGrantCommand(cli, global, exit_code);
}

}  // namespace backpack
