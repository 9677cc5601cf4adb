#include "imports/csv.h"

#include <catch2/catch.hpp>

using namespace backpack::imports;

namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows Fields(const CsvTable& table) {
  Rows rows;
  for (const CsvRecord& record : table.records) rows.push_back(record.fields);
  return rows;
}

std::vector<size_t> Lines(const CsvTable& table) {
  std::vector<size_t> lines;
  for (const CsvRecord& record : table.records) lines.push_back(record.line);
  return lines;
}

CsvError ErrorOf(std::string_view text, const CsvLimits& limits = {}) {
  auto table = ParseCsv(text, limits);
  REQUIRE_FALSE(table.has_value());
  return table.error();
}

}  // namespace

TEST_CASE("CSV reads a header and plain records") {
  auto table = ParseCsv("a,b,c\n1,2,3\n4,,6\n");
  REQUIRE(table);
  CHECK(table->header == std::vector<std::string>{"a", "b", "c"});
  CHECK(Fields(*table) == Rows{{"1", "2", "3"}, {"4", "", "6"}});
  CHECK(Lines(*table) == std::vector<size_t>{2, 3});
}

TEST_CASE("CSV quoted fields keep commas, doubled quotes and line breaks") {
  auto table = ParseCsv("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,\"\"\n");
  REQUIRE(table);
  CHECK(Fields(*table) == Rows{{"x, y", "say \"hi\""}, {"two\nlines", "z"}, {"last", ""}});
  CHECK(Lines(*table) == std::vector<size_t>{2, 3, 5});
}

TEST_CASE("CSV accepts CRLF, a byte order mark and a missing final line end") {
  auto table = ParseCsv("\xEF\xBB\xBFid,name\r\n1,\"a\r\nb\"\r\n2,c");
  REQUIRE(table);
  CHECK(table->header == std::vector<std::string>{"id", "name"});
  CHECK(Fields(*table) == Rows{{"1", "a\r\nb"}, {"2", "c"}});
  CHECK(Lines(*table) == std::vector<size_t>{2, 4});
}

TEST_CASE("CSV skips blank lines but counts them") {
  auto table = ParseCsv("a\n\n1\r\n\r\n2\n\n");
  REQUIRE(table);
  CHECK(Fields(*table) == Rows{{"1"}, {"2"}});
  CHECK(Lines(*table) == std::vector<size_t>{3, 5});
}

TEST_CASE("CSV without a header row is refused") {
  CsvError error = ErrorOf("");
  CHECK(error.line == 1);
  CHECK(error.message == "missing header row");
  CHECK(ErrorOf("\xEF\xBB\xBF\n\n").message == "missing header row");
}

TEST_CASE("CSV unbalanced quotes are reported at the line where the record starts") {
  CsvError error = ErrorOf("a,b\n1,2\n3,\"open\nstill open\nand more\n");
  CHECK(error.line == 3);
  CHECK(error.message == "unterminated quoted field");
}

TEST_CASE("CSV refuses quotes inside unquoted fields and text after a closing quote") {
  CsvError inside = ErrorOf("a,b\n1,ab\"c\n");
  CHECK(inside.line == 2);
  CHECK(inside.message == "quote inside an unquoted field");
  CsvError after = ErrorOf("a,b\n\"multi\nline\"x,1\n");
  CHECK(after.line == 2);
  CHECK(after.message == "unexpected text after a closing quote");
}

TEST_CASE("CSV refuses a bare carriage return") {
  CsvError error = ErrorOf("a\n1\r2\n");
  CHECK(error.line == 2);
  CHECK(error.message == "carriage return without a line feed");
}

TEST_CASE("CSV refuses fields over the size limit, quoted or not") {
  CsvLimits limits{8, 256};
  CHECK(ParseCsv("a\n12345678\n", limits));
  CsvError plain = ErrorOf("a\n123456789\n", limits);
  CHECK(plain.line == 2);
  CHECK(plain.message == "field longer than 8 bytes");
  CsvError quoted = ErrorOf("a\nx\n\"1234\n56789\"\n", limits);
  CHECK(quoted.line == 3);
  CHECK(quoted.message == "field longer than 8 bytes");
  CHECK(ErrorOf("a\n\"12345678\"\"\"\n", limits).message == "field longer than 8 bytes");
}

TEST_CASE("CSV default field limit is 64 KiB") {
  std::string ok = "a\n" + std::string(64 * 1024, 'x') + "\n";
  CHECK(ParseCsv(ok));
  std::string big = "a\n\"" + std::string(64 * 1024 + 1, 'x') + "\"\n";
  CHECK(ErrorOf(big).message == "field longer than 65536 bytes");
}

