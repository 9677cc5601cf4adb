// A running Backpack API over a synthetic district, for the HTTP endpoint
// tests: a DomainFixture store with a 60-student demo district imported
// through the normal import path, one account per role, live sessions, and
// an http::HttpServer on 127.0.0.1:0 serving RegisterAllRoutes.
//
// Test-only. Every person is synthetic (demo/demo_district.h).
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/event_log.h"
#include "http/api/api_auth.h"
#include "http/test_client.h"
#include "projections/access_state.h"
#include "projections/services.h"
#include "tests/domain_fixture.h"

namespace backpack::api_testing {

using http::testing::ClientResponse;

struct Account {
  std::string username;
  std::string user_id;
  std::string token;  // a live session
  Role role = Role::kEducator;
};

// The password of every account ApiWorld creates.
inline constexpr std::string_view kTestPassword = "correct horse battery staple";

// Seams for tests of a stalled disk and of shutdown.
struct ApiWorldOptions {
  testing::DomainFixtureOptions domain;            // e.g. a store whose syncs hang
  std::chrono::milliseconds stop_timeout{10'000};  // http::ServerOptions::stop_timeout
};

class ApiWorld {
 public:
  explicit ApiWorld(ApiWorldOptions options = {});
  ~ApiWorld();
  ApiWorld(const ApiWorld&) = delete;
  ApiWorld& operator=(const ApiWorld&) = delete;

  // One request; `token` "" sends no credentials. Fails the test if no
  // response arrives.
  ClientResponse Call(std::string_view method, std::string_view target, std::string_view token,
                      std::string_view body = "",
                      std::string_view content_type = "application/json",
                      std::string_view extra_headers = "");
  // The response body as JSON (REQUIREs that it parses).
  static boost::json::value Json(const ClientResponse& response);

  // Ends serving as `backpack serve` does (api::StopServing), then destroys
  // the API's state (its pools, sessions and context), as Serve's return
  // does. Call() may not be used afterwards.
  void EndServing();
  uint16_t port() const;

  uint64_t LogSize();
  // Events at seq >= `from` (of `type`, unless Unknown).
  std::vector<LoggedEvent> EventsSince(uint64_t from, EventType type = EventType::Unknown);
  size_t CountSince(uint64_t from, EventType type) { return EventsSince(from, type).size(); }
  // What `backpack rebuild --check` reports: the first difference between the
  // live projections and a replay of the whole log into scratch space, or ""
  // if they are identical. No request may be in flight.
  std::string RebuildDifference();

  // Signs `account` in again (e.g. after its session expired).
  void Refresh(Account& account);
  // A new account of `role` with password kTestPassword, signed in (for
  // tests that change an account).
  Account NewAccount(const std::string& username, Role role);
  // A session that has expired (its own idle timer ran out).
  std::string ExpiredToken(const Account& account);

  Services& services() { return fx_->services(); }
  // Where sign-ins wait: one thread, kLoginQueue waiting at most.
  static constexpr size_t kLoginQueue = 16;
  api::BlockingPool& login_pool();
  ManualClock& clock() { return fx_->clock(); }
  // The demo set as a zip, for POST /api/imports.
  std::string DistrictZip() const;
  // The demo set as a zip after `edit` changed a copy of its folder (a later
  // SIS export).
  std::string DistrictZip(const std::function<void(const std::filesystem::path&)>& edit);

  Account admin, privacy, principal, teacher, outsider, guardian, other_guardian;
  std::string child;          // guardian's child, in a class `teacher` teaches
  std::string other_student;  // a student `teacher` may not read
  std::string spare_student;  // for break-glass, and for deletion in a world of its own

 private:
  struct Impl;
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::DomainFixture> fx_;
  std::unique_ptr<Impl> impl_;
};

// A RecordViewed event's payload, decoded (REQUIREs a valid payload).
struct Viewed {
  std::string scope;  // the fb::ReadScope name: "Profile", "Search", ...
  std::string reason;
  std::vector<std::string> students;  // multi-student reads
};
Viewed DecodeViewed(const LoggedEvent& event);
// An AccessDenied event's reason.
std::string DeniedReason(const LoggedEvent& event);

// Swaps the services' log for one whose appends all fail (as on a full
// disk) while in scope; reads still reach the real log. No request may be
// in flight when it is created or destroyed.
class AppendsFail {
 public:
  explicit AppendsFail(ApiWorld& world);
  ~AppendsFail();
  AppendsFail(const AppendsFail&) = delete;
  AppendsFail& operator=(const AppendsFail&) = delete;

 private:
  class FailingLog;
  ApiWorld& world_;
  EventLog* real_;
  std::unique_ptr<FailingLog> failing_;
};

// The world shared by the tests of one binary, built on first use. Tests
// run one at a time, so they share it, in whatever order they are run: each
// counts events from the log size it saw before acting, and a test that
// changes what others rely on (shreds a student, changes an alert setting)
// builds an ApiWorld of its own instead.
ApiWorld& SharedWorld();

}  // namespace backpack::api_testing
