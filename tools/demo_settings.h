// The settings a demo district was made with (`demo --students N --seed S`),
// recorded in the store's `meta` family under `demo_settings`
// (docs/storage-format.md), so that a demo of other settings is refused
// before it writes anything.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "imports/import_set.h"
#include "projections/intake/intake.h"
#include "tools/app.h"

namespace backpack {

struct DemoSettings {
  int students = 0;
  uint64_t seed = 0;
  bool operator==(const DemoSettings&) const = default;
};

// What DATA's store holds, for a demo of `wanted` settings.
enum class HeldDistrict {
  kNone,        // nothing imported yet
  kSame,        // a demo of `wanted`, recorded so
  kUnrecorded,  // imports but no settings: another district, or a demo from before demos
                // recorded their settings
};

// Refuses (kFailedPrecondition, one line naming them and advising a new
// --data) settings recorded other than `wanted`. Reads only.
Result<HeldDistrict> FindHeldDistrict(App& app, const DataPaths& paths, const DemoSettings& wanted);

// Imports `set` (the demo district of `wanted`) into a store holding `held`,
// then records `wanted` (synced). A district whose settings are not recorded
// is changed only if it is this demo's (the set appends nothing to it):
// otherwise refused as FindHeldDistrict refuses, nothing appended.
Result<ImportReport> ImportAndRecord(App& app, const DataPaths& paths,
                                     const imports::ImportSet& set, const Actor& actor,
                                     HeldDistrict held, const DemoSettings& wanted);

}  // namespace backpack
