#include "projections/roster/internal/records.h"

#include <boost/json.hpp>

#include "projections/ids.h"

namespace backpack::roster {
namespace json = boost::json;
namespace {

Bytes ToBytes(const json::object& object) {
  std::string text = json::serialize(object);
  return Bytes(text.begin(), text.end());
}

Result<json::object> ParseObject(ByteView value) {
  boost::system::error_code ec;
  json::value parsed = json::parse(AsChars(value), ec);
  if (ec || !parsed.is_object()) return Err(DataLossError("malformed roster record"));
  return std::move(parsed.as_object());
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool Flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

IdSet Set(const json::object& o, std::string_view key) {
  IdSet out;
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_array()) return out;
  for (const json::value& item : v->as_array()) {
    if (item.is_string()) out.emplace(item.as_string());
  }
  return out;
}

json::array Array(const IdSet& set) {
  json::array out;
  for (const std::string& item : set) out.emplace_back(item);
  return out;
}

std::string_view ScopeName(GrantScopeKind kind) {
  switch (kind) {
    case GrantScopeKind::kStudent:
      return "student";
    case GrantScopeKind::kClass:
      return "class";
    case GrantScopeKind::kSchoolGrades:
      return "school_grades";
  }
  return "student";
}

// Reads a plain record at (`family`, `key`) and decodes it with `decode`.
template <typename T, typename Decode>
Result<std::optional<T>> ReadPlain(ProjectionTxn& txn, std::string_view family,
                                   std::string_view key, Decode decode) {
  ASSIGN_OR_RETURN(auto value, txn.Get(family, AsBytes(key)));
  if (!value) return std::optional<T>();
  ASSIGN_OR_RETURN(T record, decode(*value));
  return std::optional<T>(std::move(record));
}

template <typename T, typename Decode>
Result<std::optional<T>> ReadSealed(ProjectionTxn& txn, std::string_view family,
                                    std::string_view key, Decode decode) {
  ASSIGN_OR_RETURN(auto value, txn.GetSealed(family, AsBytes(key)));
  if (!value) return std::optional<T>();
  ASSIGN_OR_RETURN(T record, decode(*value));
  return std::optional<T>(std::move(record));
}

Result<OrgRecord> DecodeOrg(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  return OrgRecord{Str(o, "name"), Str(o, "type"), Str(o, "parent_id"), Flag(o, "retracted")};
}

Result<SessionRecord> DecodeSession(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  return SessionRecord{Str(o, "title"),     Str(o, "type"),      Str(o, "start_date"),
                       Str(o, "end_date"),  Str(o, "parent_id"), Str(o, "school_year"),
                       Flag(o, "retracted")};
}

Result<GuardianContact> DecodeGuardianContact(ByteView plaintext) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(plaintext));
  return GuardianContact{Str(o, "guardian_sourced_id"),
                         Str(o, "given_name"),
                         Str(o, "family_name"),
                         Str(o, "email"),
                         Str(o, "phone"),
                         Str(o, "relationship")};
}

}  // namespace

std::vector<std::string> ProjectionFamilies() {
  return {std::string(kOrgs),          std::string(kSessions),      std::string(kClasses),
          std::string(kStudents),      std::string(kGuardianLinks), std::string(kGuardians),
          std::string(kGuardianIndex), std::string(kEnrollments),   std::string(kEnrollmentIndex),
          std::string(kUsers),         std::string(kUserIndex),     std::string(kGrants),
          std::string(kBreakGlass)};
}

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string PairKey(std::string_view first, std::string_view second) {
  std::string key(first);
  key += '\0';
  key += second;
  return key;
}

std::string EnrollmentKey::MembershipPrefix() const {
  std::string key = PairKey(member_id, class_id);
  key += '\0';
  key += role == EnrollmentRole::kTeacher ? "teacher" : "student";
  key += '\0';
  return key;
}

std::string EnrollmentKey::Encode() const { return MembershipPrefix() + digest; }

Result<EnrollmentKey> EnrollmentKey::Decode(ByteView key) {
  std::string_view rest = AsChars(key);
  std::vector<std::string_view> parts;
  for (size_t at; (at = rest.find('\0')) != std::string_view::npos; rest.remove_prefix(at + 1)) {
    parts.push_back(rest.substr(0, at));
  }
  parts.push_back(rest);
  if (parts.size() != 4) return Err(DataLossError("malformed enrollment key"));
  EnrollmentKey out{std::string(parts[0]), std::string(parts[1]), EnrollmentRole::kStudent,
                    std::string(parts[3])};
  if (parts[2] == "teacher")
    out.role = EnrollmentRole::kTeacher;
  else if (parts[2] != "student")
    return Err(DataLossError("malformed enrollment role"));
  return out;
}

