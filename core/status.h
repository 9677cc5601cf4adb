// Status and Result<T>: Backpack's one error convention.
//
// Every fallible call returns a Status ([[nodiscard]]) or a Result<T>, whose
// type is not [[nodiscard]]: declare such a function [[nodiscard]] where
// ignoring its result would lose an error. Library errors (RocksDB,
// libsodium, Beast) are converted once, at their boundary. Exceptions never
// cross module boundaries.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace backpack {

// Canonical error codes. Each says what the caller should do next.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // Caller's input is malformed; fix the input. (400)
  kUnauthenticated,     // No valid credentials; sign in. (401)
  kPermissionDenied,    // Authenticated but not allowed; do not retry. (403)
  kNotFound,            // The thing does not exist. (404)
  kAlreadyExists,       // Conflicts with existing state. (409)
  kFailedPrecondition,  // State forbids it now (legal hold, ...); resolve first. (409)
  kGone,                // Existed but was crypto-shredded; it will never return. (410)
  kResourceExhausted,   // Too large or too many; shrink or slow down. (413/429)
  kUnprocessable,       // Well-formed but semantically invalid input. (422)
  kDataLoss,            // Stored bytes failed verification; investigate tampering.
  kUnavailable,         // Storage or audit cannot accept writes; retry later. (503)
  kInternal,            // A bug or unexpected library failure.
};

// Returns the stable lower_snake name of `code`, e.g. "not_found".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not_found: no such student" — for logs and CLI errors.
  std::string ToString() const;

  // Explicitly drops a status whose failure is acceptable.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status UnauthenticatedError(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDeniedError(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) {
  return {StatusCode::kAlreadyExists, std::move(m)};
}
inline Status FailedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status GoneError(std::string m) { return {StatusCode::kGone, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status UnprocessableError(std::string m) {
  return {StatusCode::kUnprocessable, std::move(m)};
}
inline Status DataLossError(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Only inside a catch block: kInternal "WHAT threw TYPE", naming the caught
// exception's type but never its message, which may quote stored (personal)
// data. For the threads that must outlive a throw (std::bad_alloc, a rethrown
// task of core/parallel.h) and turn it into a Status at their boundary.
Status CaughtError(std::string_view what);

// A value or the Status explaining its absence. The Status is never ok().
template <typename T>
using Result = tl::expected<T, Status>;

// Wraps a failed Status for returning from a function that yields Result<T>.
inline tl::unexpected<Status> Err(Status s) { return tl::unexpected<Status>(std::move(s)); }

namespace internal {
// Carries a failed Status out of a function returning either Status or
// Result<T>; lets one set of macros serve both.
struct ErrorPropagator {
  Status status;
  operator Status() && { return std::move(status); }
  template <typename T>
  operator Result<T>() && {
    return Err(std::move(status));
  }
};
}  // namespace internal

}  // namespace backpack

#define BACKPACK_CONCAT_INNER(a, b) a##b
#define BACKPACK_CONCAT(a, b) BACKPACK_CONCAT_INNER(a, b)

// Returns from the enclosing function (returning Status or Result<T>) if
// `expr` (a Status) is not ok.
#define RETURN_IF_ERROR(expr)                                                    \
  do {                                                                           \
    ::backpack::Status backpack_status_ = (expr);                                \
    if (!backpack_status_.ok())                                                  \
      return ::backpack::internal::ErrorPropagator{std::move(backpack_status_)}; \
  } while (0)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the
// value into `lhs` (which may be a declaration: `auto x`).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(BACKPACK_CONCAT(backpack_result_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr)                                                \
  auto tmp = (rexpr);                                                                         \
  if (!tmp.has_value()) return ::backpack::internal::ErrorPropagator{std::move(tmp).error()}; \
  lhs = std::move(tmp).value()
