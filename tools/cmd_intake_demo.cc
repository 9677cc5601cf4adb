// `backpack demo` (SPEC §5): a synthetic district, imported through the
// normal import path, with the accounts of SPEC §5 and some activity.

#include <signal.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "core/files.h"
#include "demo/demo_district.h"
#include "http/server.h"
#include "projections/audit/audit.h"
#include "projections/ids.h"
#include "projections/records/records.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "tools/demo_settings.h"
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

// DATA/demo-credentials.txt: `username<TAB>password<TAB>role` lines.
std::filesystem::path CredentialsFile(const DataPaths& paths) {
  return paths.data / "demo-credentials.txt";
}

// The file's lines, in order; lines that are not three fields are dropped
// (they give no login). Empty if there is no file.
std::vector<Credential> ReadCredentials(const std::filesystem::path& file) {
  std::vector<Credential> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    const size_t a = line.find('\t');
    const size_t b = a == std::string::npos ? a : line.find('\t', a + 1);
    if (b == std::string::npos || line.find('\t', b + 1) != std::string::npos) continue;
    lines.push_back({line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1)});
  }
  return lines;
}

// Replaces `file` with `lines` so that a crash leaves either the old file
// or the new one, complete and synced: a temporary file (0600, fsynced)
// renamed over it, then the directory synced.
Status WriteCredentials(const std::filesystem::path& file, const std::vector<Credential>& lines) {
  std::string content;
  for (const auto& c : lines) content += c.username + "\t" + c.password + "\t" + c.role + "\n";
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  RETURN_IF_ERROR(WritePrivateFile(temporary, content));
  std::error_code ec;
  std::filesystem::rename(temporary, file, ec);
  if (ec) return UnavailableError("cannot write " + file.string() + ": " + ec.message());
  return SyncDirectory(file.parent_path());
}

// What a demo run does about one demo account. kKeep: its line works;
// kSkip: not a demo login after all (the person has an account of another
// name), so no line.
enum class LoginPlan { kKeep, kCreate, kReset, kSkip };

struct PlannedLogin {
  const AddUserRequest* request;
  Credential credential;
  LoginPlan plan;
};

// Whether `password` signs `username` in (a disabled account's counts).
Result<bool> PasswordWorks(RosterCommands& commands, const Credential& known) {
  auto user = commands.Authenticate(known.username, known.password);
  if (user) return true;
  if (user.error().code() != StatusCode::kUnauthenticated) return Err(user.error());
  return user.error().message() == kLoginDisabled;
}

// Every demo account keeps the password the file gives it if that password
// works; an account without one (the file was deleted, or a run died before
// writing it) gets a new random password, and so does each account to create.
Result<std::vector<PlannedLogin>> PlanLogins(Services& services,
                                             const std::vector<AddUserRequest>& accounts,
                                             const std::vector<Credential>& file) {
  RosterCommands commands(services);
  std::map<std::string, const Credential*> known;
  for (const Credential& c : file) known[c.username] = &c;
  std::vector<PlannedLogin> plans;
  for (const AddUserRequest& request : accounts) {
    PlannedLogin login{&request,
                       {request.username, RandomPassword(), std::string(RoleName(request.role))},
                       LoginPlan::kCreate};
    if (services.roster->FindUserByUsername(request.username)) {
      login.plan = LoginPlan::kReset;
      if (auto it = known.find(request.username); it != known.end()) {
        ASSIGN_OR_RETURN(bool works, PasswordWorks(commands, *it->second));
        if (works) login = {&request, *it->second, LoginPlan::kKeep};
      }
    }
    plans.push_back(std::move(login));
  }
  return plans;
}

// The file's content for `plans`: their lines, then the file's lines about
// other accounts, unchanged.
std::vector<Credential> CredentialLines(const std::vector<PlannedLogin>& plans,
                                        const std::vector<Credential>& file) {
  std::vector<Credential> lines;
  std::set<std::string> planned;
  for (const PlannedLogin& p : plans) {
    lines.push_back(p.credential);
    planned.insert(p.credential.username);
  }
  for (const Credential& c : file) {
    if (!planned.contains(c.username)) lines.push_back(c);
  }
  return lines;
}

struct LoginCounts {
  std::set<std::string> created;  // usernames
  size_t reset = 0;
};

// Creates the account `login` plans, or resets its password (PasswordReset).
Status ApplyLogin(Services& services, const Actor& actor, PlannedLogin& login,
                  LoginCounts* counts) {
  RosterCommands commands(services);
  if (login.plan == LoginPlan::kCreate) {
    auto id = commands.AddUser(actor, *login.request, login.credential.password);
    if (id) {
      counts->created.insert(login.credential.username);
      login.plan = LoginPlan::kKeep;
      return OkStatus();
    }
    if (id.error().code() != StatusCode::kAlreadyExists) return id.error();
    login.plan = LoginPlan::kReset;  // the username is taken, or the person has an account
  }
  if (login.plan != LoginPlan::kReset) return OkStatus();
  auto user = services.roster->FindUserByUsername(login.credential.username);
  if (!user && user.error().code() == StatusCode::kNotFound) {
    login.plan = LoginPlan::kSkip;  // the person's account has another name: not a demo login
    return OkStatus();
  }
  if (!user) return user.error();
  RETURN_IF_ERROR(
      commands.ResetPassword(actor, user->id, login.credential.password, PasswordCost::kMinimal));
  ++counts->reset;
  login.plan = LoginPlan::kKeep;
  return OkStatus();
}

