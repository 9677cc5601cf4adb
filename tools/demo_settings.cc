#include "tools/demo_settings.h"

#include <charconv>
#include <optional>
#include <string>

namespace backpack {
namespace {

constexpr std::string_view kDemoSettingsKey = "demo_settings";

// The stored value: "students=N seed=S" (ASCII).
std::string Encode(const DemoSettings& settings) {
  return "students=" + std::to_string(settings.students) + " seed=" + std::to_string(settings.seed);
}

// Parses `number` from `text` after `prefix`; false unless all of it is one number.
template <typename T>
bool ParseField(std::string_view text, std::string_view prefix, T* number) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *number);
  return error == std::errc() && end == text.data() + text.size();
}

std::optional<DemoSettings> Decode(std::string_view value) {
  const size_t space = value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  DemoSettings settings;
  if (!ParseField(value.substr(0, space), "students=", &settings.students) ||
      !ParseField(value.substr(space + 1), "seed=", &settings.seed)) {
    return std::nullopt;
  }
  return settings;
}

// As the command line gives them: "--students N --seed S".
std::string DemoSettingsFlags(const DemoSettings& settings) {
  return "--students " + std::to_string(settings.students) + " --seed " +
         std::to_string(settings.seed);
}

// The settings recorded in `store`, or nullopt if none are. kDataLoss if the
// value does not parse.
Result<std::optional<DemoSettings>> ReadDemoSettings(Store& store) {
  ASSIGN_OR_RETURN(auto value, store.Get(cf::kMeta, AsBytes(kDemoSettingsKey)));
  if (!value) return std::optional<DemoSettings>();
  std::optional<DemoSettings> settings = Decode(AsChars(*value));
  if (!settings) {
    return Err(DataLossError("meta/demo_settings holds an unreadable value"));
  }
  return settings;
}

// Records `settings` (synced), replacing any recorded before.
Status RecordDemoSettings(Store& store, const DemoSettings& settings) {
  WriteBatch batch;
  const std::string value = Encode(settings);
  batch.Put(cf::kMeta, AsBytes(kDemoSettingsKey), AsBytes(value));
  return store.Write(batch, /*sync=*/true);
}

// Advises a new data directory for a demo that would change the district
// DATA holds: `held` names the settings it was made with.
Status OtherDistrictRefusal(const DataPaths& paths, std::string_view held,
                            const DemoSettings& wanted) {
  return FailedPreconditionError(
      paths.data.string() + " already holds a district made with other settings (" +
      std::string(held) + "), which this demo (" + DemoSettingsFlags(wanted) +
      ") would change; nothing was imported: give demo a new --data directory");
}

// How a refusal names the settings of a district that has none recorded.
constexpr std::string_view kUnrecordedSettings =
    "unrecorded: another import, or a demo from before demos recorded their settings";

// Import refuses a set that would retract most of what the store holds
// (kUnprocessable, Import's only one), advising import's
// --allow-mass-retraction; for demo, which has no such flag, that means DATA
// holds another district.
Status DemoImportRefusal(const Status& status, const DataPaths& paths, const DemoSettings& wanted) {
  if (status.code() != StatusCode::kUnprocessable) return status;
  return OtherDistrictRefusal(paths, kUnrecordedSettings, wanted);
}

}  // namespace

Result<HeldDistrict> FindHeldDistrict(App& app, const DataPaths& paths,
                                      const DemoSettings& wanted) {
  ASSIGN_OR_RETURN(std::optional<DemoSettings> held, ReadDemoSettings(app.store()));
  if (held) {
    if (*held == wanted) return HeldDistrict::kSame;
    return Err(OtherDistrictRefusal(paths, "demo " + DemoSettingsFlags(*held), wanted));
  }
  ASSIGN_OR_RETURN(bool imported, app.services().intake->HasImports());
  return imported ? HeldDistrict::kUnrecorded : HeldDistrict::kNone;
}

Result<ImportReport> ImportAndRecord(App& app, const DataPaths& paths,
                                     const imports::ImportSet& set, const Actor& actor,
                                     HeldDistrict held, const DemoSettings& wanted) {
  if (held == HeldDistrict::kUnrecorded) {
    ImportOptions dry;
    dry.dry_run = true;
    auto planned = Import(app.services(), set, actor, dry);
    if (!planned) return Err(DemoImportRefusal(planned.error(), paths, wanted));
    if (planned->events_appended > 0) {
      return Err(OtherDistrictRefusal(paths, kUnrecordedSettings, wanted));
    }
  }
  auto report = Import(app.services(), set, actor);
  if (!report) return Err(DemoImportRefusal(report.error(), paths, wanted));
  if (held != HeldDistrict::kSame) RETURN_IF_ERROR(RecordDemoSettings(app.store(), wanted));
  return report;
}

}  // namespace backpack
