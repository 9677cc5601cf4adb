// `backpack demo` (SPEC §5): a synthetic district, imported through the
// normal import path, with the accounts of SPEC §5 and some activity.

#include <fstream>
#include <iostream>
#include <map>

#include "demo/demo_district.h"
#include "projections/audit/audit.h"
#include "projections/ids.h"
#include "projections/records/records.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "tools/intake_cli.h"

namespace backpack {
namespace {

constexpr size_t kDemoPasswordLength = 20;
constexpr int kActiveTeachers = 3;  // teachers who write notes and read profiles
constexpr size_t kStudentsPerTeacher = 4;

struct Credential {
  std::string username, password, role;
};

// 20 characters of [A-Za-z0-9] from libsodium's CSPRNG, without modulo bias.
std::string RandomPassword() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string password;
  while (password.size() < kDemoPasswordLength) {
    for (uint8_t byte : RandomBytes(32)) {
      if (byte < 248 && password.size() < kDemoPasswordLength) {
        password += kAlphabet[byte % kAlphabet.size()];
      }
    }
  }
  return password;
}

AddUserRequest Request(std::string username, Role role, std::string display_name,
                       const std::vector<std::string>& schools = {}, std::string sourced_id = "") {
  AddUserRequest r;
  r.username = std::move(username);
  r.role = role;
  r.display_name = std::move(display_name);
  r.schools = IdSet(schools.begin(), schools.end());
  r.sourced_id = std::move(sourced_id);
  r.password_cost = PasswordCost::kMinimal;  // random 20-character passwords
  return r;
}

// The accounts of SPEC §5: admin, privacy, principal, every teacher, and
// the guardians the generator lists.
std::vector<AddUserRequest> DemoAccounts(const DemoSummary& summary) {
  std::vector<AddUserRequest> accounts;
  accounts.push_back(Request("admin", Role::kDistrictAdmin, "District Administrator"));
  accounts.push_back(Request("privacy", Role::kPrivacyOfficer, "Privacy Officer"));
  if (!summary.principals.empty()) {
    const DemoAccount& p = summary.principals.front();
    AddUserRequest principal =
        Request("principal", Role::kEducator, p.display_name, p.org_sourced_ids, p.sourced_id);
    principal.flags = {std::string(kFlagDistrictwide), std::string(kFlagCanViewRestrictedNotes)};
    accounts.push_back(std::move(principal));
  }
  for (const DemoTeacher& t : summary.teachers) {
    const DemoAccount& a = t.account;
    accounts.push_back(
        Request(a.username, Role::kEducator, a.display_name, a.org_sourced_ids, a.sourced_id));
  }
  for (const DemoGuardian& g : summary.guardians) {
    const DemoAccount& a = g.account;
    accounts.push_back(Request(a.username, Role::kGuardian, a.display_name, {}, a.sourced_id));
  }
  return accounts;
}

// Creates the accounts that do not exist yet; returns their credentials.
Result<std::vector<Credential>> CreateAccounts(Services& services, const Actor& actor,
                                               const std::vector<AddUserRequest>& accounts) {
  RosterCommands commands(services);
  std::vector<Credential> created;
  for (const AddUserRequest& request : accounts) {
    if (services.roster->FindUserByUsername(request.username)) continue;
    std::string password = RandomPassword();
    auto id = commands.AddUser(actor, request, password);
    if (!id && id.error().code() == StatusCode::kAlreadyExists) continue;
    if (!id) return Err(id.error());
    created.push_back({request.username, password, std::string(RoleName(request.role))});
  }
  return created;
}

// Writes DATA/demo-credentials.txt (0600): the lines already there, then
// `created`. Existing accounts keep their lines (their passwords are not
// known any more).
Status WriteCredentials(const std::filesystem::path& file, const std::vector<Credential>& created) {
  std::string content;
  if (std::ifstream existing(file); existing) {
    content.assign(std::istreambuf_iterator<char>(existing), std::istreambuf_iterator<char>());
  }
  for (const auto& c : created) content += c.username + "\t" + c.password + "\t" + c.role + "\n";
  return WritePrivateFile(file, content);
}

// A few teachers read some of their students' profiles and write notes, so
// that feeds, histories and the audit trail are not empty.
Status AddActivity(Services& services, const DemoSummary& summary,
                   const std::vector<Credential>& created) {
  static constexpr std::string_view kNotes[] = {
      "Checked in about the science project timeline; agreed on a plan for next week.",
      "Strong participation in group work today. Will suggest the enrichment packet.",
      "Missed two homework assignments; reached out to discuss a catch-up schedule.",
  };
  std::map<std::string, bool> is_new;
  for (const auto& c : created) is_new[c.username] = true;
  int64_t now = services.clock->NowMicros();
  for (int t = 0; t < kActiveTeachers && t < static_cast<int>(summary.teachers.size()); ++t) {
    const std::string& username = summary.teachers[t].account.username;
    if (!is_new[username]) continue;  // a re-run adds no more activity
    ASSIGN_OR_RETURN(UserInfo teacher, services.roster->FindUserByUsername(username));
    Actor actor{teacher.id, NewId("req"), "127.0.0.1"};
    auto students = services.roster->AccessibleStudents(teacher.id, now);
    for (size_t i = 0; i < students.size() && i < kStudentsPerTeacher; ++i) {
      const auto& [student_id, reason] = students[i];
      RETURN_IF_ERROR(services.audit->RecordAccess(
          actor, AccessScope::kProfile, {{student_id, reason}}, AccessOutcome::kAllowed));
      if (i % 2 == 0) {
        auto note = services.records->WriteNote(actor, student_id, "other",
                                                kNotes[(t + i) % std::size(kNotes)], i == 2);
        if (!note) return note.error();
      }
    }
  }
  return OkStatus();
}

// Initialises DATA like `backpack init` if it holds no store yet.
Status EnsureInitialised(const DataPaths& paths) {
  std::error_code ec;
  if (std::filesystem::exists(paths.db(), ec)) return OkStatus();
  RETURN_IF_ERROR(InitDataDir(paths));
  std::cerr << "backpack: initialised store at " << paths.db().string() << "; keys are in "
            << paths.keys.string() << " (production keys belong outside the data directory)\n";
  return OkStatus();
}

void PrintHowToLogIn(const GlobalOptions& global, const DemoSummary& summary, size_t created,
                     const std::string& listen) {
  std::filesystem::path file = global.paths().data / "demo-credentials.txt";
  std::cout << "demo district: " << summary.counts.students << " students, "
            << summary.counts.teachers << " teachers, " << summary.school_sourced_ids.size()
            << " schools; " << created << " new accounts\n"
            << "passwords: " << file.string() << " (username<TAB>password<TAB>role, mode 0600)\n"
            << "start the server:  backpack --data " << global.data << " serve --listen " << listen
            << "\n"
            << "then sign in as admin, privacy, principal, a teacher or a guardian:\n"
            << "  curl -s -X POST http://" << listen
            << "/api/session -H 'Content-Type: "
               "application/json' -d '{\"username\":\"admin\",\"password\":\"...\"}'\n";
}

// Writes the district into DATA/demo-import, imports it as `actor` and
// removes the files (plaintext personal data) unless asked to keep them.
// Sets `*exit_code` and returns nullopt on failure.
std::optional<DemoSummary> ImportDemoDistrict(App& app, const DataPaths& paths,
                                              const DemoCommandOptions& options, const Actor& actor,
                                              int* exit_code) {
  std::filesystem::path folder = paths.data / "demo-import";
  DemoOptions demo;
  demo.students = options.students;
  demo.seed = options.seed;
  auto summary = WriteDemoDistrict(folder, demo);
  if (!summary) {
    *exit_code = Fail(summary.error());
    return std::nullopt;
  }
  auto set = ParseSetOrReport(folder, GeneratedSetLimits());
  std::error_code ec;
  if (!options.keep_files) std::filesystem::remove_all(folder, ec);
  if (!set) {
    *exit_code = kExitRefused;
    return std::nullopt;
  }
  auto report = Import(app.services(), *set, actor);
  if (!report) {
    *exit_code = Fail(report.error());
    return std::nullopt;
  }
  PrintImportReport(*report);
  return std::move(*summary);
}

}  // namespace

void RunDemo(const GlobalOptions& global, const DemoCommandOptions& options, int* exit_code) {
  DataPaths paths = global.paths();
  if (Status s = EnsureInitialised(paths); !s.ok()) {
    *exit_code = Fail(s);
    return;
  }
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  Services& services = app->services();
  auto admin = services.roster->FindUserByUsername("admin");
  Actor actor{admin ? admin->id : "system", NewId("req"), ""};
  auto summary = ImportDemoDistrict(*app, paths, options, actor, exit_code);
  if (!summary) return;
  auto created = CreateAccounts(services, actor, DemoAccounts(*summary));
  Status status =
      created ? WriteCredentials(paths.data / "demo-credentials.txt", *created) : created.error();
  if (status.ok()) status = AddActivity(services, *summary, *created);
  if (!status.ok()) {
    *exit_code = Fail(status);
    return;
  }
  PrintHowToLogIn(global, *summary, created->size(), options.listen);
}

}  // namespace backpack