TEST_CASE("CSV refuses records with too many fields") {
  CsvError error = ErrorOf("a\n1,2,3,4\n", CsvLimits{64, 3});
  CHECK(error.line == 2);
  CHECK(error.message == "more than 3 fields in one record");
}

TEST_CASE("CSV refuses invalid UTF-8 and NUL bytes at the record's first line") {
  CsvError overlong = ErrorOf("a,b\nok,\"x\n\xC0\x80\"\n");
  CHECK(overlong.line == 2);
  CHECK(overlong.message == "invalid UTF-8 in field 2");
  CHECK(ErrorOf("a\n\xED\xA0\x80\n").message == "invalid UTF-8 in field 1");
  CHECK(ErrorOf("h\xFF\n").line == 1);
  CsvError nul = ErrorOf(std::string_view("a\nx\0y\n", 6));
  CHECK(nul.line == 2);
  CHECK(nul.message == "NUL byte in field 1");
}

TEST_CASE("CSV refuses control characters but keeps tabs and line breaks in quoted fields") {
  CsvError escape = ErrorOf("name\n\"Ana\x1b[2J\"\n");
  CHECK(escape.line == 2);
  CHECK(escape.message == "control character in field 1");
  CHECK(ErrorOf("a,b\nok,bell\x07\n").message == "control character in field 2");
  CHECK(ErrorOf("a\nc1\xC2\x9B\n").message == "control character in field 1");  // U+009B
  auto table = ParseCsv("a,b\n\"two\r\nlines\",\"tab\there\"\n");
  REQUIRE(table);
  CHECK(Fields(*table) == Rows{{"two\r\nlines", "tab\there"}});
}

TEST_CASE("CSV refuses bidirectional controls, which could make a value read as another") {
  CHECK(ErrorOf("name\nAdmin \xe2\x80\xae"
                "nimda\n")
            .message ==  // U+202E
        "bidirectional control character in field 1");
  CHECK(ErrorOf("a,b\nok,\"x\xe2\x81\xa6y\xe2\x81\xa9\"\n").message ==  // U+2066 .. U+2069
        "bidirectional control character in field 2");
  auto table = ParseCsv("name\n\xd8\xb9\xd9\x84\xd9\x8a\n");  // Arabic letters are text
  REQUIRE(table);
  CHECK(Fields(*table) == Rows{{"\xd8\xb9\xd9\x84\xd9\x8a"}});
}

TEST_CASE("CSV keeps direction marks, which right-to-left names carry and which reorder nothing") {
  // U+200F RIGHT-TO-LEFT MARK, U+200E LEFT-TO-RIGHT MARK, U+061C ARABIC LETTER MARK
  const std::string marked = "\xd8\xb9\xd9\x84\xe2\x80\x8f 7\xe2\x80\x8e \xd8\xb9\xd8\x9c";
  auto table = ParseCsv("name\n" + marked + "\n");
  REQUIRE(table);
  CHECK(Fields(*table) == Rows{{marked}});
}

TEST_CASE("UTF-8 validation follows RFC 3629") {
  CHECK(IsValidUtf8("plain ASCII"));
  CHECK(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\x92"));
  CHECK_FALSE(IsValidUtf8("\xC3"));              // truncated
  CHECK_FALSE(IsValidUtf8("\xC1\xBF"));          // overlong
  CHECK_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // overlong
  CHECK_FALSE(IsValidUtf8("\xED\xBF\xBF"));      // surrogate
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("\x80"));              // lone continuation
  CHECK_FALSE(IsValidUtf8("\xE2\x28\xA1"));      // bad continuation
}

TEST_CASE("CsvReader reports each bad record and reads on after it") {
  std::string many_fields(300, ',');
  std::string text =
      "h1,h2\n"
      "ok,1\n"
      "bad\xff,2\n"
      "x\"y,3\n"
      "ok2,4\n"
      "\"" +
      std::string(70'000, 'a') + "\",5\n" + many_fields +
      "\n"
      "last,6\n"
      "\"open,7\n"
      "never,8\n";
  CsvReader reader(text, CsvLimits{});
  CsvRecord record;
  std::vector<std::string> seen;  // "line: fields or error"
  while (true) {
    auto got = reader.Next(&record);
    if (got && !*got) break;
    if (got) {
      seen.push_back(std::to_string(record.line) + ": " + record.fields[0]);
    } else {
      seen.push_back(std::to_string(got.error().line) + ": " + got.error().message);
    }
  }
  CHECK(seen == std::vector<std::string>{"1: h1", "2: ok", "3: invalid UTF-8 in field 1",
                                         "4: quote inside an unquoted field", "5: ok2",
                                         "6: field longer than 65536 bytes",
                                         "7: more than 256 fields in one record", "8: last",
                                         "9: unterminated quoted field"});
}
