// RosterCommands: grants, break-glass and student search.
#include <algorithm>
#include <optional>
#include <tuple>

#include "events/schema/payloads_generated.h"
#include "projections/ids.h"
#include "projections/roster/internal/command_util.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_impl.h"
#include "projections/roster/internal/search_fold.h"
#include "projections/roster/roster_commands.h"

namespace backpack {
namespace {

using roster::RequireReason;
using roster::StoreReader;

// `unknown` for no such account, `wrong` for one that is not an enabled educator.
Status RequireEnabledEducator(const Roster& roster, std::string_view user_id, StatusCode unknown,
                              StatusCode wrong) {
  auto user = roster.FindUser(user_id);
  if (!user && user.error().code() != StatusCode::kNotFound) return user.error();
  if (!user) return Status(unknown, "no such educator account");
  if (user->role != Role::kEducator || user->disabled) {
    return Status(wrong, "not an enabled educator account");
  }
  return OkStatus();
}

// Checks the scope's target exists; a student scope gets the resolved id.
Status ResolveScope(Services& s, GrantScope& scope) {
  switch (scope.kind) {
    case GrantScopeKind::kStudent: {
      ASSIGN_OR_RETURN(scope.id, s.roster->ResolveStudent(scope.id));
      return OkStatus();
    }
    case GrantScopeKind::kClass: {
      const auto& shared = RosterInternals::Of(*s.roster).shared;
      std::shared_lock lock(shared.mu);
      if (!shared.state.access.FindClass(scope.id)) return NotFoundError("no such class");
      return OkStatus();
    }
    case GrantScopeKind::kSchoolGrades: {
      IdSet grades;
      for (const std::string& g : scope.grades) {
        if (std::string n = NormalizeGrade(g); !n.empty()) grades.insert(n);
      }
      if (grades.empty()) return InvalidArgumentError("a school grant needs grades");
      scope.grades = std::move(grades);
      StoreReader reader(*s.store, *s.data_keys);
      ASSIGN_OR_RETURN(auto org, roster::ReadOrg(reader.txn(), scope.id));
      if (!org) return NotFoundError("no such school");
      return OkStatus();
    }
  }
  return InvalidArgumentError("unknown grant scope");
}

fb::GrantScope ToFbScope(GrantScopeKind kind) {
  switch (kind) {
    case GrantScopeKind::kStudent:
      return fb::GrantScope::Student;
    case GrantScopeKind::kClass:
      return fb::GrantScope::Class;
    case GrantScopeKind::kSchoolGrades:
      return fb::GrantScope::SchoolGrades;
  }
  return fb::GrantScope::Unknown;
}

Bytes GrantPayload(const std::string& id, const GrantRequest& r, const GrantScope& scope) {
  flatbuffers::FlatBufferBuilder fbb;
  bool student = scope.kind == GrantScopeKind::kStudent;
  bool klass = scope.kind == GrantScopeKind::kClass;
  bool school = scope.kind == GrantScopeKind::kSchoolGrades;
  auto grant_id = fbb.CreateString(id);
  auto educator = fbb.CreateString(r.educator_id);
  auto student_id = fbb.CreateString(student ? scope.id : "");
  auto class_id = fbb.CreateString(klass ? scope.id : "");
  auto school_id = fbb.CreateString(school ? scope.id : "");
  auto grades = roster::StringVector(fbb, scope.grades);
  auto reason = fbb.CreateString(std::string(roster::TrimSpace(r.reason)));
  fbb.Finish(fb::CreateAccessGrantedPayload(fbb, grant_id, educator, ToFbScope(scope.kind),
                                            student_id, class_id, school_id, grades,
                                            r.expires_at_us.value_or(0), reason));
  return roster::FinishPayload(fbb);
}

// True if every one of `words` (roster::SearchWords) is in the student's
// given, family or preferred name or sourcedId, in any order: "Bailey Kevin"
// finds Kevin Bailey as "Kevin Bailey" does. No words match every student.
bool Matches(const StudentInfo& s, const std::vector<std::string>& words) {
  if (words.empty()) return true;
  const std::string fields[] = {
      roster::FoldForSearch(s.given_name), roster::FoldForSearch(s.family_name),
      roster::FoldForSearch(s.preferred_name), roster::FoldForSearch(s.sourced_id)};
  return std::all_of(words.begin(), words.end(), [&fields](const std::string& word) {
    return std::any_of(std::begin(fields), std::end(fields), [&word](const std::string& field) {
      return field.find(word) != std::string::npos;
    });
  });
}

}  // namespace

Result<std::string> RosterCommands::Grant(const Actor& actor, const GrantRequest& request) {
  RETURN_IF_ERROR(RequireEnabledEducator(*services_.roster, request.educator_id,
                                         StatusCode::kNotFound, StatusCode::kInvalidArgument));
  RETURN_IF_ERROR(RequireReason(request.reason, 1));
  if (request.expires_at_us && *request.expires_at_us <= services_.clock->NowMicros()) {
    return Err(InvalidArgumentError("the grant would expire in the past"));
  }
  GrantScope scope = request.scope;
  RETURN_IF_ERROR(ResolveScope(services_, scope));
  std::string id = NewId("grant");
  // The reason is an admin's free text, so the event is always sealed: a
  // student's grant under the student's key (it is on their record), a class
  // or school grant under the grantee educator's (the person it is about).
  bool about_student = scope.kind == GrantScopeKind::kStudent;
  RETURN_IF_ERROR(roster::AppendOne(
      services_, roster::MakeEvent(EventType::AccessGranted, actor,
                                   about_student ? scope.id : request.educator_id,
                                   GrantPayload(id, request, scope), /*personal=*/true)));
  return id;
}

Status RosterCommands::Revoke(const Actor& actor, std::string_view grant_id,
                              std::string_view reason) {
  StoreReader reader(*services_.store, *services_.data_keys);
  ASSIGN_OR_RETURN(auto grant, roster::ReadGrant(reader.txn(), grant_id));
  if (!grant) return NotFoundError("no such grant");
  if (grant->revoked) return OkStatus();
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAccessRevokedPayloadDirect(fbb, std::string(grant_id).c_str(),
                                                  std::string(reason).c_str()));
  Bytes payload = roster::FinishPayload(fbb);
  // A student's grant is revoked on their record, as it was granted (its
  // reason encrypted under the student's key), so that the family's history
  // shows both. Any other grant, and one of a shredded student's, is revoked
  // under the grantee educator's key, as a class or school grant is granted.
  if (grant->scope.kind == GrantScopeKind::kStudent) {
    Status on_record = roster::AppendOne(
        services_, roster::MakeEvent(EventType::AccessRevoked, actor, grant->scope.id, payload,
                                     /*personal=*/true));
    if (on_record.code() != StatusCode::kGone) return on_record;
  }
  return roster::AppendOne(services_,
                           roster::MakeEvent(EventType::AccessRevoked, actor, grant->educator_id,
                                             std::move(payload), /*personal=*/true));
}

