#include "projections/access_state.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

#include "core/civil_date.h"
#include "core/clock.h"

namespace backpack {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoleNames = {{
    {Role::kEducator, "educator"},
    {Role::kPrivacyOfficer, "privacy_officer"},
    {Role::kDistrictAdmin, "district_admin"},
    {Role::kGuardian, "guardian"},
}};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char ToUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

IdSet NormalizeGrades(const IdSet& grades) {
  IdSet normalized;
  for (const std::string& grade : grades) {
    std::string g = NormalizeGrade(grade);
    if (!g.empty()) normalized.insert(std::move(g));
  }
  return normalized;
}

template <typename V>
const V* FindIn(const IdMap<V>& map, std::string_view id) {
  auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}

template <typename V>
V* FindIn(IdMap<V>& map, std::string_view id) {
  auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}

const IdSet& SetIn(const IdMap<IdSet>& index, std::string_view owner) {
  static const IdSet kEmpty;
  const IdSet* set = FindIn(index, owner);
  return set ? *set : kEmpty;
}

void AddToIndex(IdMap<IdSet>& index, std::string_view owner, std::string_view id) {
  index.try_emplace(std::string(owner)).first->second.emplace(id);
}

void RemoveFromIndex(IdMap<IdSet>& index, std::string_view owner, std::string_view id) {
  auto it = index.find(owner);
  if (it == index.end()) return;
  if (auto member = it->second.find(id); member != it->second.end()) it->second.erase(member);
  if (it->second.empty()) index.erase(it);
}

// The UTC calendar day of `unix_micros`, as days since 1970-01-01.
int64_t UtcDayOf(int64_t unix_micros) {
  int64_t day = unix_micros / kMicrosPerDay;
  return (unix_micros % kMicrosPerDay < 0) ? day - 1 : day;
}

Result<std::optional<int64_t>> ParseBound(std::string_view date, std::string_view what) {
  if (date.empty()) return std::optional<int64_t>();
  std::optional<int64_t> day = DaysFromIsoDate(date);
  if (!day) return Err(InvalidArgumentError(std::string(what) + " is not a YYYY-MM-DD date"));
  return day;
}

ClassMembers& MembersOf(Class& c, EnrollmentRole role) {
  return role == EnrollmentRole::kTeacher ? c.teachers : c.students;
}

Status RequireIds(std::initializer_list<std::string_view> ids) {
  for (std::string_view id : ids) {
    if (id.empty()) return InvalidArgumentError("empty id");
  }
  return OkStatus();
}

Status ValidateScope(const GrantScope& scope) {
  if (scope.id.empty()) {
    return InvalidArgumentError("grant scope names no student, class or school");
  }
  bool school_scope = scope.kind == GrantScopeKind::kSchoolGrades;
  if (school_scope && scope.grades.empty()) {
    return InvalidArgumentError("school grant names no grades");
  }
  if (!school_scope && !scope.grades.empty()) {
    return InvalidArgumentError("only a school grant names grades");
  }
  return OkStatus();
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [role, n] : kRoleNames) {
    if (n == name) return role;
  }
  return std::nullopt;
}

std::string NormalizeGrade(std::string_view grade) {
  grade = Trim(grade);
  if (!grade.empty() && std::all_of(grade.begin(), grade.end(), IsDigit)) {
    size_t first = std::min(grade.find_first_not_of('0'), grade.size() - 1);
    return std::string(grade.substr(first));
  }
  std::string upper(grade);
  std::transform(upper.begin(), upper.end(), upper.begin(), ToUpper);
  return upper == "K" ? "KG" : upper;
}

GrantScope GrantScope::ForStudent(std::string student_id) {
  return {GrantScopeKind::kStudent, std::move(student_id), {}};
}

GrantScope GrantScope::ForClass(std::string class_id) {
  return {GrantScopeKind::kClass, std::move(class_id), {}};
}

GrantScope GrantScope::ForSchoolGrades(std::string school_id, IdSet grades) {
  return {GrantScopeKind::kSchoolGrades, std::move(school_id), std::move(grades)};
}

