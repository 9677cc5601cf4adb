// Roster: who the people are and who may see whom.
//
// Owns the roster projection (orgs, academic sessions, classes, students,
// guardians, enrollments, users, grants, break-glass) and the in-memory
// AccessState that every request consults. This header's READ API is the
// contract other modules (records/, audit/, family/, http/) code against.
//
// Thread-safety: all methods are safe to call concurrently. Reads see
// committed events only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "projections/access_policy.h"
#include "projections/projection.h"
#include "projections/services.h"

namespace backpack {

struct StudentInfo {
  std::string id;          // stu_...
  std::string sourced_id;  // OneRoster sourcedId
  std::string given_name;
  std::string family_name;
  std::string preferred_name;  // "" if none
  std::string grade;           // as imported, e.g. "07"
  std::string school_id;       // org sourcedId
  std::string school_name;
  bool retracted = false;           // missing from a later full export
  std::string DisplayName() const;  // preferred or given name, then family name
};

struct GuardianInfo {
  std::string id;  // usr_... (UserIdFor the guardian's sourcedId)
  std::string given_name;
  std::string family_name;
  std::string email;
  std::string phone;
  std::string relationship;  // "parent", "guardian", ...
};

struct UserInfo {
  std::string id;
  std::string username;
  std::string display_name;
  Role role = Role::kGuardian;
  IdSet flags;
  IdSet schools;
  IdSet grades;
  bool disabled = false;
  std::vector<std::string> guardian_of;  // student ids, for guardians
};

class Roster {
 public:
  explicit Roster(Services& services);
  ~Roster();
  // The projection to register with the Projector.
  Projection* projection();

  // --- Reads.
  // kNotFound for an unknown id; kGone if the student was shredded.
  Result<StudentInfo> FindStudent(std::string_view student_id) const;
  // The id of the student a OneRoster sourcedId or a Backpack id (stu_...)
  // names, tried in that order, shredded students included: their history
  // stays exportable and auditable. kNotFound for a student never imported.
  Result<std::string> ResolveStudentEvenShredded(std::string_view id_or_sourced_id) const;
  // As ResolveStudentEvenShredded, but kGone for a shredded student.
  Result<std::string> ResolveStudent(std::string_view id_or_sourced_id) const;
  Result<UserInfo> FindUser(std::string_view user_id) const;
  Result<UserInfo> FindUserByUsername(std::string_view username) const;
  // Accepts a user id or a username; kNotFound if neither names an account.
  Result<std::string> ResolveUser(std::string_view id_or_username) const;
  std::vector<GuardianInfo> GuardiansOf(std::string_view student_id) const;
  // The id of the account that stands for the OneRoster person (teacher,
  // guardian) with `sourced_id`, whether or not it exists: the account linked
  // to them after it was made (RosterCommands::LinkUser), else UserIdFor it.
  Result<std::string> AccountOf(std::string_view sourced_id) const;

  // SPEC §1 decisions on the committed AccessState at `now_us`.
  AccessDecision Decide(std::string_view user_id, std::string_view student_id,
                        int64_t now_us) const;
  AccessDecision DecideRestricted(std::string_view user_id, std::string_view student_id,
                                  int64_t now_us) const;
  bool IsGuardianOf(std::string_view user_id, std::string_view student_id) const;
  // True if an imported enrollment (in effect or not) names the account as a
  // class's teacher: it has a class roster.
  bool TeachesAClass(std::string_view user_id) const;
  // True if the account has ever been linked as the student's guardian: the
  // link is in force now, or ended (unlinked, or its row retracted). False
  // once the student is shredded, for any other account (another family's
  // guardian), and if the link cannot be read.
  bool WasEverGuardianOf(std::string_view user_id, std::string_view student_id) const;
  // The accounts linked as the student's guardians now (enabled or not), by id.
  std::vector<std::string> GuardianAccountsOf(std::string_view student_id) const;
  std::vector<AccessListEntry> AccessList(std::string_view student_id, int64_t now_us) const;
  // Ids of every student `user_id` may access now, with the reason.
  std::vector<std::pair<std::string, std::string>> AccessibleStudents(std::string_view user_id,
                                                                      int64_t now_us) const;

  // --- Commands: see roster_commands.h.

 private:
  friend struct RosterInternals;  // roster_commands.cc
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace backpack
