// manifest.csv, and which files a set must hold.
#include <algorithm>
#include <array>
#include <map>

#include "imports/internal/readers.h"
#include "imports/internal/table.h"

namespace backpack::imports::internal {
namespace {

constexpr std::string_view kManifestFile = "manifest.csv";
constexpr std::array<std::string_view, 3> kRequiredFiles = {"manifest.csv", "orgs.csv",
                                                            "users.csv"};
// The OneRoster files Backpack reads, which the manifest must describe.
constexpr std::array<std::string_view, 7> kOneRosterStems = {
    "academicSessions", "classes", "courses", "demographics", "enrollments", "orgs", "users"};
constexpr std::array<std::string_view, 3> kFileModes = {"absent", "bulk", "delta"};

const FileSpec kManifest{kManifestFile, {"propertyName", "value"}, {}};

bool IsRequired(std::string_view file) {
  return std::find(kRequiredFiles.begin(), kRequiredFiles.end(), file) != kRequiredFiles.end();
}

using Lines = std::map<std::string, size_t>;  // propertyName -> line

void Report(ImportErrors* errors, size_t line, std::string message) {
  errors->Add(std::string(kManifestFile), line, std::move(message));
}

void CheckVersion(const ImportSet& set, const Lines& lines, std::string_view property,
                  std::string_view expected, ImportErrors* errors) {
  auto it = set.manifest.find(std::string(property));
  if (it == set.manifest.end()) {
    Report(errors, 0, "missing property " + std::string(property));
  } else if (it->second != expected) {
    Report(errors, lines.at(it->first),
           std::string(property) + ": expected " + std::string(expected));
  }
}

// A file.* property must be absent, bulk or delta; Backpack reads bulk sets only.
void CheckFileMode(const std::string& property, const std::string& value, size_t line,
                   ImportErrors* errors) {
  if (std::find(kFileModes.begin(), kFileModes.end(), value) == kFileModes.end()) {
    Report(errors, line, property + ": unknown value (expected one of absent, bulk, delta)");
  } else if (value == "delta") {
    Report(errors, line, property + ": delta files are not supported (export in bulk mode)");
  }
}

// The manifest must list each OneRoster file present as bulk, and each
// listed as bulk must be present (a missing required file is reported once,
// by ReadManifest).
void CheckAgreement(const FileSet& files, const ImportSet& set, const Lines& lines,
                    ImportErrors* errors) {
  for (std::string_view stem : kOneRosterStems) {
    std::string file = std::string(stem) + ".csv";
    std::string property = "file." + std::string(stem);
    bool present = files.contains(file);
    auto it = set.manifest.find(property);
    if (it == set.manifest.end()) {
      if (present) {
        Report(errors, 0, "missing property " + property + ", but " + file + " is present");
      }
    } else if (it->second == "bulk" && !present && !IsRequired(file)) {
      errors->Add(file, 0, "missing, but manifest.csv lists it as bulk");
    } else if (it->second == "absent" && present) {
      Report(errors, lines.at(property), property + ": absent, but " + file + " is present");
    }
  }
}

}  // namespace

void ReadManifest(ReadContext* context) {
  ImportErrors* errors = context->errors;
  ImportSet* set = context->set;
  for (std::string_view name : kRequiredFiles) {
    if (!context->files.contains(std::string(name))) {
      errors->Add(std::string(name), 0, "required file is missing");
      context->incomplete_files.insert(std::string(name));  // reported once, here
    }
  }
  Lines lines;
  bool usable = ForEachRow(kManifest, context, [&](const Row& row) {
    std::string name = row.Text("propertyName");
    if (name.empty()) return;
    auto [it, inserted] = lines.emplace(name, row.source().line);
    if (!inserted) {
      row.Error("propertyName: repeated (first at line " + std::to_string(it->second) + ")");
      return;
    }
    set->manifest[name] = row.Text("value");
    if (name.starts_with("file.")) {
      CheckFileMode(name, set->manifest[name], row.source().line, errors);
    }
  });
  if (!usable || context->incomplete_files.contains(std::string(kManifestFile))) return;
  CheckVersion(*set, lines, "manifest.version", "1.0", errors);
  CheckVersion(*set, lines, "oneroster.version", "1.1", errors);
  CheckAgreement(context->files, *set, lines, errors);
}

}  // namespace backpack::imports::internal
