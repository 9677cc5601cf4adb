#include "imports/source.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "imports/test_util.h"

using namespace backpack;
using namespace backpack::imports;
using namespace backpack::imports::testing;
namespace fs = std::filesystem;

namespace {

const FileSet kSmall = {{"manifest.csv", "propertyName,value\n"}, {"users.csv", "sourcedId\n"}};

// Zips `entries` and reads the archive back from memory.
tl::expected<FileSet, ImportErrors> ZipRoundTrip(const ZipEntries& entries,
                                                 const ImportLimits& limits = {}) {
  TempDir dir;
  WriteZip(dir.path() / "set.zip", entries);
  Bytes bytes = ReadBytes(dir.path() / "set.zip");
  return ReadZipSource(bytes, "set.zip", limits);
}

std::vector<std::string> ZipErrors(const ZipEntries& entries, const ImportLimits& limits = {}) {
  auto files = ZipRoundTrip(entries, limits);
  REQUIRE_FALSE(files.has_value());
  return Messages(files.error());
}

// Overwrites the 4-byte little-endian value at `offset`.
void PutLe32(Bytes* bytes, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) (*bytes)[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

// Index of the first `signature` (4 bytes) at or after `from`.
size_t Find(const Bytes& bytes, std::string_view signature, size_t from = 0) {
  auto it = std::search(bytes.begin() + from, bytes.end(), signature.begin(), signature.end());
  REQUIRE(it != bytes.end());
  return static_cast<size_t>(it - bytes.begin());
}

}  // namespace

TEST_CASE("zip round trip returns the known files and ignores others") {
  ZipEntries entries = EntriesOf(kSmall);
  entries.emplace_back("readme.txt", "ignored");
  entries.emplace_back("lineItems.csv", "ignored too");
  auto files = ZipRoundTrip(entries);
  REQUIRE(files);
  CHECK(*files == kSmall);
}

TEST_CASE("zip files may sit inside one top-level folder") {
  ZipEntries entries = {{"export/", ""}};
  for (auto& entry : EntriesOf(kSmall, "export")) entries.push_back(entry);
  entries.emplace_back("__MACOSX/export/._users.csv", "resource fork");
  auto files = ZipRoundTrip(entries);
  REQUIRE(files);
  CHECK(*files == kSmall);
}

TEST_CASE("zip files spread over folders or nested deeper are refused") {
  CHECK(ZipErrors({{"a/manifest.csv", "x"}, {"b/users.csv", "y"}}) ==
        std::vector<std::string>{"set.zip: import files are spread over more than one folder"});
  CHECK(ZipErrors({{"manifest.csv", "x"}, {"a/users.csv", "y"}}) ==
        std::vector<std::string>{"set.zip: import files are spread over more than one folder"});
  CHECK(ZipErrors({{"a/b/users.csv", "y"}}) ==
        std::vector<std::string>{
            "set.zip: entry \"a/b/users.csv\": nested more than one folder deep"});
  CHECK(ZipErrors({{"users.csv", "x"}, {"export/users.csv", "y"}}) ==
        std::vector<std::string>{"set.zip: users.csv appears more than once"});
}

TEST_CASE("a zip naming one entry twice is refused as such") {
  TempDir dir;
  WriteZip(dir.path() / "twice.zip", {{"users.csv", "sourcedId\n"}, {"userX.csv", "other\n"}});
  Bytes bytes = ReadBytes(dir.path() / "twice.zip");
  // Rename the second entry to users.csv, in its local header and in the
  // central directory (libzip would not write two entries of one name).
  for (int i = 0; i < 2; ++i) {
    const size_t at = Find(bytes, "userX.csv");
    bytes[at + 4] = static_cast<uint8_t>('s');
  }
  auto files = ReadZipSource(bytes, "twice.zip", ImportLimits{});
  REQUIRE_FALSE(files);
  CHECK(Messages(files.error()) ==
        std::vector<std::string>{"twice.zip: the archive holds two entries with the same name"});
}

TEST_CASE("zip entries that escape the archive are refused, even unknown ones") {
  CHECK(ZipErrors({{"../users.csv", "x"}}) ==
        std::vector<std::string>{"set.zip: entry \"../users.csv\": path escapes the archive"});
  CHECK(ZipErrors({{"export/../../etc/passwd", "x"}}) ==
        std::vector<std::string>{
            "set.zip: entry \"export/../../etc/passwd\": path escapes the archive"});
  CHECK(ZipErrors({{"/etc/users.csv", "x"}}) ==
        std::vector<std::string>{"set.zip: entry \"/etc/users.csv\": absolute path"});
  CHECK(ZipErrors({{"C:/users.csv", "x"}}) ==
        std::vector<std::string>{"set.zip: entry \"C:/users.csv\": absolute path"});
  CHECK(ZipErrors({{"export\\users.csv", "x"}}) ==
        std::vector<std::string>{"set.zip: entry \"export\\users.csv\": backslash in entry name"});
  CHECK(ZipErrors({{"./users.csv", "x"}}) ==
        std::vector<std::string>{"set.zip: entry \"./users.csv\": non-canonical path"});
}

TEST_CASE("zip with too many entries is refused as a limit") {
  ImportLimits limits;
  limits.max_entries = 3;
  ZipEntries entries = {{"a.txt", ""}, {"b.txt", ""}, {"c.txt", ""}, {"d.txt", ""}};
  auto files = ZipRoundTrip(entries, limits);
  REQUIRE_FALSE(files);
  CHECK(Messages(files.error()) == std::vector<std::string>{"set.zip: more than 3 entries"});
  CHECK(files.error().code() == StatusCode::kResourceExhausted);
}

TEST_CASE("zip bomb: a 100 MiB entry is refused by its declared size") {
  TempDir dir;
  WriteZip(dir.path() / "bomb.zip", EntriesOf(kSmall), "orgs.csv", 100ull << 20);
  Bytes bytes = ReadBytes(dir.path() / "bomb.zip");
  CHECK(bytes.size() < (1 << 20));  // highly compressible
  auto files = ReadZipSource(bytes, "bomb.zip", ImportLimits{});
  REQUIRE_FALSE(files);
  CHECK(Messages(files.error()) ==
        std::vector<std::string>{"bomb.zip: files total more than 67108864 bytes uncompressed"});
  CHECK(files.error().code() == StatusCode::kResourceExhausted);
}

TEST_CASE("zip bomb: an entry whose headers understate its size stops at the limit") {
  TempDir dir;
  WriteZip(dir.path() / "bomb.zip", {}, "users.csv", 100ull << 20);
  Bytes bytes = ReadBytes(dir.path() / "bomb.zip");
  // Claim 1000 bytes in both the local header and the central directory.
  PutLe32(&bytes, Find(bytes, "PK\x03\x04") + 22, 1000);
  PutLe32(&bytes, Find(bytes, "PK\x01\x02") + 24, 1000);
  ImportLimits limits;
  limits.max_total_bytes = 1 << 20;
  auto files = ReadZipSource(bytes, "bomb.zip", limits);
  REQUIRE_FALSE(files);
  CHECK(Messages(files.error()) ==
        std::vector<std::string>{"bomb.zip: files total more than 1048576 bytes uncompressed"});
  CHECK(files.error().code() == StatusCode::kResourceExhausted);
}

TEST_CASE("bytes that are not a zip are refused with a message") {
  Bytes junk(200, 0x41);
  auto files = ReadZipSource(junk, "upload.zip", ImportLimits{});
  REQUIRE_FALSE(files);
  REQUIRE(files.error().errors().size() == 1);
  CHECK(files.error().errors()[0].file == "upload.zip");
  CHECK(files.error().errors()[0].message.starts_with("not a readable zip archive"));
  CHECK(files.error().code() == StatusCode::kUnprocessable);
  auto empty = ReadZipSource(ByteView(), "empty.zip", ImportLimits{});  // an empty archive
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("ReadSource reads a zip file from disk") {
  TempDir dir;
  WriteZip(dir.path() / "set.zip", EntriesOf(kSmall));
  auto files = ReadSource(dir.path() / "set.zip", ImportLimits{});
  REQUIRE(files);
  CHECK(*files == kSmall);
}

TEST_CASE("folder input reads the known files at the root or in one subfolder") {
  TempDir root;
  WriteFolder(root.path(), kSmall);
  WriteFile(root.path() / "notes.txt", "ignored");
  auto files = ReadSource(root.path(), ImportLimits{});
  REQUIRE(files);
  CHECK(*files == kSmall);

  TempDir nested;
  WriteFolder(nested.path() / "export", kSmall);
  files = ReadSource(nested.path(), ImportLimits{});
  REQUIRE(files);
  CHECK(*files == kSmall);
}

TEST_CASE("folder symlinks may point inside the folder but not outside it") {
  TempDir root, outside;
  WriteFile(root.path() / "manifest.csv", "propertyName,value\n");
  WriteFile(root.path() / "data" / "real-users.csv", "sourcedId\n");
  fs::create_symlink("data/real-users.csv", root.path() / "users.csv");
  auto files = ReadSource(root.path(), ImportLimits{});
  REQUIRE(files);
  CHECK(files->at("users.csv") == "sourcedId\n");

  WriteFile(outside.path() / "secret.csv", "not yours\n");
  fs::create_symlink(outside.path() / "secret.csv", root.path() / "orgs.csv");
  files = ReadSource(root.path(), ImportLimits{});
  REQUIRE_FALSE(files);
  CHECK(Messages(files.error()) ==
        std::vector<std::string>{"orgs.csv: symlink leads outside the import folder"});
}

TEST_CASE("folder entries that are not regular files are refused") {
  TempDir root;
  WriteFile(root.path() / "manifest.csv", "propertyName,value\n");
  REQUIRE(::mkfifo((root.path() / "users.csv").c_str(), 0600) == 0);
  auto files = ReadSource(root.path(), ImportLimits{});
  REQUIRE_FALSE(files);
  CHECK(Messages(files.error()) == std::vector<std::string>{"users.csv: not a regular file"});
}

TEST_CASE("folder total size limit applies") {
  TempDir root;
  WriteFolder(root.path(), kSmall);
  ImportLimits limits;
  limits.max_total_bytes = 20;
  auto files = ReadSource(root.path(), limits);
  REQUIRE_FALSE(files);
  CHECK(files.error().code() == StatusCode::kResourceExhausted);
  std::string name = root.path().filename().string();
  CHECK(Messages(files.error()) ==
        std::vector<std::string>{name + ": files total more than 20 bytes uncompressed"});
}

TEST_CASE("a missing path is reported") {
  TempDir root;
  auto files = ReadSource(root.path() / "nope.zip", ImportLimits{});
  REQUIRE_FALSE(files);
  CHECK(Messages(files.error()) == std::vector<std::string>{"nope.zip: no such file or folder"});
}
