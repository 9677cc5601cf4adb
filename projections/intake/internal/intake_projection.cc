#include "projections/intake/internal/intake_projection.h"

#include <flatbuffers/flatbuffers.h>

#include <boost/json.hpp>

#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/intake/internal/rows.h"

namespace backpack::intake {
namespace {

// Kinds whose rows may be about a student, i.e. owned by one in in_rows.
constexpr fb::RecordKind kStudentKinds[] = {
    fb::RecordKind::Student,    fb::RecordKind::Guardian,       fb::RecordKind::Enrollment,
    fb::RecordKind::Attendance, fb::RecordKind::Assessment,     fb::RecordKind::Grade,
    fb::RecordKind::Service,    fb::RecordKind::TeamMembership, fb::RecordKind::StudentVoice,
};

// The in_imports summary of one import; fields in a fixed order.
std::string ImportSummaryJson(const LoggedEvent& event, const fb::ImportCompletedPayload& p) {
  boost::json::object files;
  if (p.files()) {
    for (const auto* file : *p.files()) files[Str(file->file())] = file->rows();
  }
  std::string hash;
  if (p.file_set_hash())
    hash = ToHex(ByteView(p.file_set_hash()->data(), p.file_set_hash()->size()));
  boost::json::object summary;
  summary["import_id"] = Str(p.import_id());
  summary["seq"] = event.header.seq;
  summary["recorded_at_us"] = event.header.recorded_at_us;
  summary["actor_id"] = event.header.actor_id;
  summary["file_set_hash"] = hash;
  summary["events_appended"] = p.events_appended();
  summary["rows_retracted"] = p.rows_retracted();
  summary["files"] = std::move(files);
  return boost::json::serialize(summary);
}

}  // namespace

Result<std::optional<std::string>> LatestImportOfFileSet(Store& store,
                                                         const Hash256& file_set_hash) {
  const std::string wanted = ToHex(file_set_hash);
  ASSIGN_OR_RETURN(auto it, store.NewIterator(kImportsFamily));
  std::optional<std::string> latest;
  uint64_t latest_seq = 0;
  for (it->Seek(AsBytes(kImportKeyPrefix)); it->Valid(); it->Next()) {
    if (!AsChars(it->key()).starts_with(kImportKeyPrefix)) break;
    boost::system::error_code ec;
    boost::json::value summary = boost::json::parse(AsChars(it->value()), ec);
    const boost::json::object* o = ec ? nullptr : summary.if_object();
    const auto* hash = o ? o->if_contains("file_set_hash") : nullptr;
    const auto* id = o ? o->if_contains("import_id") : nullptr;
    const auto* seq_value = o ? o->if_contains("seq") : nullptr;
    const uint64_t seq = seq_value ? seq_value->to_number<uint64_t>(ec) : 0;
    if (!hash || !hash->is_string() || !id || !id->is_string() || !seq_value || ec) {
      return Err(DataLossError("malformed in_imports summary"));
    }
    if (hash->get_string() != wanted || (latest && seq < latest_seq)) continue;
    latest = std::string(id->get_string());
    latest_seq = seq;
  }
  RETURN_IF_ERROR(it->status());
  return latest;
}

std::vector<std::string> IntakeProjection::ColumnFamilies() const {
  return {std::string(kRowsFamily), std::string(kImportsFamily)};
}

Status IntakeProjection::Apply(const LoggedEvent& event, ProjectionTxn& txn) {
  switch (event.header.type) {
    case EventType::RecordShredded:
      return ApplyShredded(event, txn);
    case EventType::RecordRetracted:
      return ApplyRetracted(event, txn);
    case EventType::ImportCompleted:
      return ApplyImportCompleted(event, txn);
    case EventType::UserCreated:
      txn.Put(kImportsFamily, AsBytes(kUsersExistKey), AsBytes("1"));
      return OkStatus();
    default:
      return ApplyRow(event, txn);
  }
}

Status IntakeProjection::ApplyRow(const LoggedEvent& event, ProjectionTxn& txn) {
  ASSIGN_OR_RETURN(auto row,
                   DigestOf(row_key_, event.header.type, event.header.subject_id, event.payload));
  if (!row) return OkStatus();
  RowState state{row->content, event.header.seq, false};
  if (event.header.type == EventType::ServiceDiscontinued) {
    // It changes the held record in place: in_rows keeps naming that record.
    ASSIGN_OR_RETURN(auto value, txn.Get(kRowsFamily, AsBytes(row->key)));
    if (value) {
      auto held = DecodeRowState(*value);
      if (!held) return DataLossError("malformed in_rows value");
      state.seq = held->seq;
    }
  }
  txn.Put(kRowsFamily, AsBytes(row->key), EncodeRowState(state));
  return OkStatus();
}

Status IntakeProjection::ApplyRetracted(const LoggedEvent& event, ProjectionTxn& txn) {
  const auto* p = VerifiedRoot<fb::RecordRetractedPayload>(event.payload);
  if (!p) return DataLossError("RecordRetracted payload fails verification");
  // A replaced row's new version follows in the same import and rewrites its
  // entry; the retracted flag is for rows a full export dropped.
  if (p->replaced()) return OkStatus();
  std::string key =
      RetractedRowKey(row_key_, p->kind(), event.header.subject_id, Str(p->sourced_id()));
  ASSIGN_OR_RETURN(auto value, txn.Get(kRowsFamily, AsBytes(key)));
  if (!value) return OkStatus();
  auto state = DecodeRowState(*value);
  if (!state) return DataLossError("malformed in_rows value");
  state->retracted = true;
  txn.Put(kRowsFamily, AsBytes(key), EncodeRowState(*state));
  return OkStatus();
}

Status IntakeProjection::ApplyImportCompleted(const LoggedEvent& event, ProjectionTxn& txn) {
  const auto* p = VerifiedRoot<fb::ImportCompletedPayload>(event.payload);
  if (!p) return DataLossError("ImportCompleted payload fails verification");
  std::string key = std::string(kImportKeyPrefix) + Str(p->import_id());
  txn.Put(kImportsFamily, AsBytes(key), AsBytes(ImportSummaryJson(event, *p)));
  return OkStatus();
}

Status IntakeProjection::ApplyShredded(const LoggedEvent& event, ProjectionTxn& txn) {
  const std::string& student = event.header.subject_id;
  if (student.empty()) return OkStatus();
  for (fb::RecordKind kind : kStudentKinds) {
    std::vector<std::string> keys;
    RETURN_IF_ERROR(txn.Scan(kRowsFamily, AsBytes(RowKeyPrefix(kind, student)),
                             [&keys](ByteView key, ByteView) {
                               keys.emplace_back(AsChars(key));
                               return true;
                             }));
    for (const auto& key : keys) txn.Delete(kRowsFamily, AsBytes(key));
  }
  return OkStatus();
}

}  // namespace backpack::intake
