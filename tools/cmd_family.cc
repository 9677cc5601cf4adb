// export-history, verify-export, shred (SPEC §5): the family's rights and
// crypto-shredding from the command line.
//
// export-history is an audited read: its RecordViewed (scope export, actor
// "cli") is durable before the bundle is written, and the bundle includes it.
// verify-export never opens the store.

#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "events/checkpoint.h"
#include "projections/audit/audit.h"
#include "projections/family/export.h"
#include "projections/family/family.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"
#include "tools/commands.h"

namespace backpack {
namespace {

constexpr size_t kMaxBundleFileBytes = size_t{1} << 30;

struct FamilyCliOptions {
  std::string student, out, file, public_key, reason, actor;
  DisclosureRecord disclosure;
};

Actor CliActor() { return Actor{"cli", NewId("req"), ""}; }

// The audit record of the export, durable before any byte is written.
Status RecordExport(App& app, const std::string& student, bool shredded) {
  AccessOutcome outcome = shredded ? AccessOutcome::kGone : AccessOutcome::kAllowed;
  return app.services().audit->RecordAccess(CliActor(), AccessScope::kExport,
                                            {StudentAccess{student, "cli"}}, outcome);
}

// The output file is opened first: an export that cannot be written is
// neither recorded nor read. A path that cannot be opened (no such folder,
// a folder) is the caller's argument: kInvalidArgument, exit 2.
Status ExportHistory(App& app, const FamilyCliOptions& o, size_t* events) {
  ASSIGN_OR_RETURN(std::string student, ResolveStudentId(app, o.student));
  Family& family = *app.services().family;
  ASSIGN_OR_RETURN(bool shredded, family.IsShredded(student));
  auto out = PrivateOutputFile::Open(o.out);
  if (!out) return InvalidArgumentError("--out: " + out.error().message());
  RETURN_IF_ERROR(RecordExport(app, student, shredded));
  ASSIGN_OR_RETURN(auto bundle, family.ExportHistory(student));
  *events = bundle.at("events").as_array().size();
  return out->Write(boost::json::serialize(bundle));
}

void RunExport(const GlobalOptions& global, const FamilyCliOptions& o, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  size_t events = 0;
  if (Status s = ExportHistory(*app, o, &events); !s.ok()) {
    *exit_code = Fail(s);
    return;
  }
  std::cout << "exported " << events << " events to " << o.out << "\n";
}

void RunVerifyExport(const FamilyCliOptions& o, int* exit_code) {
  std::optional<Ed25519PublicKey> key;
  std::string key_name;  // "" unless a verifier key named it
  if (!o.public_key.empty()) {
    std::optional<VerifierKey> parsed = ParsePublicKeyOption(o.public_key);
    if (!parsed) {
      *exit_code = kExitUsage;
      return;
    }
    key = parsed->public_key;
    key_name = parsed->key_name;
  }
  if (Status s = CryptoInit(); !s.ok()) {
    *exit_code = Fail(s);
    return;
  }
  auto text = ReadFileUpTo(o.file, kMaxBundleFileBytes, "a bundle is at most 1 GiB");
  if (!text) {  // nothing was checked: the file named cannot be used
    std::cerr << "backpack: " << text.error().message() << "\n";
    *exit_code = kExitUsage;
    return;
  }
  auto verified = VerifyExportText(*text, key);
  if (verified && !key_name.empty() && key_name != verified->origin) {
    verified = Err(DataLossError("the bundle's log is " + verified->origin +
                                 ", not the verifier key's " + key_name));
  }
  if (!verified) {
    std::cerr << "backpack: verification failed: " << verified.error().message() << "\n";
    *exit_code = kExitRefused;
    return;
  }
  if (!key) {
    std::cerr << "backpack: note: checked against the bundle's own public key; to know the "
                 "bundle is the district's, pass --public-key with the key obtained from it\n";
  }
  std::cout << "verified " << verified->events << " events of " << verified->student_id
            << " against checkpoint " << verified->origin << " at tree size " << verified->tree_size
            << (verified->shredded ? " (record shredded)" : "") << "\n";
}

// The user id of a username or user id.
Result<std::string> ResolveUser(App& app, const std::string& text) {
  Roster& roster = *app.services().roster;
  if (auto user = roster.FindUserByUsername(text)) return user->id;
  if (auto user = roster.FindUser(text)) return user->id;
  return Err(NotFoundError("no such user: " + text));
}

// The student (`--student`: id or sourcedId) and the acting user
// (`--actor`: username or id) of a family command.
struct Parties {
  std::string student;
  Actor actor;
};
Result<Parties> ResolveParties(App& app, const FamilyCliOptions& o) {
  ASSIGN_OR_RETURN(std::string student, app.services().roster->ResolveStudent(o.student));
  ASSIGN_OR_RETURN(std::string actor, ResolveUser(app, o.actor));
  return Parties{std::move(student), Actor{std::move(actor), NewId("req"), ""}};
}

void RunShred(const GlobalOptions& global, const FamilyCliOptions& o, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto parties = ResolveParties(*app, o);
  if (!parties) {
    *exit_code = Fail(parties.error());
    return;
  }
  const std::string& student = parties->student;
  Status s = app->services().family->Shred(parties->actor, student, o.reason);
  if (s.code() == StatusCode::kFailedPrecondition) {
    std::cerr << "backpack: refused: " << s.message() << "\n";
    *exit_code = kExitRefused;
    return;
  }
  if (!s.ok()) {
    *exit_code = Fail(s);
    return;
  }
  std::cout << "shredded " << student << ": data key destroyed, RecordShredded appended\n";
}

void RunDisclose(const GlobalOptions& global, const FamilyCliOptions& o, int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  auto parties = ResolveParties(*app, o);
  auto seq = parties ? app->services().family->RecordDisclosure(parties->actor, parties->student,
                                                                o.disclosure)
                     : Result<uint64_t>(Err(parties.error()));
  if (!seq) {
    *exit_code = Fail(seq.error());
    return;
  }
  std::cout << "recorded the disclosure of " << parties->student << " at seq " << *seq << "\n";
}

}  // namespace

Result<std::string> ReadFileUpTo(const std::string& path, uintmax_t limit,
                                 std::string_view limit_text) {
  const auto too_large = [&] {
    return Err(ResourceExhaustedError(path + " is too large (" + std::string(limit_text) + ")"));
  };
  std::error_code ec;
  const bool regular = std::filesystem::is_regular_file(path, ec);
  const uintmax_t size = regular ? std::filesystem::file_size(path, ec) : 0;
  if (regular && !ec && size > limit) return too_large();
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Err(NotFoundError("cannot read " + path +
                             (errno ? ": " + std::string(std::strerror(errno)) : "")));
  }
  // Read in chunks up to the limit: a regular file straight into its room,
  // another kind (a pipe, a device) refused once past it, so that an
  // endless one cannot fill the memory.
  std::string text;
  if (!ec) text.reserve(static_cast<size_t>(size));
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    const size_t got = static_cast<size_t>(in.gcount());
    if (text.size() + got > limit) return too_large();
    text.append(chunk, got);
  }
  if (in.bad()) return Err(NotFoundError("cannot read " + path));
  return text;
}

