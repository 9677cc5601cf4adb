#include "core/status.h"

#include <exception>
#include <typeinfo>

namespace backpack {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kGone: return "gone";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kUnprocessable: return "unprocessable";
    case StatusCode::kDataLoss: return "data_loss";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

Status CaughtError(std::string_view what) {
  std::string message = std::string(what) + " threw";
  try {
    throw;
  } catch (const std::exception& e) {
    message += std::string(" ") + typeid(e).name();
  } catch (...) {
  }
  return InternalError(std::move(message));
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace backpack