std::string UsernameIndexKey(const AeadKey& index_key, std::string_view username) {
  return "username/" + LookupDigest(index_key, "username", ToLowerAscii(username));
}

std::string PersonIndexKey(std::string_view person_id) {
  return "person/" + std::string(person_id);
}

std::string GuardianEmailPrefix(const AeadKey& index_key, std::string_view email) {
  return "email/" + LookupDigest(index_key, "guardian_email", ToLowerAscii(email)) + "/";
}

std::string GuardianEmailKey(const AeadKey& index_key, std::string_view email,
                             std::string_view student_id, std::string_view guardian_id) {
  return GuardianEmailPrefix(index_key, email) + std::string(student_id) + "/" +
         std::string(guardian_id);
}

std::string EnrollmentDigest(const AeadKey& index_key, std::string_view sourced_id) {
  return LookupDigest(index_key, "enrollment", sourced_id);
}

Result<ClassRecord> DecodeClass(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  return ClassRecord{Str(o, "school_id"), Flag(o, "retracted")};
}

Result<StudentRecord> DecodeStudent(ByteView plaintext) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(plaintext));
  return StudentRecord{Str(o, "sourced_id"),     Str(o, "given_name"), Str(o, "family_name"),
                       Str(o, "preferred_name"), Str(o, "grade"),      Str(o, "school_id"),
                       Flag(o, "retracted")};
}

Result<UserRecord> DecodeUser(ByteView plaintext) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(plaintext));
  auto role = ParseRole(Str(o, "role"));
  if (!role) return Err(DataLossError("user record without a role"));
  return UserRecord{Str(o, "username"),   Str(o, "display_name"), *role,
                    Set(o, "flags"),      Set(o, "schools"),      Set(o, "grades"),
                    Str(o, "sourced_id"), Flag(o, "disabled")};
}

Result<GrantRecord> DecodeGrant(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  GrantRecord r;
  r.educator_id = Str(o, "educator_id");
  std::string kind = Str(o, "scope");
  if (kind == "class")
    r.scope = GrantScope::ForClass(Str(o, "scope_id"));
  else if (kind == "school_grades")
    r.scope = GrantScope::ForSchoolGrades(Str(o, "scope_id"), Set(o, "grades"));
  else
    r.scope = GrantScope::ForStudent(Str(o, "scope_id"));
  if (o.contains("expires_at_us")) r.expires_at_us = Int(o, "expires_at_us");
  r.revoked = Flag(o, "revoked");
  return r;
}

Result<BreakGlassRecord> DecodeBreakGlass(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  return BreakGlassRecord{Str(o, "educator_id"), Str(o, "student_id"), Int(o, "started_at_us"),
                          Int(o, "expires_at_us")};
}

Result<EnrollmentRecord> DecodeEnrollment(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  return EnrollmentRecord{Flag(o, "retracted"), Str(o, "begin_date"), Str(o, "end_date")};
}

Result<GuardianLinkState> DecodeGuardianLink(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  return GuardianLinkState{Flag(o, "retracted"), Flag(o, "while_student_retracted")};
}

Result<std::optional<OrgRecord>> ReadOrg(ProjectionTxn& txn, std::string_view id) {
  return ReadPlain<OrgRecord>(txn, kOrgs, id, DecodeOrg);
}

void WriteOrg(ProjectionTxn& txn, std::string_view id, const OrgRecord& r) {
  json::object o{
      {"name", r.name}, {"type", r.type}, {"parent_id", r.parent_id}, {"retracted", r.retracted}};
  txn.Put(kOrgs, AsBytes(id), ToBytes(o));
}

Result<std::optional<SessionRecord>> ReadSession(ProjectionTxn& txn, std::string_view id) {
  return ReadPlain<SessionRecord>(txn, kSessions, id, DecodeSession);
}

void WriteSession(ProjectionTxn& txn, std::string_view id, const SessionRecord& r) {
  json::object o{{"title", r.title},           {"type", r.type},
                 {"start_date", r.start_date}, {"end_date", r.end_date},
                 {"parent_id", r.parent_id},   {"school_year", r.school_year},
                 {"retracted", r.retracted}};
  txn.Put(kSessions, AsBytes(id), ToBytes(o));
}

Result<std::optional<ClassRecord>> ReadClass(ProjectionTxn& txn, std::string_view id) {
  return ReadPlain<ClassRecord>(txn, kClasses, id, DecodeClass);
}

void WriteClass(ProjectionTxn& txn, std::string_view id, const ClassRecord& r) {
  json::object o{{"school_id", r.school_id}, {"retracted", r.retracted}};
  txn.Put(kClasses, AsBytes(id), ToBytes(o));
}