// Applies every plan; after `crash_after` accounts created or reset (a test
// hook; 0: never) the process kills itself, as a crash would.
Status ApplyLogins(Services& services, const Actor& actor, std::vector<PlannedLogin>& plans,
                   size_t crash_after, LoginCounts* counts) {
  for (PlannedLogin& login : plans) {
    RETURN_IF_ERROR(ApplyLogin(services, actor, login, counts));
    if (crash_after > 0 && counts->created.size() + counts->reset == crash_after) {
      ::raise(SIGKILL);
    }
  }
  return OkStatus();
}

// Gives every demo account a password DATA/demo-credentials.txt holds. The
// file is written (synced) before any account is created or reset, so that
// a crash cannot leave an account whose password is nowhere; an account
// whose reset a crash cut short has a line that does not work, which the
// next run finds and resets again. If a step fails, the file is rewritten
// without the lines of the accounts not done.
Result<LoginCounts> EnsureLogins(Services& services, const DataPaths& paths, const Actor& actor,
                                 const std::vector<AddUserRequest>& accounts, size_t crash_after) {
  const std::filesystem::path file = CredentialsFile(paths);
  const std::vector<Credential> existing = ReadCredentials(file);
  ASSIGN_OR_RETURN(std::vector<PlannedLogin> plans, PlanLogins(services, accounts, existing));
  RETURN_IF_ERROR(WriteCredentials(file, CredentialLines(plans, existing)));
  LoginCounts counts;
  Status applied = ApplyLogins(services, actor, plans, crash_after, &counts);
  const size_t planned = plans.size();
  std::erase_if(plans, [](const PlannedLogin& p) { return p.plan != LoginPlan::kKeep; });
  if (plans.size() < planned) {
    Status rewritten = WriteCredentials(file, CredentialLines(plans, existing));
    if (applied.ok()) applied = rewritten;
  }
  if (!applied.ok()) return Err(applied);
  return counts;
}

// A few teachers read some of their students' profiles and write notes, so
// that feeds, histories and the audit trail are not empty.
Status AddActivity(Services& services, const DemoSummary& summary,
                   const std::set<std::string>& created) {
  static constexpr std::string_view kNotes[] = {
      "Checked in about the science project timeline; agreed on a plan for next week.",
      "Strong participation in group work today. Will suggest the enrichment packet.",
      "Missed two homework assignments; reached out to discuss a catch-up schedule.",
  };
  int64_t now = services.clock->NowMicros();
  for (int t = 0; t < kActiveTeachers && t < static_cast<int>(summary.teachers.size()); ++t) {
    const std::string& username = summary.teachers[t].account.username;
    if (!created.contains(username)) continue;  // a re-run adds no more activity
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

void PrintHowToLogIn(const GlobalOptions& global, const DemoSummary& summary,
                     const LoginCounts& logins, const std::string& listen) {
  std::filesystem::path file = CredentialsFile(global.paths());
  std::cout << "demo district: " << summary.counts.students << " students, "
            << summary.counts.teachers << " teachers, " << summary.school_sourced_ids.size()
            << " schools; " << logins.created.size() << " new accounts";
  if (logins.reset > 0) {
    std::cout << ", " << logins.reset << " passwords reset (not in the credentials file)";
  }
  std::cout << "\n"
            << "passwords: " << file.string() << " (username<TAB>password<TAB>role, mode 0600)\n"
            << "start the server:  backpack --data " << global.data << " serve --listen " << listen
            << "\n"
            << "then open http://" << listen
            << "/ in a browser and sign in as admin, privacy, principal, a teacher or a "
               "guardian,\n"
            << "or use the API:\n"
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
  const DemoSettings wanted{options.students, options.seed};
  auto held = FindHeldDistrict(app, paths, wanted);
  if (!held) {
    *exit_code = Fail(held.error());
    return std::nullopt;
  }
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
  auto report = ImportAndRecord(app, paths, *set, actor, *held, wanted);
  if (!report) {
    *exit_code = Fail(report.error());
    return std::nullopt;
  }
  PrintImportReport(*report);
  return std::move(*summary);
}

}  // namespace

void RunDemo(const GlobalOptions& global, const DemoCommandOptions& options, int* exit_code) {
  // As `serve --listen` reads it, before the long work.
  if (Status listen = http::CheckListenAddress(options.listen); !listen.ok()) {
    *exit_code = Fail(listen);
    return;
  }
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
  const std::vector<AddUserRequest> accounts = DemoAccounts(*summary);
  auto logins = EnsureLogins(services, paths, actor, accounts, options.crash_after_accounts);
  Status status = logins ? AddActivity(services, *summary, logins->created) : logins.error();
  if (!status.ok()) {
    *exit_code = Fail(status);
    return;
  }
  PrintHowToLogIn(global, *summary, *logins, options.listen);
}

}  // namespace backpack
