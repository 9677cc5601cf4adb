#include "projections/intake/internal/planner.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <unordered_map>

#include "core/parallel.h"
#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/intake/internal/rows.h"

namespace backpack::intake {
namespace {

// Imports of at least this many rows per core digest their rows and compare
// them with in_rows on every core.
constexpr size_t kRowsPerThread = 2048;

// What a row needs, compared with what in_rows remembers.
enum class RowPlan : uint8_t { kShredded, kUnchanged, kNew, kChanged };

// Roster kinds a full export retracts, with their file and its manifest entry.
struct RetractableKind {
  fb::RecordKind kind;
  std::string_view file;
  std::string_view manifest_key;
};
constexpr RetractableKind kRetractable[] = {
    {fb::RecordKind::Org, "orgs.csv", "file.orgs"},
    {fb::RecordKind::Class, "classes.csv", "file.classes"},
    {fb::RecordKind::Student, "users.csv", "file.users"},
    {fb::RecordKind::Guardian, "users.csv", "file.users"},
    {fb::RecordKind::Enrollment, "enrollments.csv", "file.enrollments"},
};

bool IsRetractable(fb::RecordKind kind) {
  for (const auto& r : kRetractable) {
    if (r.kind == kind) return true;
  }
  return false;
}

// Kinds of supplemental rows, each a record of its own in the records
// projection (keyed by the seq of the event that created it): a changed row
// retracts the old record. Roster rows are updated in place instead.
bool IsRecordKind(fb::RecordKind kind) {
  switch (kind) {
    case fb::RecordKind::Attendance:
    case fb::RecordKind::Assessment:
    case fb::RecordKind::Grade:
    case fb::RecordKind::Service:
    case fb::RecordKind::TeamMembership:
    case fb::RecordKind::StudentVoice:
      return true;
    default:
      return false;
  }
}

template <typename T, typename Field>
std::optional<std::string> FieldOf(const Bytes& payload, Field field) {
  const T* table = VerifiedRoot<T>(payload);
  if (!table) return std::nullopt;
  return Str((table->*field)());
}

// The sourcedId RecordRetracted names for the row imported by `event`.
std::optional<std::string> RetractedSourcedId(const LoggedEvent& event) {
  const Bytes& p = event.payload;
  switch (event.header.type) {
    case EventType::OrgImported:
      return FieldOf<fb::OrgImportedPayload>(p, &fb::OrgImportedPayload::sourced_id);
    case EventType::ClassImported:
      return FieldOf<fb::ClassImportedPayload>(p, &fb::ClassImportedPayload::sourced_id);
    case EventType::StudentImported:
      return FieldOf<fb::StudentImportedPayload>(p, &fb::StudentImportedPayload::sourced_id);
    case EventType::GuardianLinked:
      return FieldOf<fb::GuardianLinkedPayload>(p, &fb::GuardianLinkedPayload::guardian_sourced_id);
    case EventType::EnrollmentImported:
      return FieldOf<fb::EnrollmentImportedPayload>(p, &fb::EnrollmentImportedPayload::sourced_id);
    default:
      return std::nullopt;
  }
}

// The digest of every row, computed on every core; the first error in row
// order if any.
Result<std::vector<RowDigest>> DigestRows(const AeadKey& index_key,
                                          const std::vector<RowEvent>& rows) {
  const HmacSha256Key row_key(index_key);
  std::vector<Result<std::optional<RowDigest>>> digested(rows.size());
  ForEachRange(rows.size(), kRowsPerThread, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const NewEvent& e = rows[i].event;
      digested[i] = DigestOf(row_key, e.type, e.subject_id, e.payload);
    }
  });
  std::vector<RowDigest> digests;
  digests.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(auto digest, std::move(digested[i]));
    if (!digest) {
      EventType type = rows[i].event.type;
      return Err(InternalError("not an import event: " + std::string(EventTypeName(type))));
    }
    digests.push_back(std::move(*digest));
  }
  return digests;
}

