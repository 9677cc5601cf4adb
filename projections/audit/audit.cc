#include "projections/audit/audit.h"

#include <flatbuffers/flatbuffers.h>

#include "events/schema/payloads_generated.h"
#include "projections/audit/internal/audit_projection.h"
#include "projections/audit/internal/scopes.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"

namespace backpack {
namespace {

using audit_internal::ToFb;

static_assert(static_cast<int>(fb::ReadScope::BreachReport) ==
              static_cast<int>(AccessScope::kBreachReport));

constexpr std::string_view kScopeNames[] = {
    "",       "profile", "profile_history", "restricted_note", "history",
    "export", "search",  "audit_query",     "breach_report"};

bool IsMultiStudentScope(AccessScope scope) {
  return scope == AccessScope::kSearch || scope == AccessScope::kAuditQuery ||
         scope == AccessScope::kBreachReport;
}

fb::AccessOutcome ToFb(AccessOutcome outcome) {
  return outcome == AccessOutcome::kGone ? fb::AccessOutcome::Gone : fb::AccessOutcome::Allowed;
}

Result<NewEvent> ViewedEvent(const Actor& actor, AccessScope scope,
                             const std::vector<StudentAccess>& students, AccessOutcome outcome,
                             const AccessExtra& extra) {
  if (scope == AccessScope::kUnknown) return Err(InvalidArgumentError("a read needs a scope"));
  bool multi = IsMultiStudentScope(scope);
  if (!multi && students.size() != 1) {
    return Err(InvalidArgumentError(std::string(AccessScopeName(scope)) +
                                    " reads cover exactly one student"));
  }
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::AccessedStudent>> listed;
  if (multi) {
    for (const auto& s : students) {
      listed.push_back(
          fb::CreateAccessedStudentDirect(fbb, s.student_id.c_str(), s.reason.c_str()));
    }
  }
  std::string reason = extra.reason.empty() && !multi ? students[0].reason : extra.reason;
  auto payload = fb::CreateRecordViewedPayloadDirect(
      fbb, ToFb(scope), reason.c_str(), ToFb(outcome), actor.client_ip.c_str(),
      extra.note_id.c_str(), extra.query.c_str(),
      extra.search_digest.empty() ? nullptr : &extra.search_digest, multi ? &listed : nullptr,
      extra.result_count);
  fbb.Finish(payload);
  return MakeEvent(EventType::RecordViewed, actor, multi ? "" : students[0].student_id, fbb,
                   /*personal=*/false);  // ids, codes and times only
}

NewEvent DeniedEvent(const Actor& actor, AccessScope scope, std::string_view student_id,
                     std::string_view reason, std::string_view route, std::string_view target_id) {
  flatbuffers::FlatBufferBuilder fbb;
  auto payload = fb::CreateAccessDeniedPayloadDirect(
      fbb, ToFb(scope), std::string(reason).c_str(), std::string(route).c_str(),
      std::string(target_id).c_str(), actor.client_ip.c_str());
  fbb.Finish(payload);
  return MakeEvent(EventType::AccessDenied, actor, student_id, fbb, /*personal=*/false);
}

// Every append failure is reported as kUnavailable: the caller must not
// send data (SPEC: 503 audit_unavailable).
Status AsAuditStatus(const Result<AppendResult>& appended) {
  if (appended) return OkStatus();
  return UnavailableError("the access could not be recorded: " + appended.error().message());
}

}  // namespace

std::string_view AccessScopeName(AccessScope scope) {
  auto index = static_cast<size_t>(scope);
  return index < std::size(kScopeNames) ? kScopeNames[index] : "";
}

std::optional<AccessScope> ParseAccessScope(std::string_view name) {
  for (size_t i = 1; i < std::size(kScopeNames); ++i) {
    if (kScopeNames[i] == name) return static_cast<AccessScope>(i);
  }
  return std::nullopt;
}

struct Audit::Impl {
  explicit Impl(const AuditOptions& options) : projection(options) {}
  audit_internal::AuditProjection projection;
};

Audit::Audit(Services& services, AuditOptions options)
    : services_(services), options_(options), impl_(std::make_unique<Impl>(options)) {}

Audit::~Audit() = default;

Projection* Audit::projection() { return &impl_->projection; }

std::vector<std::string> Audit::SequencedFamilies() {
  using namespace audit_internal;
  return {std::string(kEventsFamily), std::string(kByStudentFamily),
          std::string(kByActorFamily), std::string(kByActionFamily), std::string(kAlertsFamily)};
}

Status Audit::RecordAccess(const Actor& actor, AccessScope scope,
                           std::vector<StudentAccess> students, AccessOutcome outcome,
                           const AccessExtra& extra) {
  ASSIGN_OR_RETURN(NewEvent event, ViewedEvent(actor, scope, students, outcome, extra));
  if (!services_.log) return UnavailableError("the audit log is not open");
  std::vector<NewEvent> events;
  events.push_back(std::move(event));
  return AsAuditStatus(services_.log->Append(std::move(events)));
}

void Audit::RecordAccessAsync(const Actor& actor, AccessScope scope,
                              std::vector<StudentAccess> students, AccessOutcome outcome,
                              const AccessExtra& extra, std::function<void(Status)> done) {
  auto event = ViewedEvent(actor, scope, students, outcome, extra);
  if (!event) return done(event.error());
  if (!services_.log) return done(UnavailableError("the audit log is not open"));
  std::vector<NewEvent> events;
  events.push_back(std::move(*event));
  services_.log->AppendAsync(
      std::move(events),
      [done = std::move(done)](Result<AppendResult> appended) { done(AsAuditStatus(appended)); });
}

Status Audit::RecordDenied(const Actor& actor, AccessScope scope, std::string_view student_id,
                           std::string_view reason, std::string_view route,
                           std::string_view target_id) {
  if (!services_.log) return UnavailableError("the audit log is not open");
  std::vector<NewEvent> events;
  events.push_back(DeniedEvent(actor, scope, student_id, reason, route, target_id));
  return AsAuditStatus(services_.log->Append(std::move(events)));
}

void Audit::RecordDeniedAsync(const Actor& actor, AccessScope scope, std::string_view student_id,
                              std::string_view reason, std::string_view route,
                              std::string_view target_id, std::function<void(Status)> done) {
  if (!services_.log) return done(UnavailableError("the audit log is not open"));
  std::vector<NewEvent> events;
  events.push_back(DeniedEvent(actor, scope, student_id, reason, route, target_id));
  services_.log->AppendAsync(
      std::move(events),
      [done = std::move(done)](Result<AppendResult> appended) { done(AsAuditStatus(appended)); });
}

Bytes Audit::DigestSearchText(std::string_view text) const {
  std::string hex = LookupDigest(services_.keys->index_key, "search", text);
  auto bytes = FromHex(hex);
  return bytes ? *bytes : Bytes();
}

}  // namespace backpack
