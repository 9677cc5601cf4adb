// A small synthetic district over a DomainFixture for the family tests (no
// real people): students Ana (S-1) and Ben (S-2) at school SCH-1, Ana's
// guardian, a guardian of nobody here, a privacy officer, a district admin
// and a districtwide educator "Ms. Rivera".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "events/schema/payloads_generated.h"
#include "projections/family/family.h"
#include "projections/ids.h"
#include "tests/domain_fixture.h"

namespace backpack::family_testing {

inline constexpr char kAnaGivenName[] = "Zephyrine";
inline constexpr char kAnaFamilyName[] = "Quillfeather";

class World {
 public:
  World();  // in a fresh temporary directory
  // In `dir` (a data directory: dir/keys, dir/db), which must be new.
  explicit World(const std::filesystem::path& dir);
  // In a fresh temporary directory, with the fixture's seams set.
  explicit World(testing::DomainFixtureOptions options);
  ~World();

  testing::DomainFixture& fx() { return *fx_; }
  Family& family() { return *fx_->services().family; }
  EventLog& log() { return fx_->log(); }
  const std::filesystem::path& dir() const { return dir_; }
  // Closes the store (e.g. to scan its files); Reopen() opens it again.
  void Close() { fx_.reset(); }
  void Reopen();
  // Rebuilds the projections into a scratch store: the family projection's
  // families must equal the live ones byte for byte.
  void CheckRebuildEqualsLive();

  Actor As(const std::string& user_id) const { return Actor{user_id, "req_test", ""}; }
  // Appends in one group; returns the first seq.
  uint64_t Append(std::vector<NewEvent> events);
  uint64_t WriteNote(const std::string& student, const std::string& kind, const std::string& text);
  uint64_t ViewProfile(const std::string& student, const std::string& reason);

  std::string ana, ben;                  // student ids
  std::string guardian, stranger;        // guardian of Ana; guardian of nobody here
  std::string privacy, admin, educator;  // user ids

 private:
  void Populate();

  std::unique_ptr<testing::TempDir> temp_;
  std::filesystem::path dir_;
  testing::DomainFixtureOptions options_;
  std::unique_ptr<testing::DomainFixture> fx_;
};

// --- History export bundles.
// True if `bundle` passes VerifyExport.
bool Verifies(const boost::json::object& bundle);
// Ana's history exported for her guardian; REQUIREs that it verifies.
boost::json::object VerifiedGuardianExport(World& w);

// --- Synthetic events.
NewEvent StudentImported(const AeadKey& index_key, const std::string& sourced_id,
                         const std::string& given, const std::string& family);
// A link of guardian `given` `family`, with contact details `email` and
// `phone` (also as sms).
NewEvent GuardianLinked(const std::string& student, const std::string& guardian_sourced_id,
                        const std::string& student_sourced_id,
                        const std::string& email = "guardian@example.test",
                        const std::string& phone = "", const std::string& given = "Marisol",
                        const std::string& family = "Quillfeather");
NewEvent UserCreated(const std::string& user_id, const std::string& username, fb::UserRole role,
                     const std::string& display_name, const std::vector<std::string>& flags = {});
NewEvent Note(const std::string& student, const std::string& author, const std::string& kind,
              const std::string& text, bool restricted = false,
              const std::string& note_id = NewId("note"));
NewEvent NoteRestricted(const std::string& student, const std::string& by,
                        const std::string& note_id);
// RecordViewed of `scope` by `actor`; `students` lists multi-student reads,
// `query` names a view ("view=feed").
NewEvent Viewed(const std::string& subject, const std::string& actor, fb::ReadScope scope,
                const std::string& reason,
                const std::vector<std::pair<std::string, std::string>>& students = {},
                const std::string& query = "");
// The read of a restricted note's text (RecordViewed, scope restricted_note).
NewEvent RestrictedNoteViewed(const std::string& student, const std::string& actor,
                              const std::string& note_id);
NewEvent Denied(const std::string& student, const std::string& actor, const std::string& reason);
NewEvent Disclosed(const std::string& student, const std::string& actor,
                   const std::string& recipient, const std::string& interest);
// RecordRetracted of the student's row of `kind` imported at seq 1; `replaced`
// when a corrected version replaced it.
NewEvent Retracted(const std::string& student, fb::RecordKind kind, const std::string& sourced_id,
                   bool replaced);

}  // namespace backpack::family_testing
