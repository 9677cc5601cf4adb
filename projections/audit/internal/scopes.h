// Conversions between AccessScope and the stored fb::ReadScope. Internal.
#pragma once

#include "events/schema/payloads_generated.h"
#include "projections/audit/audit.h"

namespace backpack::audit_internal {

inline fb::ReadScope ToFb(AccessScope scope) { return static_cast<fb::ReadScope>(scope); }

inline AccessScope FromFb(fb::ReadScope scope) {
  auto value = static_cast<uint8_t>(scope);
  return value <= static_cast<uint8_t>(AccessScope::kBreachReport) ? static_cast<AccessScope>(value)
                                                                   : AccessScope::kUnknown;
}

}  // namespace backpack::audit_internal
