#include "projections/intake/intake.h"

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "projections/ids.h"
#include "projections/intake/internal/dates.h"
#include "projections/intake/internal/intake_projection.h"
#include "projections/intake/internal/planner.h"

namespace backpack {
namespace {

// Serialises imports in this process, so that what one import plans from
// in_rows is still true when it appends.
std::mutex& ImportMutex() {
  static std::mutex mu;
  return mu;
}

// How a refusal names the rows of a retractable kind.
std::string_view KindNoun(fb::RecordKind kind) {
  switch (kind) {
    case fb::RecordKind::Org:
      return "organisations";
    case fb::RecordKind::Class:
      return "classes";
    case fb::RecordKind::Student:
      return "students";
    case fb::RecordKind::Guardian:
      return "guardian links";
    case fb::RecordKind::Enrollment:
      return "enrollments";
    default:
      return "rows";
  }
}

// One problem per file (line 0: the whole file, in file name order) whose
// planned retractions empty more than half of the rows held of one of its
// kinds (see ImportOptions; each kind judged on its own), naming the kinds,
// their counts and the override. Empty if the set may be imported.
imports::ImportErrors MassRetractions(const intake::Planner& planner) {
  std::map<std::string_view, std::string> refused;  // file -> "27 of the 30 students, ..."
  for (const auto& r : planner.retractions()) {
    if (r.held < kMassRetractionMinRows || r.retracted * 2 <= r.held) continue;
    std::string& counts = refused[r.file];
    if (!counts.empty()) counts += ", ";
    counts += std::to_string(r.retracted) + " of the " + std::to_string(r.held) + " " +
              std::string(KindNoun(r.kind));
  }
  imports::ImportErrors problems;
  for (const auto& [file, counts] : refused) {
    problems.Add(std::string(file), 0,
                 "would retract more than half of what is held: " + counts +
                     ". Is it a partial export? Nothing was imported. If the retractions are "
                     "meant (a new school year replaces most classes and enrollments), import it "
                     "with --allow-mass-retraction (HTTP: ?allow_mass_retraction=true)");
  }
  return problems;
}

// One problem per demographics row whose birthDate is after `today` (the
// store's clock, UTC): a typo the parser's year bounds let through, such as
// 2099 for 2009. Messages name no value (a birth date is personal data).
imports::ImportErrors FutureBirthDates(const imports::ImportSet& set, const std::string& today) {
  imports::ImportErrors problems;
  for (const imports::Demographics& d : set.demographics) {
    // ISO 8601 dates order as text.
    if (d.birth_date > today)
      problems.Add(d.source.file, d.source.line, "birthDate: in the future");
  }
  return problems;
}

// ok if `problems` is empty; else the refusal (kUnprocessable, their
// `file:line: message` lines), the problems also put in `refusal` if given.
Status Refuse(imports::ImportErrors problems, imports::ImportErrors* refusal) {
  if (problems.empty()) return OkStatus();
  Status refused = problems.ToStatus();
  if (refusal) *refusal = std::move(problems);
  return refused;
}

intake::EventContext NewEventContext(Services& services, const Actor& actor) {
  intake::EventContext context;
  context.index_key = &services.keys->index_key;
  context.import_id = NewId("imp");
  context.actor_id = actor.user_id;
  context.request_id = actor.request_id;
  context.today = intake::UtcDateOf(services.clock->NowMicros());
  return context;
}

// Plans `set` and, unless `options.dry_run`, appends its events. kGone from
// the log means a student of the set was shredded after it was planned.
Result<ImportReport> PlanAndAppend(Services& services, const imports::ImportSet& set,
                                   const intake::EventContext& context, ImportOptions options,
                                   imports::ImportErrors* refusal) {
  std::vector<intake::RowEvent> rows;
  // About one event per row read: reserved once rather than grown file by file.
  size_t rows_read = 0;
  for (const auto& [file, count] : set.row_counts) rows_read += count;
  rows.reserve(rows_read);
  uint64_t skipped_deleted = intake::AppendRosterEvents(set, context, rows);
  skipped_deleted += intake::AppendRecordEvents(set, context, rows);
  intake::Planner planner(services, context);
  RETURN_IF_ERROR(planner.AddRows(std::move(rows)));
  RETURN_IF_ERROR(planner.AddRetractions(set));
  if (!options.allow_mass_retraction) RETURN_IF_ERROR(Refuse(MassRetractions(planner), refusal));
  std::vector<NewEvent> events = planner.Finish(set);

  ImportReport report;
  report.unchanged = planner.unchanged();
  report.skipped_shredded = planner.skipped_shredded();
  report.skipped_deleted = skipped_deleted;
  report.superseded = planner.superseded();
  if (events.empty()) {
    ASSIGN_OR_RETURN(auto earlier,
                     intake::LatestImportOfFileSet(*services.store, set.file_set_hash));
    report.import_id = earlier.value_or("");
    return report;
  }
  report.events_appended = events.size();
  report.retracted = planner.retracted();
  report.replaced = planner.replaced();
  if (options.dry_run) return report;
  auto appended = services.log->Append(std::move(events));
  if (!appended) return Err(appended.error());
  report.import_id = context.import_id;
  return report;
}

// How many times an import is planned again after a shred overtook it.
constexpr int kPlansAfterShred = 8;

}  // namespace

// A student of the set may be shredded between planning and appending (the
// one change imports do not serialise with): the log then refuses the whole
// append (kGone, nothing appended), since it takes no personal event about a
// student after the student's RecordShredded. The set is then planned again,
// which skips the shredded student's rows (skipped_shredded), so that an
// import overtaken by a shred ends as one planned after it. Each kGone means
// another shred was committed meanwhile, so this ends; the bound is a guard.
Result<ImportReport> Import(Services& services, const imports::ImportSet& set, const Actor& actor,
                            ImportOptions options, imports::ImportErrors* refusal) {
  if (!services.log) return Err(FailedPreconditionError("the event log is not open"));
  std::lock_guard lock(ImportMutex());
  const intake::EventContext context = NewEventContext(services, actor);
  RETURN_IF_ERROR(Refuse(FutureBirthDates(set, context.today), refusal));
  Result<ImportReport> report = Err(InternalError("not planned"));
  for (int plan = 0; plan < kPlansAfterShred; ++plan) {
    report = PlanAndAppend(services, set, context, options, refusal);
    if (report || report.error().code() != StatusCode::kGone) break;
  }
  return report;
}

Intake::Intake(Services& services)
    : services_(services), projection_(std::make_unique<intake::IntakeProjection>(services)) {}

Intake::~Intake() = default;

Projection* Intake::projection() { return projection_.get(); }

Result<ImportReport> Intake::Import(const imports::ImportSet& set, const Actor& actor,
                                    ImportOptions options, imports::ImportErrors* refusal) {
  return backpack::Import(services_, set, actor, options, refusal);
}

Result<bool> Intake::HasUsers() const {
  ASSIGN_OR_RETURN(auto value,
                   services_.store->Get(intake::kImportsFamily, AsBytes(intake::kUsersExistKey)));
  return value.has_value();
}

Result<bool> Intake::HasImports() const {
  ASSIGN_OR_RETURN(auto it, services_.store->NewIterator(intake::kImportsFamily));
  it->Seek(AsBytes(intake::kImportKeyPrefix));
  if (!it->Valid()) {
    RETURN_IF_ERROR(it->status());
    return false;
  }
  return AsChars(it->key()).starts_with(intake::kImportKeyPrefix);
}

}  // namespace backpack
