#include "imports/import_errors.h"

#include <algorithm>
#include <tuple>

namespace backpack::imports {

std::string ImportError::ToString() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

void ImportErrors::Add(std::string file, size_t line, std::string message) {
  if (errors_.size() >= max_kept_) {
    ++dropped_;
    return;
  }
  errors_.push_back(ImportError{std::move(file), line, std::move(message)});
}

void ImportErrors::Append(const ImportErrors& other) {
  for (const ImportError& e : other.errors_) Add(e.file, e.line, e.message);
  dropped_ += other.dropped_;
  limit_exceeded_ = limit_exceeded_ || other.limit_exceeded_;
}

void ImportErrors::Sort() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const ImportError& a, const ImportError& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
}

StatusCode ImportErrors::code() const {
  return limit_exceeded_ ? StatusCode::kResourceExhausted : StatusCode::kUnprocessable;
}

Status ImportErrors::ToStatus() const {
  std::string message;
  for (const ImportError& e : errors_) {
    if (!message.empty()) message += '\n';
    message += e.ToString();
  }
  if (dropped_ > 0) message += "\n... and " + std::to_string(dropped_) + " more";
  return Status(code(), std::move(message));
}

}  // namespace backpack::imports
