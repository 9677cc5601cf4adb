// Test-only helpers: a strict RFC 4180 reader and generated demo districts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "demo/demo_district.h"

namespace backpack::demo_test {

// A folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::filesystem::path& path);

// Parses RFC 4180 text (LF or CRLF line ends). Throws std::runtime_error on
// an unterminated quote, a stray quote, a bare CR or a missing final line end.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text);

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  // Index of column `name`; throws if absent.
  size_t Col(const std::string& name) const;
  // Values of column `name` in row order.
  std::vector<std::string> Column(const std::string& name) const;
  // sourcedIds (column "sourcedId") of users.csv rows whose role is in `roles`.
  std::set<std::string> IdsWithRole(const std::set<std::string>& roles) const;
};

// Loads and parses `path`; throws if it is malformed or empty.
Csv LoadCsv(const std::filesystem::path& path);

// "a,b,c" -> {"a","b","c"}; "" -> {}.
std::vector<std::string> SplitList(const std::string& list);

// A district of `students` generated with `seed` as of 2026-11-20.
DemoOptions SmallDistrict(int students = 600, uint64_t seed = 7);

// A district written to its own temp dir; throws if generation fails.
struct Generated {
  explicit Generated(const DemoOptions& options);
  Csv Load(const std::string& name) const { return LoadCsv(dir.path() / name); }
  // FNV-1a of each written file's bytes, by file name.
  std::map<std::string, uint64_t> HashFiles() const;

  TempDir dir;
  DemoSummary summary;
};

// The 2,000-student default district (seed 1), generated once per run.
const Generated& DefaultDistrict();

}  // namespace backpack::demo_test