// For each row, whether a later row of the set has the same in_rows key (and
// so replaces it).
std::vector<char> SupersededRows(const std::vector<RowDigest>& digests) {
  std::vector<char> superseded(digests.size(), 0);
  std::unordered_map<std::string_view, size_t> last_of_key;
  last_of_key.reserve(digests.size());
  for (size_t i = 0; i < digests.size(); ++i) {
    auto [it, inserted] = last_of_key.try_emplace(digests[i].key, i);
    if (!inserted) {
      superseded[it->second] = 1;
      it->second = i;
    }
  }
  return superseded;
}

// Whether subjects were shredded, asking the key ring once per subject.
// One per thread.
class ShreddedSubjects {
 public:
  explicit ShreddedSubjects(DataKeyRing& data_keys) : data_keys_(data_keys) {}
  bool Contains(const std::string& subject) {
    if (subject.empty()) return false;
    auto cached = shredded_.find(subject);
    if (cached != shredded_.end()) return cached->second;
    bool shredded = data_keys_.IsShredded(subject);
    shredded_.emplace(subject, shredded);
    return shredded;
  }

 private:
  DataKeyRing& data_keys_;
  std::unordered_map<std::string, bool> shredded_;
};

// What a row needs, and (kChanged only) what in_rows holds for its key.
struct PlannedRow {
  RowPlan plan = RowPlan::kNew;
  RowState held;
};

// Compares one row with what in_rows remembers of its key.
Result<PlannedRow> PlanRow(Store& store, bool shredded, const RowDigest& digest) {
  if (shredded) return PlannedRow{RowPlan::kShredded, {}};
  ASSIGN_OR_RETURN(auto value, store.Get(kRowsFamily, AsBytes(digest.key)));
  if (!value) return PlannedRow{RowPlan::kNew, {}};
  std::optional<RowState> stored = DecodeRowState(*value);
  if (!stored) return Err(DataLossError("malformed in_rows value"));
  if (!stored->retracted && stored->content == digest.content) {
    return PlannedRow{RowPlan::kUnchanged, {}};
  }
  return PlannedRow{RowPlan::kChanged, *stored};
}

}  // namespace

Planner::Planner(Services& services, EventContext context)
    : services_(services), context_(std::move(context)) {}

Status Planner::AddRows(std::vector<RowEvent> rows) {
  ASSIGN_OR_RETURN(std::vector<RowDigest> digests, DigestRows(services_.keys->index_key, rows));
  std::vector<char> superseded = SupersededRows(digests);
  superseded_ += std::count(superseded.begin(), superseded.end(), 1);
  // Comparing a row with in_rows is a point read, independent of the others.
  std::vector<Result<PlannedRow>> plans(rows.size());
  ForEachRange(rows.size(), kRowsPerThread, [&](size_t begin, size_t end) {
    ShreddedSubjects shredded(*services_.data_keys);
    for (size_t i = begin; i < end; ++i) {
      if (superseded[i]) continue;
      plans[i] = PlanRow(*services_.store, shredded.Contains(rows[i].event.subject_id), digests[i]);
    }
  });
  events_.reserve(events_.size() + rows.size() + 1);  // most rows of a first import are new
  for (size_t i = 0; i < rows.size(); ++i) {
    if (superseded[i]) continue;
    ASSIGN_OR_RETURN(PlannedRow planned, std::move(plans[i]));
    if (IsRetractable(digests[i].kind)) present_keys_.insert(std::move(digests[i].key));
    switch (planned.plan) {
      case RowPlan::kShredded:
        ++skipped_shredded_;
        break;
      case RowPlan::kUnchanged:
        ++unchanged_;
        break;
      case RowPlan::kNew:
        if (rows[i].first_if_new) events_.push_back(std::move(*rows[i].first_if_new));
        events_.push_back(std::move(rows[i].event));
        break;
      case RowPlan::kChanged:
        RETURN_IF_ERROR(AddChanged(std::move(rows[i]), digests[i].kind, planned.held));
        break;
    }
  }
  return OkStatus();
}

Status Planner::AddChanged(RowEvent row, fb::RecordKind kind, const RowState& held) {
  if (IsRecordKind(kind) && !held.retracted) {
    bool ends_ongoing = false;
    if (row.event.type == EventType::ServiceDiscontinued) {
      // The held service ends: ServiceDiscontinued alone updates its record.
      const HmacSha256Key row_key(services_.keys->index_key);
      ASSIGN_OR_RETURN(ends_ongoing, EndsOngoingService(row_key, held.content, row.event.payload));
    }
    if (!ends_ongoing) {
      events_.push_back(ReplacementEvent(kind, row.event.subject_id, held.seq));
      ++replaced_;
      if (row.first_if_new) events_.push_back(std::move(*row.first_if_new));
    }
  }
  events_.push_back(std::move(row.event));
  return OkStatus();
}

