// RFC 4180 CSV reading for untrusted input.
//
// Accepts CRLF and LF line ends, quoted fields holding commas, line breaks and
// doubled quotes, and skips a leading UTF-8 byte order mark and blank lines.
// Rejects, with the physical line where the offending record starts: invalid
// UTF-8, NUL bytes, control characters other than tab, CR and LF (C0, DEL,
// C1), bidirectional controls (HasBidiControl), an unterminated quoted field, a quote inside an
// unquoted field, text after a closing quote, a bare carriage return, a field longer than
// CsvLimits::max_field_bytes and a record with more than CsvLimits::max_fields_per_record fields. A
// rejected record is skipped and reading goes on, so that one pass finds every bad record: after a
// bad field the rest of its record is read as usual; after text that breaks the quoting, from the
// next line; an unterminated quoted field ends the input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "core/utf8.h"

namespace backpack::imports {

struct CsvLimits {
  size_t max_field_bytes = 64 * 1024;
  size_t max_fields_per_record = 256;
};

// Why a document was rejected. Messages never repeat field contents.
struct CsvError {
  size_t line = 0;  // 1-based physical line where the offending record starts
  std::string message;
};

struct CsvRecord {
  size_t line = 0;                  // 1-based physical line where the record starts
  std::vector<std::string> fields;  // unescaped; each is valid UTF-8 without NUL
};

// Reads records one at a time, so memory stays proportional to one record.
// Not thread-safe; cheap to construct.
class CsvReader {
 public:
  // `text` must outlive the reader.
  CsvReader(std::string_view text, const CsvLimits& limits);

  // Reads the next record into `*record`, reusing its storage. Returns true if
  // a record was read, false at the end of input, and the error of a record
  // that was rejected (and skipped: the next call reads on after it).
  tl::expected<bool, CsvError> Next(CsvRecord* record);

 private:
  enum class FieldEnd { kComma, kRecordEnd };
  // Each reads one field into `out`. A field too long is read to its end
  // but not kept, and said in `*problem` (if it is still empty); an error
  // means the record's end cannot be found from here.
  tl::expected<FieldEnd, CsvError> ReadField(std::string* out, std::string* problem);
  tl::expected<FieldEnd, CsvError> ReadQuoted(std::string* out, std::string* problem);
  tl::expected<FieldEnd, CsvError> ReadUnquoted(std::string* out, std::string* problem);
  tl::expected<FieldEnd, CsvError> ReadTerminator();
  tl::unexpected<CsvError> Error(std::string message) const;
  std::string TooLong() const;
  void SkipBlankLines();
  void SkipRestOfLine();

  std::string_view text_;
  CsvLimits limits_;
  size_t pos_ = 0;
  size_t line_ = 1;         // physical line at pos_
  size_t record_line_ = 1;  // line where the current record started
};

// A whole document whose first record is the header.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRecord> records;
};

// Reads a whole document; an empty document is an error (a header is required).
tl::expected<CsvTable, CsvError> ParseCsv(std::string_view text, const CsvLimits& limits = {});

// Fields are checked with core's UTF-8 validator (RFC 3629).
using backpack::IsValidUtf8;

}  // namespace backpack::imports
