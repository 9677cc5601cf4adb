// Small helpers shared by the HTTP endpoint tests over an ApiWorld
// (http_*_test.cc in the http_endpoints_test binary).
//
// Test-only. Every person is synthetic (demo/demo_district.h).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "tests/api_test_world.h"

namespace backpack::api_testing {

// `v` if it is a JSON string, "" otherwise.
std::string Str(const boost::json::value& v);

// The profile route of student `id`.
std::string Profile(const std::string& id);

// A district admin grants `educator` access to `student` over HTTP; the
// grant's id (REQUIREs a 201).
std::string GrantStudent(ApiWorld& w, const std::string& educator, const std::string& student,
                         const std::string& reason);

// A 422's details ([] if it has none).
boost::json::array Details(const ClientResponse& r);

// A new restricted note by the teacher about the child; returns its id
// (REQUIREs a 201).
std::string WriteRestrictedNote(ApiWorld& w, const std::string& text);

}  // namespace backpack::api_testing
