// Response builders and the StatusCode -> HTTP table (SPEC §6).
#include <boost/json/serialize.hpp>

#include "http/request.h"

namespace backpack::http {

HttpResponse JsonTextResponse(int status, std::string json_text) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(json_text);
  return response;
}

HttpResponse JsonResponse(int status, const boost::json::value& value) {
  return JsonTextResponse(status, boost::json::serialize(value));
}

HttpResponse JsonResponse(int status, const boost::json::object& object) {
  return JsonTextResponse(status, boost::json::serialize(object));
}

HttpResponse JsonError(int status, std::string_view code, std::string_view message) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  boost::json::object root;
  root["error"] = std::move(error);
  return JsonResponse(status, root);
}

HttpResponse JsonError(int status, std::string_view code, std::string_view message,
                       boost::json::value details) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  error["details"] = std::move(details);
  boost::json::object root;
  root["error"] = std::move(error);
  return JsonResponse(status, root);
}

HttpErrorMapping HttpErrorFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return {400, "bad_request"};
    case StatusCode::kUnauthenticated:
      return {401, "unauthenticated"};
    case StatusCode::kPermissionDenied:
      return {403, "forbidden"};
    case StatusCode::kNotFound:
      return {404, "not_found"};
    case StatusCode::kAlreadyExists:
      return {409, "conflict"};
    case StatusCode::kFailedPrecondition:
      return {409, "conflict"};
    case StatusCode::kGone:
      return {410, "gone"};
    case StatusCode::kResourceExhausted:
      return {429, "too_many_requests"};
    case StatusCode::kUnprocessable:
      return {422, "unprocessable"};
    case StatusCode::kUnavailable:
      return {503, "audit_unavailable"};
    case StatusCode::kOk:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return {500, "internal"};
  }
  return {500, "internal"};
}

HttpResponse ErrorResponse(const Status& status) {
  HttpErrorMapping mapping = HttpErrorFor(status.code());
  return JsonError(mapping.status, mapping.code, status.message());
}

HttpResponse ErrorResponse(const Status& status, boost::json::value details) {
  HttpErrorMapping mapping = HttpErrorFor(status.code());
  return JsonError(mapping.status, mapping.code, status.message(), std::move(details));
}

}  // namespace backpack::http
