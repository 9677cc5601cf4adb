#include "imports/source.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <system_error>

#include "imports/internal/source_internal.h"

namespace backpack::imports {
namespace {

constexpr std::array<std::string_view, 14> kImportFileNames = {
    "academicSessions.csv", "assessments.csv",   "attendance.csv", "classes.csv",  "courses.csv",
    "demographics.csv",     "enrollments.csv",   "grades.csv",     "manifest.csv", "orgs.csv",
    "services.csv",         "student_voice.csv", "teams.csv",      "users.csv",
};

}  // namespace

std::span<const std::string_view> ImportFileNames() { return kImportFileNames; }

bool IsImportFileName(std::string_view name) {
  return std::find(kImportFileNames.begin(), kImportFileNames.end(), name) !=
         kImportFileNames.end();
}

tl::expected<FileSet, ImportErrors> ReadSource(const std::filesystem::path& path,
                                               const ImportLimits& limits) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status)) return internal::ReadFolder(path, limits);
  if (std::filesystem::is_regular_file(status)) return internal::ReadZipFile(path, limits);
  ImportErrors errors(limits.max_errors);
  errors.Add(path.filename().string(), 0,
             ec || !std::filesystem::exists(status) ? "no such file or folder"
                                                    : "neither a folder nor a zip file");
  return tl::unexpected(std::move(errors));
}

namespace internal {

std::optional<std::string> CheckEntryName(std::string_view name) {
  if (name.empty()) return "empty entry name";
  if (name.front() == '/' || (name.size() > 1 && name[1] == ':')) return "absolute path";
  if (name.find('\\') != std::string_view::npos) return "backslash in entry name";
  if (name.back() == '/') name.remove_suffix(1);  // a directory entry
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = std::min(name.find('/', start), name.size());
    std::string_view part = name.substr(start, end - start);
    if (part == "..") return "path escapes the archive";
    if (part.empty() || part == ".") return "non-canonical path";
    start = end + 1;
  }
  return std::nullopt;
}

std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 80)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F && c != '"') {
      out += c;
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", byte);
      out += hex;
    }
  }
  return out;
}

std::string TooLargeMessage(const ImportLimits& limits) {
  return "files total more than " + std::to_string(limits.max_total_bytes) + " bytes uncompressed";
}

}  // namespace internal
}  // namespace backpack::imports
