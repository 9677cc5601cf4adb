// guardian unlink: a thin shell over RosterCommands::UnlinkGuardian.
#include <iostream>
#include <string>

#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "tools/commands.h"

namespace backpack {
namespace {

struct UnlinkOptions {
  std::string guardian, student, reason;
};

// Ends one guardian's link to one student (GuardianUnlinked) and prints
// "unlinked GUARDIAN_ID from STUDENT_ID".
void RunGuardianUnlink(const GlobalOptions& global, const UnlinkOptions& o, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto guardian = app->services().roster->ResolveUser(o.guardian);
  if (!guardian) {
    *exit_code = Fail(NotFoundError("no account " + o.guardian));
    return;
  }
  auto student = ResolveStudentId(*app, o.student);
  if (!student) {
    *exit_code = Fail(student.error());
    return;
  }
  Status unlinked =
      RosterCommands(app->services()).UnlinkGuardian(CliActor(), *guardian, *student, o.reason);
  if (!unlinked.ok()) {
    *exit_code = Fail(unlinked);
    return;
  }
  std::cout << "unlinked " << *guardian << " from " << *student << "\n";
}

}  // namespace

// `guardian unlink`.
void AddGuardianCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* guardian = cli.add_subcommand("guardian", "manage guardians' links to students");
  guardian->require_subcommand(1);
  auto* unlink = guardian->add_subcommand(
      "unlink", "end one guardian's link to one student (e.g. a court order)");
  static UnlinkOptions un;
  unlink->add_option("--guardian", un.guardian, "the guardian's username or user id")->required();
  unlink->add_option("--student", un.student, "student id or OneRoster sourcedId")->required();
  unlink->add_option("--reason", un.reason, "why (sealed under the student's key)")->required();
  unlink->callback([&global, exit_code] { RunGuardianUnlink(global, un, exit_code); });
}

}  // namespace backpack
