// Roster's private state, shared by roster.cc and roster_commands.cc.
// Internal to projections/roster/.
#pragma once

#include "projections/roster/internal/roster_projection.h"
#include "projections/roster/roster.h"

namespace backpack {

struct Roster::Impl {
  explicit Impl(Services& s) : services(s), projection(s, shared) {}
  Services& services;
  roster::SharedMemory shared;
  roster::RosterProjection projection;  // refers to `shared`
};

// Lets the command functions reach the roster's state.
struct RosterInternals {
  static Roster::Impl& Of(const Roster& roster) { return *roster.impl_; }
};

}  // namespace backpack
