#include "imports/csv.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "core/utf8.h"

namespace backpack::imports {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Whether `field` may be imported: clean text (IsCleanText, multiline)
// without bidirectional embeddings, overrides or isolates (HasBidiReordering),
// which could make what others are shown (a name, a note) read as something
// else. Direction marks pass: right-to-left names and answers carry them.
bool IsImportableText(std::string_view field) {
  return IsCleanText(field, /*multiline=*/true) && !HasBidiReordering(field);
}

// Why a field that is not IsImportableText is refused.
std::string_view WhyUnclean(std::string_view field) {
  if (field.find('\0') != std::string_view::npos) return "NUL byte";
  if (!IsValidUtf8(field)) return "invalid UTF-8";
  if (HasBidiReordering(field)) return "bidirectional control character";
  return "control character";
}

}  // namespace

CsvReader::CsvReader(std::string_view text, const CsvLimits& limits)
    : text_(text), limits_(limits) {
  if (text_.starts_with(kBom)) pos_ = kBom.size();
}

tl::unexpected<CsvError> CsvReader::Error(std::string message) const {
  return tl::unexpected<CsvError>(CsvError{record_line_, std::move(message)});
}

std::string CsvReader::TooLong() const {
  return "field longer than " + std::to_string(limits_.max_field_bytes) + " bytes";
}

void CsvReader::SkipBlankLines() {
  while (pos_ < text_.size()) {
    if (text_[pos_] == '\n') {
      pos_ += 1;
    } else if (text_.substr(pos_, 2) == "\r\n") {
      pos_ += 2;
    } else {
      return;
    }
    ++line_;
  }
}

void CsvReader::SkipRestOfLine() {
  size_t end = text_.find('\n', pos_);
  if (end == std::string_view::npos) {
    pos_ = text_.size();
    return;
  }
  pos_ = end + 1;
  ++line_;
}

tl::expected<bool, CsvError> CsvReader::Next(CsvRecord* record) {
  SkipBlankLines();
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  record->line = line_;
  size_t count = 0;
  std::string problem;   // the record's first problem: it is read to its end regardless
  std::string overflow;  // fields past the limit are read into this and dropped
  while (true) {
    std::string* field = &overflow;
    if (count < limits_.max_fields_per_record) {
      if (count == record->fields.size()) record->fields.emplace_back();
      field = &record->fields[count];
    } else if (problem.empty()) {
      problem =
          "more than " + std::to_string(limits_.max_fields_per_record) + " fields in one record";
    }
    ++count;
    field->clear();
    auto end = ReadField(field, &problem);
    if (!end) {
      SkipRestOfLine();
      if (!problem.empty()) return Error(std::move(problem));
      return tl::unexpected(std::move(end.error()));
    }
    // Tab, CR and LF may stand in a quoted field; other controls (escape
    // sequences, C1, bidirectional ones) would reach whoever displays the value.
    if (problem.empty() && !IsImportableText(*field)) {
      problem = std::string(WhyUnclean(*field)) + " in field " + std::to_string(count);
    }
    if (*end == FieldEnd::kRecordEnd) break;
  }
  if (!problem.empty()) return Error(std::move(problem));
  record->fields.resize(count);
  return true;
}

tl::expected<CsvReader::FieldEnd, CsvError> CsvReader::ReadField(std::string* out,
                                                                 std::string* problem) {
  if (pos_ < text_.size() && text_[pos_] == '"') return ReadQuoted(out, problem);
  return ReadUnquoted(out, problem);
}

tl::expected<CsvReader::FieldEnd, CsvError> CsvReader::ReadUnquoted(std::string* out,
                                                                    std::string* problem) {
  size_t end = text_.find_first_of(",\r\n\"", pos_);
  if (end == std::string_view::npos) end = text_.size();
  if (end < text_.size() && text_[end] == '"') return Error("quote inside an unquoted field");
  if (end - pos_ > limits_.max_field_bytes) {
    if (problem->empty()) *problem = TooLong();
  } else {
    out->assign(text_.substr(pos_, end - pos_));
  }
  pos_ = end;
  return ReadTerminator();
}

tl::expected<CsvReader::FieldEnd, CsvError> CsvReader::ReadQuoted(std::string* out,
                                                                  std::string* problem) {
  ++pos_;  // opening quote
  bool too_long = false;
  auto keep = [&](std::string_view part) {
    too_long = too_long || out->size() + part.size() > limits_.max_field_bytes;
    if (!too_long) out->append(part);
  };
  while (true) {
    size_t quote = text_.find('"', pos_);
    if (quote == std::string_view::npos) {
      pos_ = text_.size();  // nothing after it can be told apart from the field
      return Error("unterminated quoted field");
    }
    std::string_view segment = text_.substr(pos_, quote - pos_);
    line_ += std::count(segment.begin(), segment.end(), '\n');
    keep(segment);
    pos_ = quote + 1;
    if (pos_ < text_.size() && text_[pos_] == '"') {  // doubled quote
      keep("\"");
      ++pos_;
      continue;
    }
    if (too_long) {
      out->clear();
      if (problem->empty()) *problem = TooLong();
    }
    return ReadTerminator();
  }
}

// Consumes what follows a field: a comma, a line end, or the end of input.
tl::expected<CsvReader::FieldEnd, CsvError> CsvReader::ReadTerminator() {
  if (pos_ >= text_.size()) return FieldEnd::kRecordEnd;
  char c = text_[pos_];
  if (c == ',') {
    ++pos_;
    return FieldEnd::kComma;
  }
  if (c == '\n' || text_.substr(pos_, 2) == "\r\n") {
    pos_ += (c == '\n') ? 1 : 2;
    ++line_;
    return FieldEnd::kRecordEnd;
  }
  if (c == '\r') return Error("carriage return without a line feed");
  return Error("unexpected text after a closing quote");
}

tl::expected<CsvTable, CsvError> ParseCsv(std::string_view text, const CsvLimits& limits) {
  CsvReader reader(text, limits);
  CsvTable table;
  CsvRecord record;
  auto got = reader.Next(&record);
  if (!got) return tl::unexpected<CsvError>(std::move(got.error()));
  if (!*got) return tl::unexpected<CsvError>(CsvError{1, "missing header row"});
  table.header = std::move(record.fields);
  while (true) {
    got = reader.Next(&record);
    if (!got) return tl::unexpected<CsvError>(std::move(got.error()));
    if (!*got) return table;
    table.records.push_back(std::move(record));
    record = CsvRecord();
  }
}

}  // namespace backpack::imports
