// Reading a OneRoster 1.1 bulk CSV set plus Backpack's supplemental files
// (SPEC §4) into typed, validated rows. Pure: no database, no events, no
// logging. Untrusted input never crashes it (SPEC §2.7).
//
// Two forms of every entry point:
//  - Parse*() returns tl::expected<ImportSet, ImportErrors>: every problem
//    found, each as {file, line, message}, for HTTP 422 `details`.
//  - Read*() returns Result<ImportSet>: the same errors joined into one
//    Status, one "file:line: message" per line. Its code is kUnprocessable,
//    or kResourceExhausted when a size or count limit was exceeded.
//
// A set is accepted only if it has no problem at all; otherwise all of them
// are reported (up to ImportLimits::max_errors), sorted by file, then line.
// What is checked:
//  - files: manifest.csv, orgs.csv and users.csv are required; manifest.csv
//    must say oneroster.version 1.1 and agree with the files present (bulk
//    only; delta sets are refused);
//  - CSV syntax (imports/csv.h), then per file: unknown or repeated columns
//    ("metadata.*" extension columns are ignored), missing required columns,
//    field counts, empty required fields, dates and datetimes (years 1900 to
//    2100), enumerations, booleans, numbers and grade levels;
//  - duplicate sourcedIds within a file;
//  - references: org parent -> orgs; session parent -> sessions; course ->
//    school year session and org; class -> course, school, terms; user ->
//    orgs and agents (a parent's, guardian's or relative's agents must be
//    students); enrollment -> class, school, user; demographics -> user;
//    supplemental studentSourcedId -> a student; grades classSourcedId -> class.
//    An org or class marked tobedeleted (not imported) may be named only by
//    rows marked tobedeleted too. References into a file not read whole (a
//    record skipped, see internal/readers.h) are not checked.
//
// Precondition: CryptoInit() has run (file_set_hash uses SHA-256).
// Thread-safety: functions are reentrant; they share no state.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "imports/import_errors.h"
#include "imports/limits.h"
#include "imports/rows.h"
#include "imports/source.h"

namespace backpack::imports {

struct ImportSet {
  std::vector<Org> orgs;
  std::vector<AcademicSession> academic_sessions;
  std::vector<Course> courses;
  std::vector<Class> classes;
  // users.csv, by role: students; teachers; guardians (parent and guardian);
  // others (administrator, aide, proctor, relative). Each in file order.
  std::vector<User> students;
  std::vector<User> teachers;
  std::vector<User> guardians;
  std::vector<User> others;
  std::vector<Enrollment> enrollments;
  std::vector<Demographics> demographics;
  std::vector<Attendance> attendance;
  std::vector<Assessment> assessments;
  std::vector<Grade> grades;
  std::vector<Service> services;
  std::vector<TeamMembership> teams;
  std::vector<StudentVoice> student_voice;

  // manifest.csv's propertyName -> value.
  std::map<std::string, std::string> manifest;
  // Data rows (header excluded) of each file read, e.g. {"users.csv", 120}.
  std::map<std::string, size_t> row_counts;
  // SHA-256 over the files read, in name order: for each file, its name's
  // length (8 bytes big-endian), the name, its content's length (8 bytes
  // big-endian) and the raw content. Equal for the same files zipped or in a
  // folder, whatever their order in the archive.
  Hash256 file_set_hash{};
};

using ImportOutcome = tl::expected<ImportSet, ImportErrors>;

// Validates files already read (name -> content, names as in
// ImportFileNames(); other names are ignored). Only the row limits apply.
ImportOutcome ParseImportFiles(const FileSet& files, const ImportLimits& limits = {});

// Reads a folder or a zip file at `zip_or_folder` (see imports/source.h).
ImportOutcome ParseImportSet(const std::filesystem::path& zip_or_folder,
                             const ImportLimits& limits = {});

// Reads a zip held in memory (an HTTP upload). Archive-level errors are
// reported against `archive_name`.
ImportOutcome ParseImportZip(ByteView zip_bytes, const ImportLimits& limits = {},
                             std::string_view archive_name = "upload.zip");

Result<ImportSet> ReadImportSet(const std::filesystem::path& zip_or_folder,
                                const ImportLimits& limits = {});
Result<ImportSet> ReadImportZip(ByteView zip_bytes, const ImportLimits& limits = {});

}  // namespace backpack::imports
