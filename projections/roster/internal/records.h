// The roster's column families, key layouts and record formats
// (docs/storage-format.md, "Roster storage"). Internal to projections/roster/.
//
// Plain records hold opaque ids, OneRoster org/class ids and access
// attributes only; personal values (students, guardian contacts, user
// accounts) are sealed under their owner's data key. Values are JSON objects
// written in a fixed field order, so a rebuild reproduces them byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "projections/access_state.h"
#include "projections/projection.h"

namespace backpack::roster {

// --- Column families.
inline constexpr std::string_view kOrgs = "r_orgs";
inline constexpr std::string_view kSessions = "r_sessions";
inline constexpr std::string_view kClasses = "r_classes";
inline constexpr std::string_view kStudents = "r_students";
inline constexpr std::string_view kGuardianLinks = "r_guardian_links";
inline constexpr std::string_view kGuardians = "r_guardians";
inline constexpr std::string_view kGuardianIndex = "r_guardian_index";
inline constexpr std::string_view kEnrollments = "r_enrollments";
inline constexpr std::string_view kEnrollmentIndex = "r_enrollment_index";
inline constexpr std::string_view kUsers = "r_users";
inline constexpr std::string_view kUserIndex = "r_user_index";
inline constexpr std::string_view kGrants = "r_grants";
inline constexpr std::string_view kBreakGlass = "r_break_glass";
// Not a projection: mutable, never reset by rebuild.
inline constexpr std::string_view kCredentials = "credentials";

std::vector<std::string> ProjectionFamilies();

// --- Records.
struct OrgRecord {
  std::string name, type, parent_id;
  bool retracted = false;
};

struct SessionRecord {
  std::string title, type, start_date, end_date, parent_id, school_year;
  bool retracted = false;
};

struct ClassRecord {
  std::string school_id;
  bool retracted = false;
};

// Sealed under the student.
struct StudentRecord {
  std::string sourced_id, given_name, family_name, preferred_name, grade, school_id;
  bool retracted = false;
};

// Sealed under the student (the family's contact details are their record).
struct GuardianContact {
  std::string guardian_sourced_id, given_name, family_name, email, phone, relationship;
};

// Sealed under the user.
struct UserRecord {
  std::string username, display_name;
  Role role = Role::kGuardian;
  IdSet flags, schools, grades;
  std::string sourced_id;
  bool disabled = false;
};

struct GrantRecord {
  std::string educator_id;
  GrantScope scope;
  std::optional<int64_t> expires_at_us;
  bool revoked = false;
};

struct BreakGlassRecord {
  std::string educator_id, student_id;
  int64_t started_at_us = 0, expires_at_us = 0;
};

// One enrollment row: r_enrollments key = member \0 class \0 role \0 digest.
struct EnrollmentKey {
  std::string member_id;  // stu_... or usr_...
  std::string class_id;
  EnrollmentRole role = EnrollmentRole::kStudent;
  std::string digest;  // LookupDigest of the enrollment's sourcedId
  std::string Encode() const;
  // member \0 class \0 role \0: every row of the same membership.
  std::string MembershipPrefix() const;
  static Result<EnrollmentKey> Decode(ByteView key);
};

// --- Keys.
std::string PairKey(std::string_view first, std::string_view second);  // a \0 b
// r_user_index key of a username (case-insensitive).
std::string UsernameIndexKey(const AeadKey& index_key, std::string_view username);
// r_user_index key of a person (UserIdFor their OneRoster sourcedId) whose
// account was linked after it was made: "person/" person id -> account id.
std::string PersonIndexKey(std::string_view person_id);
// r_guardian_index keys: "email/" digest "/" student "/" guardian.
std::string GuardianEmailPrefix(const AeadKey& index_key, std::string_view email);
std::string GuardianEmailKey(const AeadKey& index_key, std::string_view email,
                             std::string_view student_id, std::string_view guardian_id);
std::string EnrollmentDigest(const AeadKey& index_key, std::string_view sourced_id);
std::string ToLowerAscii(std::string_view text);

// --- Reads and writes through a transaction. Reads return nullopt when absent.
Result<std::optional<OrgRecord>> ReadOrg(ProjectionTxn& txn, std::string_view id);
void WriteOrg(ProjectionTxn& txn, std::string_view id, const OrgRecord& r);
Result<std::optional<SessionRecord>> ReadSession(ProjectionTxn& txn, std::string_view id);
void WriteSession(ProjectionTxn& txn, std::string_view id, const SessionRecord& r);
Result<std::optional<ClassRecord>> ReadClass(ProjectionTxn& txn, std::string_view id);
void WriteClass(ProjectionTxn& txn, std::string_view id, const ClassRecord& r);
Result<std::optional<StudentRecord>> ReadStudent(ProjectionTxn& txn, std::string_view id);
Status WriteStudent(ProjectionTxn& txn, const std::string& id, const StudentRecord& r);
Result<std::optional<GuardianContact>> ReadGuardianContact(ProjectionTxn& txn,
                                                           std::string_view student_id,
                                                           std::string_view guardian_id);
Status WriteGuardianContact(ProjectionTxn& txn, const std::string& student_id,
                            std::string_view guardian_id, const GuardianContact& r);
Result<std::optional<UserRecord>> ReadUser(ProjectionTxn& txn, std::string_view id);
Status WriteUser(ProjectionTxn& txn, const std::string& id, const UserRecord& r);
Result<std::optional<GrantRecord>> ReadGrant(ProjectionTxn& txn, std::string_view id);
void WriteGrant(ProjectionTxn& txn, std::string_view id, const GrantRecord& r);
Result<std::optional<BreakGlassRecord>> ReadBreakGlass(ProjectionTxn& txn, std::string_view id);
void WriteBreakGlass(ProjectionTxn& txn, std::string_view id, const BreakGlassRecord& r);
// An r_guardian_links value: {"retracted":bool}, with "while_student_retracted":true
// when the link's row went missing from a full export while its student was
// retracted (the family left with the student). Such a link stays in force
// while the student stays retracted: the district still holds the record, and
// the guardian keeps the rights of FERPA §§99.10-99.20 to it (history, export,
// requests). It ends if the student is imported again without it.
struct GuardianLinkState {
  bool retracted = false;
  bool while_student_retracted = false;
  // Whether the guardian is linked to the student now.
  bool in_force() const { return !retracted || while_student_retracted; }
};
Result<std::optional<GuardianLinkState>> ReadGuardianLink(ProjectionTxn& txn, std::string_view key);
void WriteGuardianLink(ProjectionTxn& txn, std::string_view key, const GuardianLinkState& state);
Result<GuardianLinkState> DecodeGuardianLink(ByteView value);

// An r_enrollments value: {"retracted":bool,"begin_date":..,"end_date":..}.
// The dates are the row's OneRoster beginDate and endDate as imported
// ("YYYY-MM-DD", "" when open-ended); a retracted row keeps them.
struct EnrollmentRecord {
  bool retracted = false;
  std::string begin_date, end_date;
};
Result<std::optional<EnrollmentRecord>> ReadEnrollment(ProjectionTxn& txn, std::string_view key);
void WriteEnrollment(ProjectionTxn& txn, std::string_view key, const EnrollmentRecord& r);

// Decoders for full scans (Load).
Result<ClassRecord> DecodeClass(ByteView value);
Result<StudentRecord> DecodeStudent(ByteView plaintext);
Result<UserRecord> DecodeUser(ByteView plaintext);
Result<GrantRecord> DecodeGrant(ByteView value);
Result<BreakGlassRecord> DecodeBreakGlass(ByteView value);
Result<EnrollmentRecord> DecodeEnrollment(ByteView value);

// A ProjectionTxn for reading committed state outside a commit group. Its
// writes (none expected) are discarded.
class StoreReader {
 public:
  StoreReader(Store& store, DataKeyRing& data_keys)
      : txn_(store, data_keys, scratch_, ReadView::kDurable) {}
  ProjectionTxn& txn() { return txn_; }

 private:
  WriteBatch scratch_;
  ProjectionTxn txn_;
};

}  // namespace backpack::roster