Result<BreakGlassStart> RosterCommands::StartBreakGlass(const Actor& actor,
                                                        std::string_view educator_id,
                                                        std::string_view student_id,
                                                        std::string_view reason) {
  RETURN_IF_ERROR(RequireReason(reason, kMinBreakGlassReasonLength));
  RETURN_IF_ERROR(RequireEnabledEducator(*services_.roster, educator_id,
                                         StatusCode::kPermissionDenied,
                                         StatusCode::kPermissionDenied));
  ASSIGN_OR_RETURN(std::string student, services_.roster->ResolveStudent(student_id));
  BreakGlassStart start{NewId("bg"), services_.clock->NowMicros() + kBreakGlassDurationMicros};
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateBreakGlassStartedPayloadDirect(
      fbb, start.id.c_str(), std::string(educator_id).c_str(), student.c_str(),
      std::string(roster::TrimSpace(reason)).c_str(), start.expires_at_us));
  RETURN_IF_ERROR(
      roster::AppendOne(services_, roster::MakeEvent(EventType::BreakGlassStarted, actor, student,
                                                     roster::FinishPayload(fbb), true)));
  return start;
}

Result<std::vector<StudentSearchHit>> RosterCommands::Search(std::string_view user_id,
                                                             std::string_view query, int64_t now_us,
                                                             size_t limit,
                                                             std::string_view after) const {
  const std::vector<std::string> words = roster::SearchWords(query);
  // Each match with why it may be read, ordered by (family name, given name) as
  // searched, then id.
  using Order = std::tuple<std::string, std::string, std::string>;
  struct Found {
    Order order;
    StudentInfo student;
    std::string reason;
  };
  std::vector<Found> found;
  std::optional<Order> start;  // the order of `after`
  for (auto& [id, reason] : services_.roster->AccessibleStudents(user_id, now_us)) {
    auto student = services_.roster->FindStudent(id);
    if (!student) continue;  // shredded since the decision
    auto order = std::make_tuple(roster::FoldForSearch(student->family_name),
                                 roster::FoldForSearch(student->given_name), student->id);
    if (!after.empty() && student->id == after) start = order;
    if (!Matches(*student, words)) continue;
    found.push_back({std::move(order), std::move(*student), std::move(reason)});
  }
  if (!after.empty() && !start) {
    return Err(InvalidArgumentError("invalid cursor: not a student of an earlier page"));
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.order < b.order; });
  std::vector<StudentSearchHit> hits;
  for (auto& [order, s, reason] : found) {
    if (hits.size() >= limit) break;
    if (start && order <= *start) continue;
    hits.push_back(StudentSearchHit{s.id, s.DisplayName(), s.grade, s.school_id, s.school_name,
                                    std::move(reason)});
  }
  return hits;
}

}  // namespace backpack
