#include "imports/internal/table.h"

#include <algorithm>

#include "imports/internal/fields.h"
#include "imports/internal/source_internal.h"

namespace backpack::imports::internal {
namespace {

bool Contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string Quoted(std::string_view name) {
  std::string out = Printable(name);
  out.insert(out.begin(), '"');
  out.push_back('"');
  return out;
}

// OneRoster 1.1 lets a file carry extension columns named "metadata.*"
// (after its defined ones); SIS exports do. Backpack reads none of them.
bool IsExtensionColumn(std::string_view name) { return name.starts_with("metadata."); }

}  // namespace

TableReader::TableReader(const FileSpec& spec, std::string_view text, const ImportLimits& limits,
                         ImportErrors* errors)
    : spec_(spec),
      limits_(limits),
      errors_(errors),
      reader_(text, CsvLimits{limits.max_field_bytes, limits.max_fields_per_record}) {}

void TableReader::Report(size_t line, std::string message) const {
  errors_->Add(std::string(spec_.file), line, std::move(message));
}

void TableReader::ReportCsvError(const CsvError& error) const { Report(error.line, error.message); }

bool TableReader::Open() {
  auto got = reader_.Next(&record_);
  if (!got) {
    ReportCsvError(got.error());
    return false;
  }
  if (!*got) {
    Report(1, "missing header row");
    return false;
  }
  header_ = record_.fields;
  bool usable = true;
  for (size_t i = 0; i < header_.size(); ++i) {
    const std::string& name = header_[i];
    if (std::find(header_.begin(), header_.begin() + i, name) != header_.begin() + i) {
      Report(record_.line, "column " + Quoted(name) + " appears more than once");
      usable = false;
    } else if (!Contains(spec_.required, name) && !Contains(spec_.optional, name) &&
               !IsExtensionColumn(name)) {
      Report(record_.line, "unknown column " + Quoted(name));
    }
  }
  for (std::string_view name : spec_.required) {
    if (!ColumnIndex(name)) {
      Report(record_.line, "missing required column " + Quoted(name));
      usable = false;
    }
  }
  return usable;
}

bool TableReader::Next(Row* row) {
  while (true) {
    auto got = reader_.Next(&record_);
    if (!got) {  // the record is skipped; the others are still checked
      ReportCsvError(got.error());
      failed_ = true;
      continue;
    }
    if (!*got) return false;
    if (++rows_ > limits_.max_rows_per_file) {
      Report(record_.line, "more than " + std::to_string(limits_.max_rows_per_file) + " rows");
      errors_->MarkLimitExceeded();
      failed_ = true;
      return false;
    }
    if (record_.fields.size() != header_.size()) {
      Report(record_.line, "expected " + std::to_string(header_.size()) + " fields, found " +
                               std::to_string(record_.fields.size()));
      failed_ = true;  // its sourcedId is unknown: references to it would be noise
      continue;
    }
    CheckRequired(record_);
    row->table_ = this;
    row->record_ = &record_;
    row->source_ = SourceLine{std::string(spec_.file), record_.line};
    return true;
  }
}

void TableReader::CheckRequired(const CsvRecord& record) const {
  for (std::string_view name : spec_.required) {
    if (record.fields[*ColumnIndex(name)].empty()) {
      Report(record.line, std::string(name) + ": required field is empty");
    }
  }
}

std::optional<size_t> TableReader::ColumnIndex(std::string_view column) const {
  auto it = std::find(header_.begin(), header_.end(), column);
  if (it == header_.end()) return std::nullopt;
  return static_cast<size_t>(it - header_.begin());
}

void Row::Error(std::string message) const { table_->Report(source_.line, std::move(message)); }

std::string_view Row::Get(std::string_view column) const {
  auto index = table_->ColumnIndex(column);
  return index ? std::string_view(record_->fields[*index]) : std::string_view();
}

std::string Row::CheckYear(std::string_view column, std::string_view value) const {
  if (IsPlausibleYear(value)) return std::string(value);
  Error(std::string(column) + ": year outside " + std::to_string(kMinImportYear) + " to " +
        std::to_string(kMaxImportYear));
  return {};
}

std::string Row::Date(std::string_view column) const {
  std::string_view value = Get(column);
  if (value.empty()) return {};
  if (IsIsoDate(value)) return CheckYear(column, value);
  Error(std::string(column) + ": not a date (expected YYYY-MM-DD)");
  return {};
}

std::string Row::DateTime(std::string_view column, bool zone_required) const {
  std::string_view value = Get(column);
  if (value.empty()) return {};
  if (IsIsoDateTime(value, zone_required)) return CheckYear(column, value);
  Error(std::string(column) + (zone_required
                                   ? ": not a datetime (expected YYYY-MM-DDTHH:MM:SS and a zone)"
                                   : ": not a datetime (expected YYYY-MM-DDTHH:MM:SS)"));
  return {};
}

std::optional<bool> Row::Bool(std::string_view column) const {
  std::string_view value = Get(column);
  if (value.empty()) return std::nullopt;
  auto parsed = ParseBool(value);
  if (!parsed) Error(std::string(column) + ": not a boolean (expected true or false)");
  return parsed;
}

std::optional<double> Row::Decimal(std::string_view column) const {
  std::string_view value = Get(column);
  if (value.empty()) return std::nullopt;
  auto parsed = ParseDecimal(value);
  if (!parsed) Error(std::string(column) + ": not a number");
  return parsed;
}

std::optional<int> Row::Int(std::string_view column, int min, int max) const {
  std::string_view value = Get(column);
  if (value.empty()) return std::nullopt;
  auto parsed = ParseInt(value, min, max);
  if (!parsed) {
    Error(std::string(column) + ": not a whole number from " + std::to_string(min) + " to " +
          std::to_string(max));
  }
  return parsed;
}

std::optional<size_t> Row::Enum(std::string_view column,
                                std::span<const std::string_view> allowed) const {
  std::string_view value = Get(column);
  if (value.empty()) return std::nullopt;
  auto it = std::find(allowed.begin(), allowed.end(), value);
  if (it != allowed.end()) return static_cast<size_t>(it - allowed.begin());
  std::string expected;
  for (std::string_view name : allowed)
    expected += (expected.empty() ? "" : ", ") + std::string(name);
  Error(std::string(column) + ": unknown value (expected one of " + expected + ")");
  return std::nullopt;
}

std::vector<std::string> Row::List(std::string_view column) const {
  std::vector<std::string> items = SplitList(Get(column));
  if (std::find(items.begin(), items.end(), "") != items.end()) {
    Error(std::string(column) + ": empty item in list");
  }
  return items;
}

std::vector<std::string> Row::Grades(std::string_view column) const {
  std::vector<std::string> grades = List(column);
  for (const std::string& grade : grades) {
    if (!grade.empty() && !IsGradeLevel(grade)) {
      Error(std::string(column) + ": not a grade level (expected KG, 01 to 13, PK, ...)");
      break;
    }
  }
  return grades;
}

void Row::CheckNotBefore(std::string_view end_column, const std::string& end,
                         std::string_view start_column, const std::string& start) const {
  // ISO 8601 dates order as text.
  if (!start.empty() && !end.empty() && end < start) {
    Error(std::string(end_column) + ": before " + std::string(start_column));
  }
}

}  // namespace backpack::imports::internal
