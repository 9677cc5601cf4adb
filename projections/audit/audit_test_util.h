// A synthetic district over a DomainFixture for the audit tests: students,
// guardians and accounts made through the normal events and commands.
// Test-only; every name here is invented.
#pragma once

#include <boost/json/object.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "projections/audit/audit.h"
#include "projections/roster/roster.h"
#include "tests/domain_fixture.h"

namespace backpack::testing {

inline constexpr int64_t kMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kHour = 60 * kMinute;

class AuditWorld {
 public:
  AuditWorld();

  DomainFixture& fx() { return *fx_; }
  Audit& audit() { return *fx_->services().audit; }
  int64_t now() { return fx_->clock().NowMicros(); }
  void Advance(int64_t micros) { fx_->clock().Advance(micros); }

  void Append(std::vector<NewEvent> events);
  // Imports a student of school "sch-1"; returns the student id.
  std::string AddStudent(const std::string& sourced_id, const std::string& given,
                         const std::string& family);
  void AddGuardian(const std::string& guardian_sourced_id, const std::string& student_sourced_id,
                   const std::string& given, const std::string& family, const std::string& email);
  // Creates an account; returns its user id.
  std::string AddUser(const std::string& username, Role role, IdSet flags = {});
  // Crypto-shreds a student as stores before RecordShredded kept alerts
  // did: destroys the key, then appends a RecordShredded without them.
  void Shred(const std::string& student_id);
  // Family::Shred by `actor_id` (a privacy officer or district admin), which
  // must succeed: the product's shred.
  void ShredAs(const std::string& actor_id, const std::string& student_id);

  Actor ActorFor(const std::string& user_id, const std::string& ip = "192.0.2.10");
  // RecordAccess of one student's profile, which must succeed.
  void View(const std::string& user_id, const std::string& student_id,
            AccessScope scope = AccessScope::kProfile, const std::string& reason = "class:cls-1");
  // Audit::Query, which must succeed.
  boost::json::object Query(const AuditQuery& query);
  // The a_* family contents as "key=value" lines.
  std::string Dump(std::string_view family);

 private:
  TempDir dir_;
  std::unique_ptr<DomainFixture> fx_;
  int request_counter_ = 0;
};

inline constexpr const char* kBreakGlassReason =
    "Student fainted in class; nurse needs the care plan";
// RosterCommands::StartBreakGlass by `educator` for `student` with
// kBreakGlassReason, which must succeed; returns the break-glass id.
std::string StartBreakGlass(AuditWorld& w, const std::string& educator, const std::string& student);
// The alerts of Audit::Alerts, which must succeed; valid until the next call.
const boost::json::array& AlertsOf(AuditWorld& w, bool unreviewed_only = false);
// Rebuilds every projection into a scratch store and requires the audit
// families equal to w's, byte for byte.
void RequireRebuildIdentical(AuditWorld& w);

// Events of a Query page.
const boost::json::array& EventsOf(const boost::json::object& page);
// Text of `field` in `o` ("" if absent or not text).
std::string TextOf(const boost::json::object& o, std::string_view field);

}  // namespace backpack::testing
