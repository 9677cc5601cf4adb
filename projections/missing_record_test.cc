// DecideMissing: what a request about an unknown or shredded id is answered,
// for every role, reach and kind.
#include <catch2/catch.hpp>

#include "projections/access_policy.h"

using namespace backpack;

namespace {

const IdSet kNone;
const IdSet kDistrictwide = {std::string(kFlagDistrictwide)};
const IdSet kFlagOnly = {std::string(kFlagCanViewRestrictedNotes)};
const IdSet kBoth = {std::string(kFlagDistrictwide), std::string(kFlagCanViewRestrictedNotes)};

MissingDecision Unknown(Role role, const IdSet& flags, RouteReach reach,
                        RecordKind kind = RecordKind::kStudent) {
  return DecideMissing(role, flags, reach, kind, MissingRecord::kUnknown, /*had_right=*/false);
}

MissingDecision Shredded(Role role, const IdSet& flags, RouteReach reach, bool had_right) {
  return DecideMissing(role, flags, reach, RecordKind::kStudent, MissingRecord::kShredded,
                       had_right);
}

const MissingDecision kNotFound{MissingAnswer::kNotFound, ""};
const MissingDecision kGone{MissingAnswer::kGone, ""};

MissingDecision Forbidden(std::string_view reason) {
  return {MissingAnswer::kForbidden, std::string(reason)};
}

}  // namespace

TEST_CASE("an unknown id is 404 only to a caller who could read any record through the route") {
  CHECK(Unknown(Role::kEducator, kDistrictwide, RouteReach::kEducator) == kNotFound);
  CHECK(Unknown(Role::kEducator, kNone, RouteReach::kEducator) == Forbidden(kDeniedUnknownStudent));
  CHECK(Unknown(Role::kEducator, kFlagOnly, RouteReach::kEducator, RecordKind::kNote) ==
        Forbidden(kDeniedUnknownNote));
  CHECK(Unknown(Role::kEducator, kBoth, RouteReach::kRestrictedNote) == kNotFound);
  // Districtwide without the flag reads no restricted note: refused for the flag.
  CHECK(Unknown(Role::kEducator, kDistrictwide, RouteReach::kRestrictedNote, RecordKind::kNote) ==
        Forbidden(kDeniedNoRestrictedNotesFlag));
  CHECK(Unknown(Role::kEducator, kFlagOnly, RouteReach::kRestrictedNote, RecordKind::kNote) ==
        Forbidden(kDeniedUnknownNote));
  CHECK(Unknown(Role::kPrivacyOfficer, kNone, RouteReach::kStaffOrGuardian) == kNotFound);
  CHECK(Unknown(Role::kDistrictAdmin, kNone, RouteReach::kStaffOrGuardian) == kNotFound);
  CHECK(Unknown(Role::kGuardian, kNone, RouteReach::kStaffOrGuardian) ==
        Forbidden(kDeniedUnknownStudent));
  CHECK(Unknown(Role::kGuardian, kNone, RouteReach::kStaffOrGuardian, RecordKind::kRequest) ==
        Forbidden(kDeniedUnknownRequest));
  // A flag means nothing outside the educator role.
  CHECK(Unknown(Role::kGuardian, kBoth, RouteReach::kEducator).answer == MissingAnswer::kForbidden);
}

TEST_CASE("a shredded record is 410 only to a caller who had a right to it") {
  CHECK(Shredded(Role::kEducator, kDistrictwide, RouteReach::kEducator, false) == kGone);
  CHECK(Shredded(Role::kEducator, kNone, RouteReach::kEducator, false) ==
        Forbidden(kDeniedNoRelationship));
  CHECK(Shredded(Role::kEducator, kBoth, RouteReach::kRestrictedNote, false) == kGone);
  CHECK(Shredded(Role::kEducator, kFlagOnly, RouteReach::kRestrictedNote, false) ==
        Forbidden(kDeniedNoRelationship));
  CHECK(Shredded(Role::kEducator, kDistrictwide, RouteReach::kRestrictedNote, false) ==
        Forbidden(kDeniedNoRestrictedNotesFlag));
  CHECK(Shredded(Role::kPrivacyOfficer, kNone, RouteReach::kStaffOrGuardian, false) == kGone);
  CHECK(Shredded(Role::kDistrictAdmin, kNone, RouteReach::kStaffOrGuardian, false) == kGone);
  CHECK(Shredded(Role::kGuardian, kNone, RouteReach::kStaffOrGuardian, true) == kGone);
  CHECK(Shredded(Role::kGuardian, kNone, RouteReach::kStaffOrGuardian, false) ==
        Forbidden(kDeniedNoRelationship));
}
