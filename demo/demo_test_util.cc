#include "demo/demo_test_util.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace backpack::demo_test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  static int counter = 0;
  path_ = fs::temp_directory_path() /
          ("backpack_demo_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
  fs::remove_all(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

namespace {

// Incremental RFC 4180 parser state.
class CsvParser {
 public:
  explicit CsvParser(const std::string& text) : text_(text) {}

  std::vector<std::vector<std::string>> Parse() {
    for (i_ = 0; i_ < text_.size(); ++i_) {
      quoted_ ? InQuotes(text_[i_]) : Unquoted(text_[i_]);
    }
    if (quoted_) throw std::runtime_error("unterminated quote");
    if (!field_.empty() || !record_.empty()) throw std::runtime_error("no final line end");
    return std::move(records_);
  }

 private:
  void InQuotes(char c) {
    if (c != '"') {
      field_ += c;
    } else if (i_ + 1 < text_.size() && text_[i_ + 1] == '"') {
      field_ += '"';
      ++i_;
    } else {
      quoted_ = false;
    }
  }

  void Unquoted(char c) {
    if (c == '"') {
      if (!field_.empty() || was_quoted_) throw std::runtime_error("stray quote");
      quoted_ = was_quoted_ = true;
    } else if (c == ',') {
      EndField();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && (i_ + 1 >= text_.size() || text_[++i_] != '\n')) {
        throw std::runtime_error("bare CR");
      }
      EndField();
      records_.push_back(std::move(record_));
      record_.clear();
    } else {
      if (was_quoted_) throw std::runtime_error("text after a closing quote");
      field_ += c;
    }
  }

  void EndField() {
    record_.push_back(std::move(field_));
    field_.clear();
    was_quoted_ = false;
  }

  const std::string& text_;
  size_t i_ = 0;
  bool quoted_ = false;
  bool was_quoted_ = false;
  std::string field_;
  std::vector<std::string> record_;
  std::vector<std::vector<std::string>> records_;
};

}  // namespace

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  return CsvParser(text).Parse();
}

size_t Csv::Col(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) throw std::runtime_error("no column " + name);
  return static_cast<size_t>(it - header.begin());
}

std::vector<std::string> Csv::Column(const std::string& name) const {
  const size_t col = Col(name);
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row[col]);
  return out;
}

std::set<std::string> Csv::IdsWithRole(const std::set<std::string>& roles) const {
  const size_t role = Col("role"), id = Col("sourcedId");
  std::set<std::string> ids;
  for (const auto& row : rows) {
    if (roles.count(row[role])) ids.insert(row[id]);
  }
  return ids;
}

Csv LoadCsv(const fs::path& path) {
  auto records = ParseCsv(ReadFile(path));
  if (records.empty()) throw std::runtime_error(path.string() + " is empty");
  Csv csv;
  csv.header = std::move(records.front());
  csv.rows.assign(std::make_move_iterator(records.begin() + 1),
                  std::make_move_iterator(records.end()));
  return csv;
}

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(list);
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

DemoOptions SmallDistrict(int students, uint64_t seed) {
  DemoOptions options;
  options.students = students;
  options.seed = seed;
  options.today = "2026-11-20";
  return options;
}

Generated::Generated(const DemoOptions& options) {
  auto result = WriteDemoDistrict(dir.path(), options);
  if (!result) throw std::runtime_error(result.error().ToString());
  summary = std::move(*result);
}

std::map<std::string, uint64_t> Generated::HashFiles() const {
  std::map<std::string, uint64_t> hashes;
  for (const std::string& name : summary.files) {
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : ReadFile(dir.path() / name)) h = (h ^ c) * 1099511628211ULL;
    hashes[name] = h;
  }
  return hashes;
}

const Generated& DefaultDistrict() {
  DemoOptions options = SmallDistrict(2000, 1);
  static const Generated generated(options);
  return generated;
}

}  // namespace backpack::demo_test
