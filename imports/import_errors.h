// The problems found in an import set, each located as `file:line`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"

namespace backpack::imports {

// One problem. Messages name columns and lines but never repeat field
// values, which may be personal data.
struct ImportError {
  std::string file;  // name within the set ("users.csv"), or the archive's name
  size_t line = 0;   // 1-based physical line where the record starts; 0: the whole file
  std::string message;

  // "users.csv:3: message", or "users.csv: message" when `line` is 0.
  std::string ToString() const;
  bool operator==(const ImportError&) const = default;
};

// Every problem found in an import set. Keeps the first `max_kept` errors and
// counts the rest, so that hostile input cannot grow the report without bound.
class ImportErrors {
 public:
  explicit ImportErrors(size_t max_kept = 1000) : max_kept_(max_kept) {}

  void Add(std::string file, size_t line, std::string message);
  void Append(const ImportErrors& other);
  // Records that a size or count limit was exceeded, which makes code()
  // kResourceExhausted (HTTP 413) instead of kUnprocessable (422).
  void MarkLimitExceeded() { limit_exceeded_ = true; }
  // Orders the kept errors by file name, then line; stable otherwise.
  void Sort();

  bool empty() const { return total() == 0; }
  size_t total() const { return errors_.size() + dropped_; }
  size_t dropped() const { return dropped_; }
  const std::vector<ImportError>& errors() const { return errors_; }
  bool limit_exceeded() const { return limit_exceeded_; }
  StatusCode code() const;

  // code() with every error's ToString(), one per line, plus
  // "... and N more" when some were dropped.
  Status ToStatus() const;

 private:
  size_t max_kept_;
  std::vector<ImportError> errors_;
  size_t dropped_ = 0;
  bool limit_exceeded_ = false;
};

}  // namespace backpack::imports
