// Streaming RFC 4180 CSV output with a fixed column count.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace backpack::demo {

// Appends `field` to `out`, quoted (with inner quotes doubled) when it holds a
// comma, a double quote, CR or LF, as RFC 4180 requires.
void AppendCsvField(std::string_view field, std::string& out);

// Writes one CSV file row by row through a bounded buffer, so a file of any
// size costs constant memory. Rows end with LF. Not thread-safe.
class CsvWriter {
 public:
  // Creates (truncates) `path` and writes the header row.
  static Result<std::unique_ptr<CsvWriter>> Create(const std::filesystem::path& path,
                                                   std::initializer_list<std::string_view> header);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // Appends one row. A row whose field count differs from the header's, or
  // any write failure, is remembered and reported by Close().
  void Row(std::initializer_list<std::string_view> fields);

  // Flushes and closes the file; returns the first error seen. Call once.
  Status Close();

  // Data rows written so far (the header excluded).
  int64_t rows() const { return rows_; }
  const std::string& file_name() const { return file_name_; }

 private:
  CsvWriter(std::FILE* file, std::string file_name, size_t columns);
  void Flush();

  std::FILE* file_;
  std::string file_name_;
  size_t columns_;
  int64_t rows_ = 0;
  std::string buffer_;
  Status status_;
};

}  // namespace backpack::demo
