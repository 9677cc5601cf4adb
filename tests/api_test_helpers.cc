#include "tests/api_test_helpers.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace backpack::api_testing {

namespace json = boost::json;

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

std::string Profile(const std::string& id) { return "/api/students/" + id + "/profile"; }

std::string GrantStudent(ApiWorld& w, const std::string& educator, const std::string& student,
                         const std::string& reason) {
  json::object body{{"educator_id", educator},
                    {"scope", json::object{{"student_id", student}}},
                    {"reason", reason}};
  auto granted = w.Call("POST", "/api/grants", w.admin.token, json::serialize(body));
  REQUIRE(granted.status == 201);
  return Str(ApiWorld::Json(granted).at("id"));
}

json::array Details(const ClientResponse& r) {
  json::value body = ApiWorld::Json(r);
  const json::value* details = body.at("error").as_object().if_contains("details");
  return details && details->is_array() ? details->as_array() : json::array{};
}

std::string WriteRestrictedNote(ApiWorld& w, const std::string& text) {
  json::object body{{"kind", "counselor"}, {"text", text}, {"restricted", true}};
  auto r =
      w.Call("POST", "/api/students/" + w.child + "/notes", w.teacher.token, json::serialize(body));
  REQUIRE(r.status == 201);
  const json::value written = ApiWorld::Json(r);
  CHECK(written.at("revised_at").is_null());  // not revised yet, as a profile shows it
  CHECK(written.at("revised_by").is_null());
  return std::string(written.at("id").as_string());
}

}  // namespace backpack::api_testing
