// The full-state payload of UserCreated and UserUpdated, shared by the
// account commands (user_commands.cc, link_commands.cc). Internal to
// projections/roster/.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <string>

#include "core/bytes.h"
#include "events/schema/payloads_generated.h"
#include "projections/roster/internal/command_util.h"
#include "projections/roster/roster_commands.h"

namespace backpack::roster {

inline fb::UserRole ToFbRole(Role role) {
  switch (role) {
    case Role::kEducator:
      return fb::UserRole::Educator;
    case Role::kPrivacyOfficer:
      return fb::UserRole::PrivacyOfficer;
    case Role::kDistrictAdmin:
      return fb::UserRole::DistrictAdmin;
    case Role::kGuardian:
      return fb::UserRole::Guardian;
  }
  return fb::UserRole::Unknown;
}

// A UserCreated or UserUpdated payload (the same fields: the full state) of
// account `id`. Personal: append it sealed under the account's key.
template <typename Payload>
Bytes UserStatePayload(const std::string& id, const AddUserRequest& r, const IdSet& guardian_of) {
  flatbuffers::FlatBufferBuilder fbb;
  auto user_id = fbb.CreateString(id);
  auto username = fbb.CreateString(r.username);
  auto display_name = fbb.CreateString(r.display_name);
  auto flags = StringVector(fbb, r.flags);
  auto schools = StringVector(fbb, r.schools);
  auto grades = StringVector(fbb, r.grades);
  auto children = StringVector(fbb, guardian_of);
  auto sourced_id = fbb.CreateString(r.sourced_id);
  typename Payload::Builder builder(fbb);
  builder.add_user_id(user_id);
  builder.add_username(username);
  builder.add_role(ToFbRole(r.role));
  builder.add_display_name(display_name);
  builder.add_flags(flags);
  builder.add_schools(schools);
  builder.add_grades(grades);
  builder.add_guardian_of(children);
  builder.add_sourced_id(sourced_id);
  fbb.Finish(builder.Finish());
  return FinishPayload(fbb);
}

}  // namespace backpack::roster
