#include "projections/family/family.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "projections/family/internal/iso_time.h"
#include "projections/family/internal/projection.h"
#include "projections/family/internal/reads.h"
#include "projections/family/internal/records.h"

namespace backpack {

struct Family::Impl {
  family::FamilyProjection projection;
};

std::string_view FamilyRequestKindName(FamilyRequestKind kind) {
  switch (kind) {
    case FamilyRequestKind::kInspection:
      return "inspection";
    case FamilyRequestKind::kCorrection:
      return "correction";
    case FamilyRequestKind::kDeletion:
      return "deletion";
  }
  return "";
}

Family::Family(Services& services) : services_(services), impl_(std::make_unique<Impl>()) {
  // The subject index is not a projection family (internal/projection.h),
  // so the Domain does not create it; it must exist before the first Apply.
  if (services_.store) {
    Status s = family::EnsureSubjectIndex(*services_.store);
    if (!s.ok()) spdlog::error("family: cannot create the subject index: {}", s.ToString());
  }
}

Family::~Family() = default;

Projection* Family::projection() { return &impl_->projection; }

std::vector<std::string> Family::SequencedFamilies() {
  return {std::string(family::kSubjectEvents), std::string(family::kDisclosures)};
}

namespace {

Status ShreddedRequestError() {
  return GoneError("the student's record was already shredded, and this request with it");
}

}  // namespace

Result<FamilyRequest> Family::FindRequest(std::string_view request_id) const {
  auto request = family::ReadRequest(*services_.store, *services_.data_keys, request_id);
  if (!request && request.error().code() == StatusCode::kGone) return Err(ShreddedRequestError());
  if (!request) return Err(request.error());
  if (*request) return std::move(**request);
  ASSIGN_OR_RETURN(auto shredded, ShreddedRequestStudent(request_id));
  return Err(shredded ? ShreddedRequestError() : NotFoundError("no such request"));
}

Result<std::optional<std::string>> Family::ShreddedRequestStudent(
    std::string_view request_id) const {
  return family::ReadShreddedRequest(*services_.store, request_id);
}

Result<bool> Family::WasGuardianAtShred(std::string_view student_id,
                                        std::string_view user_id) const {
  return family::ReadShreddedGuardian(*services_.store, student_id, user_id);
}

namespace {

// The requests `ids` name, in that order; those of shredded students (gone,
// or being shredded) are skipped.
Result<std::vector<FamilyRequest>> OpenRequests(const Services& services,
                                                const std::vector<std::string>& ids) {
  std::vector<FamilyRequest> out;
  for (const std::string& id : ids) {
    auto request = family::ReadRequest(*services.store, *services.data_keys, id);
    if (!request && request.error().code() == StatusCode::kGone) continue;
    if (!request) return Err(request.error());
    if (*request) out.push_back(std::move(**request));
  }
  return out;
}

// Sorts `requests` by one of their sequence numbers (when requested, decided, ...).
void SortBy(std::vector<FamilyRequest>& requests, uint64_t FamilyRequest::*seq) {
  std::stable_sort(
      requests.begin(), requests.end(),
      [seq](const FamilyRequest& a, const FamilyRequest& b) { return a.*seq < b.*seq; });
}

}  // namespace

Result<std::vector<FamilyRequest>> Family::Requests(std::string_view student_id) const {
  ASSIGN_OR_RETURN(auto states, family::ReadRequestStates(*services_.store, student_id));
  std::vector<std::string> ids;
  for (const auto& [id, state] : states) ids.push_back(id);
  ASSIGN_OR_RETURN(std::vector<FamilyRequest> out, OpenRequests(services_, ids));
  SortBy(out, &FamilyRequest::requested_seq);
  return out;
}

boost::json::object FamilyRequestJson(const FamilyRequest& request) {
  boost::json::object out = family::RequestToJson(request);
  out["student_id"] = request.student_id;
  return out;
}

Result<std::vector<FamilyRequest>> Family::ListRequests(std::optional<FamilyRequestKind> kind,
                                                        std::string_view status) const {
  auto wanted = [&](const family::RequestState& state) {
    return (!kind || state.kind == FamilyRequestKindName(*kind)) &&
           (status.empty() || state.status == status);
  };
  ASSIGN_OR_RETURN(auto ids, family::FindRequestIds(*services_.store, wanted));
  ASSIGN_OR_RETURN(std::vector<FamilyRequest> out, OpenRequests(services_, ids));
  SortBy(out, &FamilyRequest::requested_seq);
  return out;
}

namespace {

// The kind a request id names (NewId's prefix), if any.
std::optional<FamilyRequestKind> KindOfRequestId(std::string_view id) {
  for (FamilyRequestKind kind : {FamilyRequestKind::kInspection, FamilyRequestKind::kCorrection,
                                 FamilyRequestKind::kDeletion}) {
    std::string_view prefix = kind == FamilyRequestKind::kInspection   ? "insp_"
                              : kind == FamilyRequestKind::kCorrection ? "corr_"
                                                                       : "del_";
    if (id.starts_with(prefix)) return kind;
  }
  return std::nullopt;
}

}  // namespace

boost::json::object ShreddedFamilyRequestJson(const ShreddedFamilyRequest& request) {
  return {{"id", request.id},
          {"student_id", request.student_id},
          {"kind", FamilyRequestKindName(request.kind)},
          {"status", request.status},
          {"shredded", true},
          {"shredded_seq", request.shredded_seq},
          {"shredded_at", family::IsoTime(request.shredded_at_us)}};
}

Result<std::vector<ShreddedFamilyRequest>> Family::ListShreddedRequests(
    std::optional<FamilyRequestKind> kind, std::string_view status,
    std::string_view student_id) const {
  ASSIGN_OR_RETURN(auto entries, family::ReadShreddedRequests(*services_.store));
  std::map<std::string, family::ShredMarker, std::less<>> markers;  // by student
  std::vector<ShreddedFamilyRequest> out;
  for (auto& [id, student] : entries) {
    std::optional<FamilyRequestKind> request_kind = KindOfRequestId(id);
    if (!request_kind || (kind && *request_kind != *kind)) continue;
    if (!student_id.empty() && student != student_id) continue;
    auto marker = markers.find(student);
    if (marker == markers.end()) {
      ASSIGN_OR_RETURN(auto read, family::ReadShredMarker(*services_.store, student));
      if (!read) continue;  // written with the marker, in the same batch
      marker = markers.emplace(student, std::move(*read)).first;
    }
    std::string request_status(id == marker->second.request_id ? "approved"
                                                               : kShreddedRequestStatus);
    if (!status.empty() && request_status != status) continue;
    out.push_back({std::move(id), *request_kind, std::move(student), std::move(request_status),
                   marker->second.seq, marker->second.at_us});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.shredded_seq < b.shredded_seq;  // ids are in order within a shred
  });
  return out;
}

