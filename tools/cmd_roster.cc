// user add and grant (SPEC §5): thin shells over RosterCommands.
#include <iostream>
#include <string>
#include <vector>

#include "projections/audit/audit_time.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "tools/commands.h"

namespace backpack {
namespace {

struct UserAddOptions {
  std::string username, role, display_name, sourced_id;
  std::vector<std::string> flags, schools, grades;
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

Actor CliActor() { return Actor{"system", NewId("req"), ""}; }

// The first line of stdin, without its line ending.
std::string ReadPasswordLine() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void RunUserAdd(const GlobalOptions& global, const UserAddOptions& o, int* exit_code) {
  auto role = ParseRole(o.role);
  if (!role) {
    *exit_code = Usage("--role must be educator, privacy_officer, district_admin or guardian");
    return;
  }
  std::string password = ReadPasswordLine();
  if (password.size() < kMinPasswordLength) {
    *exit_code = Usage("the password (first line of stdin) needs at least " +
                       std::to_string(kMinPasswordLength) + " characters");
    return;
  }
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  AddUserRequest request{
      o.username,       *role,           o.display_name, ToSet(o.flags),
      ToSet(o.schools), ToSet(o.grades), o.sourced_id,   PasswordCost::kInteractive};
  auto id = RosterCommands(app->services()).AddUser(CliActor(), request, password);
  if (!id) {
    *exit_code = Fail(id.error());
    return;
  }
  std::cout << *id << "\n";
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

void RunGrant(const GlobalOptions& global, const GrantOptions& o, int* exit_code) {
  std::string why;
  auto scope = ScopeFrom(o, &why);
  if (!scope) {
    *exit_code = Usage(why);
    return;
  }
  std::optional<int64_t> expires;
  if (!o.expires.empty()) {
    auto parsed = ParseIsoTime(o.expires);
    if (!parsed) {
      *exit_code = Usage("--expires is not an ISO 8601 date or time: " + o.expires);
      return;
    }
    expires = *parsed;
  }
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto educator = app->services().roster->ResolveUser(o.educator);
  if (!educator) {
    *exit_code = Fail(NotFoundError("no account " + o.educator));
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

struct UserDisableOptions {
  std::string username, reason;
};

// Disables an account (UserDisabled): it can no longer sign in. A running
// server must be stopped first (it holds the store); it can do the same
// through POST /api/users/{id}/disable, which also ends the account's sessions.
void RunUserDisable(const GlobalOptions& global, const UserDisableOptions& o, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto user = app->services().roster->ResolveUser(o.username);
  if (!user) {
    *exit_code = Fail(NotFoundError("no account " + o.username));
    return;
  }
  Status disabled = RosterCommands(app->services()).DisableUser(CliActor(), *user, o.reason);
  if (!disabled.ok()) {
    *exit_code = Fail(disabled);
    return;
  }
  std::cout << "disabled " << *user << "\n";
}

}  // namespace

void AddRosterCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* user = cli.add_subcommand("user", "manage accounts");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "create an account; reads the password from stdin");
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

  auto* disable = user->add_subcommand("disable", "disable an account: it can no longer sign in");
  static UserDisableOptions d;
  disable->add_option("--username", d.username, "login name or user id")->required();
  disable->add_option("--reason", d.reason, "why (kept in the UserDisabled event)")->required();
  disable->callback([&global, exit_code] { RunUserDisable(global, d, exit_code); });

  auto* grant = cli.add_subcommand("grant", "grant an educator explicit access");
  static GrantOptions g;
  grant->add_option("--educator", g.educator, "username or user id")->required();
  grant->add_option("--student", g.student, "student id or OneRoster sourcedId");
  grant->add_option("--class", g.klass, "class sourcedId");
  grant->add_option("--school", g.school, "school sourcedId (with --grades)");
  grant->add_option("--grades", g.grades, "grade levels, e.g. 6,7")->delimiter(',');
  grant->add_option("--reason", g.reason, "why the educator needs access")->required();
  grant->add_option("--expires", g.expires, "ISO 8601 date or time (UTC unless an offset)");
  grant->callback([&global, exit_code] { RunGrant(global, g, exit_code); });
}

}  // namespace backpack
