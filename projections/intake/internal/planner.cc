#include "projections/intake/internal/planner.h"

#include <flatbuffers/flatbuffers.h>

#include "core/parallel.h"
#include "events/schema/payloads_generated.h"
#include "projections/intake/internal/rows.h"

namespace backpack::intake {
namespace {

// Imports of at least this many rows per core digest their rows on every core.
constexpr size_t kDigestRowsPerThread = 2048;

// Roster kinds a full export retracts, with the manifest entry of their file.
struct RetractableKind {
  fb::RecordKind kind;
  std::string_view manifest_key;
};
constexpr RetractableKind kRetractable[] = {
    {fb::RecordKind::Org, "file.orgs"},
    {fb::RecordKind::Class, "file.classes"},
    {fb::RecordKind::Student, "file.users"},
    {fb::RecordKind::Guardian, "file.users"},
    {fb::RecordKind::Enrollment, "file.enrollments"},
};

bool IsRetractable(fb::RecordKind kind) {
  for (const auto& r : kRetractable) {
    if (r.kind == kind) return true;
  }
  return false;
}

template <typename T>
const T* Verified(const Bytes& payload) {
  flatbuffers::Verifier verifier(payload.data(), payload.size());
  if (!verifier.VerifyBuffer<T>(nullptr)) return nullptr;
  return flatbuffers::GetRoot<T>(payload.data());
}

template <typename T, typename Field>
std::optional<std::string> FieldOf(const Bytes& payload, Field field) {
  const T* table = Verified<T>(payload);
  if (!table) return std::nullopt;
  const flatbuffers::String* value = (table->*field)();
  return value ? value->str() : std::string();
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

}  // namespace

Planner::Planner(Services& services, EventContext context)
    : services_(services), context_(std::move(context)) {}

Result<bool> Planner::IsShredded(const std::string& subject) {
  if (subject.empty()) return false;
  auto cached = shredded_.find(subject);
  if (cached != shredded_.end()) return cached->second;
  bool shredded = services_.data_keys->IsShredded(subject);
  shredded_.emplace(subject, shredded);
  return shredded;
}

Status Planner::AddRows(const std::vector<RowEvent>& rows) {
  const AeadKey& index_key = services_.keys->index_key;
  // Digesting is a keyed hash per row, independent of the others: a school
  // year of rows is digested on every core.
  std::vector<Result<std::optional<RowDigest>>> digested(rows.size());
  ForEachRange(rows.size(), kDigestRowsPerThread, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const NewEvent& e = rows[i].event;
      digested[i] = DigestOf(index_key, e.type, e.subject_id, e.payload);
    }
  });
  std::vector<RowDigest> digests;
  digests.reserve(rows.size());
  std::unordered_map<std::string, size_t> last_of_key;
  for (size_t i = 0; i < rows.size(); ++i) {
    const NewEvent& e = rows[i].event;
    ASSIGN_OR_RETURN(auto digest, std::move(digested[i]));
    if (!digest) return InternalError("not an import event: " + std::string(EventTypeName(e.type)));
    last_of_key[digest->key] = i;
    digests.push_back(std::move(*digest));
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (last_of_key[digests[i].key] != i) continue;
    if (IsRetractable(digests[i].kind)) present_keys_.insert(digests[i].key);
    RETURN_IF_ERROR(AddRow(rows[i], digests[i].key, digests[i].content));
  }
  return OkStatus();
}

Status Planner::AddRow(const RowEvent& row, const std::string& key, const Hash256& content) {
  ASSIGN_OR_RETURN(bool shredded, IsShredded(row.event.subject_id));
  if (shredded) {
    ++skipped_shredded_;
    return OkStatus();
  }
  ASSIGN_OR_RETURN(auto value, services_.store->Get(kRowsFamily, AsBytes(key)));
  std::optional<RowState> stored;
  if (value) {
    stored = DecodeRowState(*value);
    if (!stored) return DataLossError("malformed in_rows value");
  }
  if (stored && !stored->retracted && stored->content == content) {
    ++unchanged_;
    return OkStatus();
  }
  if (!stored && row.first_if_new) events_.push_back(*row.first_if_new);
  events_.push_back(row.event);
  return OkStatus();
}

Status Planner::AddRetractions(const imports::ImportSet& set) {
  for (const auto& r : kRetractable) {
    auto mode = set.manifest.find(std::string(r.manifest_key));
    if (mode == set.manifest.end() || mode->second != "bulk") continue;
    RETURN_IF_ERROR(RetractMissing(r.kind));
  }
  return OkStatus();
}

Status Planner::RetractMissing(fb::RecordKind kind) {
  std::string prefix = RowKeyPrefix(kind, std::nullopt);
  ASSIGN_OR_RETURN(auto it, services_.store->NewIterator(kRowsFamily));
  std::vector<std::pair<std::string, uint64_t>> missing;  // owner, seq
  for (it->Seek(AsBytes(prefix)); it->Valid(); it->Next()) {
    std::string_view key = AsChars(it->key());
    if (!key.starts_with(prefix)) break;
    if (present_keys_.contains(std::string(key))) continue;
    auto state = DecodeRowState(it->value());
    if (!state) return DataLossError("malformed in_rows value");
    if (!state->retracted) missing.emplace_back(RowKeyOwner(it->key()), state->seq);
  }
  RETURN_IF_ERROR(it->status());
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
  flatbuffers::FlatBufferBuilder fbb(128);
  auto root = fb::CreateRecordRetractedPayload(fbb, kind, fbb.CreateString(*sourced_id), seq,
                                               fbb.CreateString(context_.import_id));
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