Result<EnrollmentPeriod> EnrollmentPeriod::FromDates(std::string_view begin_date,
                                                     std::string_view end_date) {
  EnrollmentPeriod period;
  ASSIGN_OR_RETURN(period.first_day, ParseBound(begin_date, "enrollment beginDate"));
  ASSIGN_OR_RETURN(period.last_day, ParseBound(end_date, "enrollment endDate"));
  if (period.first_day && period.last_day && *period.last_day < *period.first_day) {
    return Err(InvalidArgumentError("enrollment endDate is before its beginDate"));
  }
  return period;
}

bool EnrollmentPeriod::InEffectAt(int64_t now_us) const {
  const int64_t today = UtcDayOf(now_us);
  return (!first_day || *first_day <= today) && (!last_day || today <= *last_day);
}

bool Class::EnrolledAt(std::string_view member_id, EnrollmentRole role, int64_t now_us) const {
  const ClassMembers& members = role == EnrollmentRole::kTeacher ? teachers : students;
  auto rows = members.find(member_id);
  if (rows == members.end()) return false;
  return std::any_of(rows->second.begin(), rows->second.end(),
                     [now_us](const auto& row) { return row.second.InEffectAt(now_us); });
}

bool Grant::IsActiveAt(int64_t now_us) const {
  return !revoked && (!expires_at_us || now_us < *expires_at_us);
}

BreakGlass BreakGlass::Start(std::string id, std::string educator_id, std::string student_id,
                             int64_t started_at_us) {
  return {std::move(id), std::move(educator_id), std::move(student_id), started_at_us,
          started_at_us + kBreakGlassDurationMicros};
}

bool BreakGlass::IsActiveAt(int64_t now_us) const {
  return started_at_us <= now_us && now_us < expires_at_us;
}

Status AccessState::UpsertUser(User user) {
  RETURN_IF_ERROR(RequireIds({user.id}));
  user.grades = NormalizeGrades(user.grades);
  std::string id = user.id;
  users_.insert_or_assign(std::move(id), std::move(user));
  return OkStatus();
}

Status AccessState::DisableUser(std::string_view user_id) {
  User* user = FindIn(users_, user_id);
  if (!user) return NotFoundError("no such user");
  user->disabled = true;
  return OkStatus();
}

Status AccessState::EnableUser(std::string_view user_id) {
  User* user = FindIn(users_, user_id);
  if (!user) return NotFoundError("no such user");
  user->disabled = false;
  return OkStatus();
}

Status AccessState::UpsertStudent(Student student) {
  RETURN_IF_ERROR(RequireIds({student.id}));
  student.grade = NormalizeGrade(student.grade);
  student.retracted = false;
  std::string id = student.id;
  students_.insert_or_assign(std::move(id), std::move(student));
  return OkStatus();
}

Status AccessState::RetractStudent(std::string_view student_id) {
  Student* student = FindIn(students_, student_id);
  if (!student) return NotFoundError("no such student");
  student->retracted = true;
  return OkStatus();
}

Status AccessState::UpsertClass(std::string_view class_id, std::string_view school_id) {
  RETURN_IF_ERROR(RequireIds({class_id}));
  Class& c = classes_.try_emplace(std::string(class_id)).first->second;
  c.id = class_id;
  c.school_id = school_id;
  return OkStatus();
}

Status AccessState::AddEnrollment(std::string_view class_id, std::string_view member_id,
                                  EnrollmentRole role, std::string_view row_id,
                                  EnrollmentPeriod period) {
  RETURN_IF_ERROR(RequireIds({class_id, member_id, row_id}));
  Class* c = FindIn(classes_, class_id);
  if (!c) return NotFoundError("no such class");
  EnrollmentRows& rows = MembersOf(*c, role).try_emplace(std::string(member_id)).first->second;
  rows.insert_or_assign(std::string(row_id), period);
  bool teacher = role == EnrollmentRole::kTeacher;
  AddToIndex(teacher ? classes_of_teacher_ : classes_of_student_, member_id, class_id);
  return OkStatus();
}