Status Planner::AddRetractions(const imports::ImportSet& set) {
  for (const auto& r : kRetractable) {
    auto mode = set.manifest.find(std::string(r.manifest_key));
    if (mode == set.manifest.end() || mode->second != "bulk") continue;
    RETURN_IF_ERROR(RetractMissing(r.kind, r.file));
  }
  return OkStatus();
}

Status Planner::RetractMissing(fb::RecordKind kind, std::string_view file) {
  std::string prefix = RowKeyPrefix(kind, std::nullopt);
  ASSIGN_OR_RETURN(auto it, services_.store->NewIterator(kRowsFamily));
  std::vector<std::pair<std::string, uint64_t>> missing;  // owner, seq
  uint64_t present = 0;                                   // rows held that the set has again
  for (it->Seek(AsBytes(prefix)); it->Valid(); it->Next()) {
    std::string_view key = AsChars(it->key());
    if (!key.starts_with(prefix)) break;
    if (present_keys_.contains(std::string(key))) {
      ++present;
      continue;
    }
    auto state = DecodeRowState(it->value());
    if (!state) return DataLossError("malformed in_rows value");
    if (!state->retracted) missing.emplace_back(RowKeyOwner(it->key()), state->seq);
  }
  RETURN_IF_ERROR(it->status());
  retractions_.push_back({kind, file, present + missing.size(), missing.size()});
  for (const auto& [owner, seq] : missing) {
    ASSIGN_OR_RETURN(NewEvent event, RetractionEvent(kind, owner, seq));
    events_.push_back(std::move(event));
    ++retracted_;
  }
  return OkStatus();
}

Result<NewEvent> Planner::RetractionEvent(fb::RecordKind kind, const std::string& owner,
                                          uint64_t seq) {
  ASSIGN_OR_RETURN(LoggedEvent imported, services_.log->Read(seq));
  std::optional<std::string> sourced_id = RetractedSourcedId(imported);
  if (imported.shredded || !sourced_id) {
    return Err(DataLossError("in_rows names seq " + std::to_string(seq) +
                             ", which is not a readable import event"));
  }
  return RetractedEvent(kind, owner, *sourced_id, seq, false);
}

NewEvent Planner::ReplacementEvent(fb::RecordKind kind, const std::string& owner, uint64_t seq) {
  return RetractedEvent(kind, owner, "", seq, true);  // supplemental rows have no sourcedId
}

NewEvent Planner::RetractedEvent(fb::RecordKind kind, const std::string& owner,
                                 const std::string& sourced_id, uint64_t seq, bool replaced) {
  flatbuffers::FlatBufferBuilder fbb(128);
  auto root = fb::CreateRecordRetractedPayload(fbb, kind, fbb.CreateString(sourced_id), seq,
                                               fbb.CreateString(context_.import_id), replaced);
  fbb.Finish(root);
  Bytes payload(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return MakeEvent(context_, EventType::RecordRetracted, owner, std::move(payload), !owner.empty());
}

std::vector<NewEvent> Planner::Finish(const imports::ImportSet& set) {
  if (events_.empty()) return {};
  flatbuffers::FlatBufferBuilder fbb(512);
  std::vector<flatbuffers::Offset<fb::ImportFileCount>> files;
  for (const auto& [file, rows] : set.row_counts) {
    files.push_back(fb::CreateImportFileCount(fbb, fbb.CreateString(file), rows));
  }
  auto root = fb::CreateImportCompletedPayload(
      fbb, fbb.CreateString(context_.import_id),
      fbb.CreateVector(set.file_set_hash.data(), set.file_set_hash.size()), fbb.CreateVector(files),
      events_.size() + 1, retracted_);
  fbb.Finish(root);
  Bytes payload(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  events_.push_back(MakeEvent(context_, EventType::ImportCompleted, "", std::move(payload), false));
  return std::move(events_);
}

}  // namespace backpack::intake
