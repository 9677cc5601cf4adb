// Reading one CSV file of an import set against its column spec, reporting
// every problem as file:line and carrying on with the next record.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imports/csv.h"
#include "imports/import_errors.h"
#include "imports/internal/readers.h"
#include "imports/limits.h"
#include "imports/rows.h"
#include "imports/source.h"

namespace backpack::imports::internal {

// The columns of one file. Any other column is an error, except OneRoster's
// extension columns ("metadata.*"), which are ignored.
struct FileSpec {
  std::string_view file;
  std::vector<std::string_view> required;  // must be in the header and never empty
  std::vector<std::string_view> optional;  // may be absent from the header, or empty
};

class TableReader;

// The current record of a TableReader. Accessors read a column by name (""
// if the header lacks it), validate non-empty values and report malformed
// ones against this row; they return an empty or nullopt value then.
class Row {
 public:
  const SourceLine& source() const { return source_; }
  void Error(std::string message) const;

  std::string_view Get(std::string_view column) const;
  std::string Text(std::string_view column) const { return std::string(Get(column)); }
  // Dates and datetimes must also name a year from kMinImportYear to
  // kMaxImportYear (fields.h).
  std::string Date(std::string_view column) const;
  std::string DateTime(std::string_view column, bool zone_required) const;
  std::optional<bool> Bool(std::string_view column) const;
  std::optional<double> Decimal(std::string_view column) const;
  std::optional<int> Int(std::string_view column, int min, int max) const;
  // Position of the value in `allowed`; nullopt if empty or not allowed.
  std::optional<size_t> Enum(std::string_view column,
                             std::span<const std::string_view> allowed) const;
  // A comma-separated list; empty items are refused.
  std::vector<std::string> List(std::string_view column) const;
  // A list of grade levels ("07", "KG", ...).
  std::vector<std::string> Grades(std::string_view column) const;
  // Reports `end` (a date in `end_column`) falling before `start`.
  void CheckNotBefore(std::string_view end_column, const std::string& end,
                      std::string_view start_column, const std::string& start) const;

 private:
  friend class TableReader;
  // `value` (a well-formed date or datetime) if its year is plausible; else
  // reports it and gives "".
  std::string CheckYear(std::string_view column, std::string_view value) const;

  const TableReader* table_ = nullptr;
  const CsvRecord* record_ = nullptr;
  SourceLine source_;
};

class TableReader {
 public:
  // `text`, `spec` and `errors` must outlive the reader.
  TableReader(const FileSpec& spec, std::string_view text, const ImportLimits& limits,
              ImportErrors* errors);

  // Reads and checks the header. False if the rows cannot be read.
  bool Open();
  // Moves to the next record that is valid CSV and has as many fields as the
  // header, after reporting its empty required fields; records that are not
  // are reported and skipped. False at the end or past
  // ImportLimits::max_rows_per_file. `row` stays valid until the next call.
  bool Next(Row* row);
  // Data records read so far.
  size_t rows() const { return rows_; }
  // True once a record was skipped (a CSV error, or the wrong number of
  // fields), or the row limit stopped reading: the rows read are not all the
  // file holds.
  bool failed() const { return failed_; }

 private:
  friend class Row;
  void Report(size_t line, std::string message) const;
  void ReportCsvError(const CsvError& error) const;
  void CheckRequired(const CsvRecord& record) const;
  std::optional<size_t> ColumnIndex(std::string_view column) const;

  const FileSpec& spec_;
  const ImportLimits& limits_;
  ImportErrors* errors_;
  CsvReader reader_;
  std::vector<std::string> header_;
  CsvRecord record_;
  size_t rows_ = 0;
  bool failed_ = false;
};

// Reads `spec.file`, if present, calling `on_row(const Row&)` for each
// record; records its row count, and whether it was read to the end, in
// `*context`. Returns whether the file was present with a usable header.
template <typename OnRow>
bool ForEachRow(const FileSpec& spec, ReadContext* context, OnRow on_row) {
  std::string file(spec.file);
  auto it = context->files.find(file);
  if (it == context->files.end()) return false;
  TableReader table(spec, it->second, context->limits, context->errors);
  bool usable = table.Open();
  if (usable) {
    Row row;
    while (table.Next(&row)) on_row(row);
  }
  context->set->row_counts[file] = table.rows();
  if (!usable || table.failed()) context->incomplete_files.insert(file);
  return usable;
}

}  // namespace backpack::imports::internal