Status AccessState::RemoveEnrollment(std::string_view class_id, std::string_view member_id,
                                     EnrollmentRole role, std::string_view row_id) {
  RETURN_IF_ERROR(RequireIds({class_id, member_id, row_id}));
  Class* c = FindIn(classes_, class_id);
  if (!c) return NotFoundError("no such class");
  ClassMembers& members = MembersOf(*c, role);
  auto rows = members.find(member_id);
  if (rows == members.end()) return OkStatus();
  if (auto row = rows->second.find(row_id); row != rows->second.end()) rows->second.erase(row);
  if (!rows->second.empty()) return OkStatus();
  members.erase(rows);
  bool teacher = role == EnrollmentRole::kTeacher;
  RemoveFromIndex(teacher ? classes_of_teacher_ : classes_of_student_, member_id, class_id);
  return OkStatus();
}

Status AccessState::ApplyGrant(Grant grant) {
  RETURN_IF_ERROR(RequireIds({grant.id, grant.educator_id}));
  RETURN_IF_ERROR(ValidateScope(grant.scope));
  if (grants_.contains(grant.id)) return AlreadyExistsError("grant id already used");
  grant.scope.grades = NormalizeGrades(grant.scope.grades);
  AddToIndex(grants_of_educator_, grant.educator_id, grant.id);
  std::string id = grant.id;
  grants_.emplace(std::move(id), std::move(grant));
  return OkStatus();
}

Status AccessState::ApplyRevoke(std::string_view grant_id) {
  Grant* grant = FindIn(grants_, grant_id);
  if (!grant) return NotFoundError("no such grant");
  grant->revoked = true;
  return OkStatus();
}

Status AccessState::ApplyBreakGlass(BreakGlass record) {
  RETURN_IF_ERROR(RequireIds({record.id, record.educator_id, record.student_id}));
  if (record.expires_at_us <= record.started_at_us) {
    return InvalidArgumentError("break-glass expires before it starts");
  }
  if (break_glass_.contains(record.id)) return AlreadyExistsError("break-glass id already used");
  AddToIndex(break_glass_of_educator_, record.educator_id, record.id);
  std::string id = record.id;
  break_glass_.emplace(std::move(id), std::move(record));
  return OkStatus();
}

Status AccessState::LinkGuardian(std::string_view guardian_id, std::string_view student_id) {
  RETURN_IF_ERROR(RequireIds({guardian_id, student_id}));
  AddToIndex(students_of_guardian_, guardian_id, student_id);
  AddToIndex(guardians_of_student_, student_id, guardian_id);
  return OkStatus();
}

Status AccessState::UnlinkGuardian(std::string_view guardian_id, std::string_view student_id) {
  RETURN_IF_ERROR(RequireIds({guardian_id, student_id}));
  RemoveFromIndex(students_of_guardian_, guardian_id, student_id);
  RemoveFromIndex(guardians_of_student_, student_id, guardian_id);
  return OkStatus();
}

const User* AccessState::FindUser(std::string_view id) const { return FindIn(users_, id); }
const Student* AccessState::FindStudent(std::string_view id) const { return FindIn(students_, id); }
const Class* AccessState::FindClass(std::string_view id) const { return FindIn(classes_, id); }
const Grant* AccessState::FindGrant(std::string_view id) const { return FindIn(grants_, id); }
const BreakGlass* AccessState::FindBreakGlass(std::string_view id) const {
  return FindIn(break_glass_, id);
}

const IdSet& AccessState::ClassesOfStudent(std::string_view id) const {
  return SetIn(classes_of_student_, id);
}
const IdSet& AccessState::ClassesOfTeacher(std::string_view id) const {
  return SetIn(classes_of_teacher_, id);
}
const IdSet& AccessState::GrantsOfEducator(std::string_view id) const {
  return SetIn(grants_of_educator_, id);
}
const IdSet& AccessState::BreakGlassOfEducator(std::string_view id) const {
  return SetIn(break_glass_of_educator_, id);
}
const IdSet& AccessState::StudentsOfGuardian(std::string_view id) const {
  return SetIn(students_of_guardian_, id);
}
const IdSet& AccessState::GuardiansOfStudent(std::string_view id) const {
  return SetIn(guardians_of_student_, id);
}

}  // namespace backpack