Result<std::optional<StudentRecord>> ReadStudent(ProjectionTxn& txn, std::string_view id) {
  return ReadSealed<StudentRecord>(txn, kStudents, id, DecodeStudent);
}

Status WriteStudent(ProjectionTxn& txn, const std::string& id, const StudentRecord& r) {
  json::object o{{"sourced_id", r.sourced_id},
                 {"given_name", r.given_name},
                 {"family_name", r.family_name},
                 {"preferred_name", r.preferred_name},
                 {"grade", r.grade},
                 {"school_id", r.school_id},
                 {"retracted", r.retracted}};
  return txn.PutSealed(kStudents, AsBytes(id), id, ToBytes(o));
}

Result<std::optional<GuardianContact>> ReadGuardianContact(ProjectionTxn& txn,
                                                           std::string_view student_id,
                                                           std::string_view guardian_id) {
  return ReadSealed<GuardianContact>(txn, kGuardians, PairKey(student_id, guardian_id),
                                     DecodeGuardianContact);
}

Status WriteGuardianContact(ProjectionTxn& txn, const std::string& student_id,
                            std::string_view guardian_id, const GuardianContact& r) {
  json::object o{{"guardian_sourced_id", r.guardian_sourced_id},
                 {"given_name", r.given_name},
                 {"family_name", r.family_name},
                 {"email", r.email},
                 {"phone", r.phone},
                 {"relationship", r.relationship}};
  return txn.PutSealed(kGuardians, AsBytes(PairKey(student_id, guardian_id)), student_id,
                       ToBytes(o));
}

Result<std::optional<UserRecord>> ReadUser(ProjectionTxn& txn, std::string_view id) {
  return ReadSealed<UserRecord>(txn, kUsers, id, DecodeUser);
}

Status WriteUser(ProjectionTxn& txn, const std::string& id, const UserRecord& r) {
  json::object o{{"username", r.username},      {"display_name", r.display_name},
                 {"role", RoleName(r.role)},    {"flags", Array(r.flags)},
                 {"schools", Array(r.schools)}, {"grades", Array(r.grades)},
                 {"sourced_id", r.sourced_id},  {"disabled", r.disabled}};
  return txn.PutSealed(kUsers, AsBytes(id), id, ToBytes(o));
}

Result<std::optional<GrantRecord>> ReadGrant(ProjectionTxn& txn, std::string_view id) {
  return ReadPlain<GrantRecord>(txn, kGrants, id, DecodeGrant);
}

void WriteGrant(ProjectionTxn& txn, std::string_view id, const GrantRecord& r) {
  json::object o{{"educator_id", r.educator_id},
                 {"scope", ScopeName(r.scope.kind)},
                 {"scope_id", r.scope.id},
                 {"grades", Array(r.scope.grades)}};
  if (r.expires_at_us) o["expires_at_us"] = *r.expires_at_us;
  o["revoked"] = r.revoked;
  txn.Put(kGrants, AsBytes(id), ToBytes(o));
}

Result<std::optional<BreakGlassRecord>> ReadBreakGlass(ProjectionTxn& txn, std::string_view id) {
  return ReadPlain<BreakGlassRecord>(txn, kBreakGlass, id, DecodeBreakGlass);
}

void WriteBreakGlass(ProjectionTxn& txn, std::string_view id, const BreakGlassRecord& r) {
  json::object o{{"educator_id", r.educator_id},
                 {"student_id", r.student_id},
                 {"started_at_us", r.started_at_us},
                 {"expires_at_us", r.expires_at_us}};
  txn.Put(kBreakGlass, AsBytes(id), ToBytes(o));
}

Result<std::optional<EnrollmentRecord>> ReadEnrollment(ProjectionTxn& txn, std::string_view key) {
  return ReadPlain<EnrollmentRecord>(txn, kEnrollments, key, DecodeEnrollment);
}

Result<std::optional<GuardianLinkState>> ReadGuardianLink(ProjectionTxn& txn,
                                                          std::string_view key) {
  return ReadPlain<GuardianLinkState>(txn, kGuardianLinks, key, DecodeGuardianLink);
}

void WriteGuardianLink(ProjectionTxn& txn, std::string_view key, const GuardianLinkState& state) {
  json::object o{{"retracted", state.retracted}};
  if (state.while_student_retracted) o["while_student_retracted"] = true;
  txn.Put(kGuardianLinks, AsBytes(key), ToBytes(o));
}

void WriteEnrollment(ProjectionTxn& txn, std::string_view key, const EnrollmentRecord& r) {
  json::object o{
      {"retracted", r.retracted}, {"begin_date", r.begin_date}, {"end_date", r.end_date}};
  txn.Put(kEnrollments, AsBytes(key), ToBytes(o));
}

}  // namespace backpack::roster
