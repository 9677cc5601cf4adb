#include "demo/internal/csv_writer.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "demo/demo_test_util.h"

namespace backpack::demo {
namespace {

std::string Quoted(std::string_view field) {
  std::string out;
  AppendCsvField(field, out);
  return out;
}

TEST_CASE("fields are quoted only when RFC 4180 requires it") {
  CHECK(Quoted("plain text") == "plain text");
  CHECK(Quoted("") == "");
  CHECK(Quoted("a,b") == "\"a,b\"");
  CHECK(Quoted("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(Quoted("two\nlines") == "\"two\nlines\"");
  CHECK(Quoted("cr\r") == "\"cr\r\"");
}

TEST_CASE("a written file parses back to the same fields") {
  demo_test::TempDir dir;
  std::filesystem::create_directories(dir.path());
  const auto path = dir.path() / "t.csv";
  auto writer = CsvWriter::Create(path, {"a", "b", "c"});
  REQUIRE(writer.has_value());
  (*writer)->Row({"1", "x,y", "He said \"no\"\nthen left"});
  (*writer)->Row({"", "", ""});
  CHECK((*writer)->rows() == 2);
  REQUIRE((*writer)->Close().ok());
  const auto records = demo_test::ParseCsv(demo_test::ReadFile(path));
  REQUIRE(records.size() == 3);
  CHECK(records[0] == std::vector<std::string>{"a", "b", "c"});
  CHECK(records[1] == std::vector<std::string>{"1", "x,y", "He said \"no\"\nthen left"});
  CHECK(records[2] == std::vector<std::string>{"", "", ""});
}

TEST_CASE("a row with the wrong field count is reported by Close") {
  demo_test::TempDir dir;
  std::filesystem::create_directories(dir.path());
  auto writer = CsvWriter::Create(dir.path() / "t.csv", {"a", "b"});
  REQUIRE(writer.has_value());
  (*writer)->Row({"only one"});
  const Status status = (*writer)->Close();
  CHECK(status.code() == StatusCode::kInternal);
  CHECK(status.message().find("t.csv") != std::string::npos);
}

TEST_CASE("creating a file in a missing folder fails with Unavailable") {
  auto writer = CsvWriter::Create("/nonexistent-backpack-dir/x.csv", {"a"});
  REQUIRE(!writer.has_value());
  CHECK(writer.error().code() == StatusCode::kUnavailable);
}

}  // namespace
}  // namespace backpack::demo
