// The steps of ParseImportFiles, sharing one ReadContext.
#pragma once

#include <set>
#include <string>

#include "imports/import_errors.h"
#include "imports/import_set.h"
#include "imports/limits.h"
#include "imports/source.h"

namespace backpack::imports::internal {

struct ReadContext {
  const FileSet& files;
  const ImportLimits& limits;
  ImportSet* set;
  ImportErrors* errors;
  // Required files missing, and files present but not read to the end (bad
  // header, CSV error, a record with the wrong number of fields, too many
  // rows): their problem is reported once, and references into them are not
  // checked, to avoid noise.
  std::set<std::string> incomplete_files;
};

// manifest.csv into set->manifest; checks that the required files are present
// and that the manifest agrees with the OneRoster files present.
void ReadManifest(ReadContext* context);

// orgs, academicSessions, courses, classes, users, enrollments, demographics.
void ReadOneRosterFiles(ReadContext* context);

// attendance, assessments, grades, services, teams, student_voice.
void ReadSupplementalFiles(ReadContext* context);
// Moves what ReadSupplementalFiles read into `from` (its rows, row counts,
// incomplete files and errors, which follow those already in `to`) into `to`.
void MergeSupplemental(ReadContext from, ReadContext* to);

// Duplicate sourcedIds within files and references between files.
void CheckReferences(const ReadContext& context);

}  // namespace backpack::imports::internal