std::vector<FamilyRequest> Family::Statements(std::vector<FamilyRequest> requests) {
  std::erase_if(requests, [](const FamilyRequest& r) { return r.statement.empty(); });
  SortBy(requests, &FamilyRequest::statement_seq);
  return requests;
}

std::vector<FamilyRequest> Family::Amendments(std::vector<FamilyRequest> requests) {
  std::erase_if(requests, [](const FamilyRequest& r) {
    return r.kind != FamilyRequestKind::kCorrection || r.status != kCorrectionAmended;
  });
  SortBy(requests, &FamilyRequest::decided_seq);
  return requests;
}

Result<bool> Family::HasLegalHold(std::string_view student_id) const {
  ASSIGN_OR_RETURN(auto states, family::ReadRequestStates(*services_.store, student_id));
  return std::any_of(states.begin(), states.end(), [](const auto& entry) {
    return entry.second.kind == "inspection" && entry.second.status == "pending";
  });
}

Result<std::optional<FamilyRequest>> Family::PendingRequest(std::string_view student_id,
                                                            FamilyRequestKind kind) const {
  ASSIGN_OR_RETURN(auto requests, Requests(student_id));  // oldest first
  for (FamilyRequest& r : requests) {
    if (r.kind == kind && r.status == "pending") return std::move(r);
  }
  return std::optional<FamilyRequest>();
}

Result<bool> Family::IsShredded(std::string_view student_id) const {
  return family::ReadShredded(*services_.store, student_id);
}

Status Family::Recover() {
  size_t completed = 0;
  RETURN_IF_ERROR(family::CompleteShreds(*services_.store, *services_.data_keys, &completed));
  if (completed > 0) spdlog::warn("family: completed {} interrupted shred(s)", completed);
  return OkStatus();
}

}  // namespace backpack
