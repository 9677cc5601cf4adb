// Intake: turns a parsed OneRoster set (imports/import_set.h) into events,
// atomically and idempotently (SPEC §4).
//
// Every row becomes one event (StudentImported, AttendanceRecorded, ...)
// unless Backpack already holds that exact version of it: rows are matched by
// a keyed digest of their identity (sourcedId, or e.g. student and date for
// attendance) and compared by a keyed digest of their content. A FULL
// export (manifest: bulk) that lacks a previously imported org, class,
// student, guardian link or enrollment appends RecordRetracted for it; the
// log keeps the row. A supplemental row (attendance, grade, ...) imported
// again with other content is a correction: RecordRetracted (replaced) of
// the earlier version, then the new one. Rows with status "tobedeleted" are
// not imported, nor is any row about a student whose users.csv row is
// (guardian links, enrollments, supplemental rows:
// ImportReport::skipped_deleted). All events of one set go into one
// EventLog::Append: one commit, or nothing. A set that changes nothing
// appends nothing at all.
//
// Thread-safety: Import() may be called from any thread; imports into one
// store are serialised.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "imports/import_set.h"
#include "projections/projection.h"
#include "projections/services.h"

namespace backpack {

struct ImportReport {
  // The import that appended the events. For a set that changes nothing
  // (events_appended 0): the latest earlier import of the same file set
  // (same file_set_hash), if any, else "".
  std::string import_id;
  uint64_t events_appended = 0;  // including ImportCompleted
  uint64_t unchanged = 0;        // rows identical to their last imported version
  uint64_t retracted = 0;        // RecordRetracted events appended for rows a full export lacks
  // Supplemental rows held in an earlier version that this set corrects:
  // each has a RecordRetracted (replaced) before its new version.
  uint64_t replaced = 0;
  uint64_t skipped_shredded = 0;  // rows about crypto-shredded students, never re-imported
  // Guardian links, enrollments and supplemental rows about students whose
  // users.csv row is "tobedeleted": not imported (the student is not either).
  uint64_t skipped_deleted = 0;
  // Rows replaced by a later row of the same set for the same record (two
  // grades for one class and term, two attendance rows for one day): only
  // the last of them is imported.
  uint64_t superseded = 0;
};

struct ImportOptions {
  // A bulk set that would retract more than half of the rows held of any
  // retractable kind (orgs, classes, students, guardian links or
  // enrollments, each kind judged on its own, of at least
  // kMassRetractionMinRows) is more likely a partial export than a district
  // emptying itself: it is refused unless this is set. A new school year,
  // which replaces most classes and enrollments, is what this is for.
  bool allow_mass_retraction = false;
  // Plans the set and reports what it would append (events_appended,
  // retracted, replaced, ...) without appending anything; import_id stays
  // empty unless the set changes nothing (then as for a real import). The
  // mass-retraction refusal applies as to a real import.
  bool dry_run = false;
};
inline constexpr uint64_t kMassRetractionMinRows = 20;

// Imports `set` as `actor` (who must be allowed to import: callers check).
// A student of the set shredded after the set was planned (the log then
// refuses the append: no personal event follows a RecordShredded) makes it
// plan the set again, skipping that student's rows, as an import planned
// after the shred does. Errors, all with nothing appended: kUnavailable (or,
// should shreds keep overtaking it, kGone) from the log;
// kFailedPrecondition if services.log is not open; kUnprocessable for a set
// refused whole, as ImportErrors::ToStatus words its problems and, if
// `refusal` is given, put there as they are (for HTTP's 422 details): a
// birthDate after today by services.clock (one problem per row,
// `demographics.csv:LINE: birthDate: in the future`), else a mass
// retraction (ImportOptions: one problem per file that trips the guard, line
// 0, the whole file; the message names the kinds, their counts and the
// override).
Result<ImportReport> Import(Services& services, const imports::ImportSet& set, const Actor& actor,
                            ImportOptions options = {}, imports::ImportErrors* refusal = nullptr);

// The intake module: owns the projection that remembers imported rows
// (families in_rows and in_imports, docs/storage-format.md, "Intake storage").
class Intake {
 public:
  // `services` must outlive the module.
  explicit Intake(Services& services);
  ~Intake();
  Projection* projection();

  // Imports `set` (see Import above).
  Result<ImportReport> Import(const imports::ImportSet& set, const Actor& actor,
                              ImportOptions options = {}, imports::ImportErrors* refusal = nullptr);
  // True once any account exists (a UserCreated event was committed); until
  // then the CLI lets the "system" actor import.
  Result<bool> HasUsers() const;
  // True once any import appended events (an in_imports summary exists).
  Result<bool> HasImports() const;

 private:
  Services& services_;
  std::unique_ptr<Projection> projection_;
};

}  // namespace backpack