std::optional<VerifierKey> ParsePublicKeyOption(const std::string& text) {
  if (text.find('+') != std::string::npos) {
    auto parsed = ParseNoteVerifierKey(text);
    if (parsed) return *parsed;
    std::cerr << "backpack: --public-key: " << parsed.error().message() << "\n";
    return std::nullopt;
  }
  auto bytes = FromHex(text);
  if (!bytes || bytes->size() != kEd25519PublicKeySize) {
    std::cerr << "backpack: --public-key must be 64 hex digits (an Ed25519 public key) or a "
                 "verifier key (NAME+HASH+KEY)\n";
    return std::nullopt;
  }
  VerifierKey key;
  std::copy(bytes->begin(), bytes->end(), key.public_key.begin());
  return key;
}

void AddFamilyCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  static FamilyCliOptions o;
  auto* export_history = cli.add_subcommand(
      "export-history", "write a student's verifiable record history bundle (audited)");
  export_history->add_option("--student", o.student, "student id (stu_...) or SIS sourcedId")
      ->required();
  export_history->add_option("--out", o.out, "bundle file to write (mode 0600)")->required();
  export_history->callback([&global, exit_code] { RunExport(global, o, exit_code); });

  auto* verify = cli.add_subcommand("verify-export", "check a history bundle offline");
  verify->add_option("file", o.file, "bundle file")->required();
  verify->add_option("--public-key", o.public_key,
                     "the store's public key, obtained out of band: 64 hex digits, or the "
                     "verifier key (NAME+HASH+KEY) of GET /api/log/public-key");
  verify->callback([exit_code] { RunVerifyExport(o, exit_code); });

  auto* shred = cli.add_subcommand("shred", "crypto-shred one student's record");
  shred->add_option("--student", o.student, "student id (stu_...) or SIS sourcedId")->required();
  shred->add_option("--reason", o.reason, "administrative reason (no personal details)")
      ->required();
  shred->add_option("--actor", o.actor, "username or user id (privacy officer or district admin)")
      ->required();
  shred->callback([&global, exit_code] { RunShred(global, o, exit_code); });

  auto* disclose = cli.add_subcommand(
      "disclose", "record a disclosure of a student's record outside the district (FERPA 99.32)");
  disclose->add_option("--student", o.student, "student id (stu_...) or SIS sourcedId")->required();
  disclose->add_option("--recipient", o.disclosure.recipient, "the party it was disclosed to")
      ->required();
  disclose
      ->add_option("--interest,--legitimate-interest", o.disclosure.legitimate_interest,
                   "the party's legitimate interest in it")
      ->required();
  disclose->add_option("--description", o.disclosure.description, "what was disclosed")->required();
  disclose
      ->add_option("--actor", o.actor, "username or user id (privacy officer or district admin)")
      ->required();
  disclose->callback([&global, exit_code] { RunDisclose(global, o, exit_code); });
}

}  // namespace backpack
