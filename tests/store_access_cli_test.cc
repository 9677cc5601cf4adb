// Who may open a store and with which keys, through the real binary, and
// what a refused open, a failed `init` or a failed `rebuild --check` leaves
// behind: nothing it did not find.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/keys.h"
#include "core/store.h"
#include "events/codec.h"
#include "tests/process.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

namespace fs = std::filesystem;

// The user the ownership tests hand a store to (the test itself runs as root).
constexpr uid_t kOtherUid = 65534;  // nobody

const std::string kPassword = "a synthetic long password\n";

bool RunningAsRoot() { return ::geteuid() == 0; }

// Runs `backpack ARGS...` as user `uid` (setpriv: needs root).
CliResult RunAs(uid_t uid, const std::vector<std::string>& args) {
  const std::string id = std::to_string(uid);
  std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=" + id, "--regid=" + id,
                                   "--clear-groups", BackpackBin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv);
}

// A store at `data` (keys in DATA/keys) whose log holds a few events.
void InitWithEvents(const fs::path& data) {
  REQUIRE(RunBackpack({"--data", data.string(), "init"}).exit_code == 0);
  const std::vector<std::string> add = {"--data",     data.string(), "user",   "add",
                                        "--username", "admin",       "--role", "district_admin"};
  REQUIRE(RunBackpack(add, kPassword).exit_code == 0);
}

// Every entry under `root` and `root` itself, with owner, mode, size and
// modification time: what a refused command must leave as it was.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> entries;
  auto add = [&entries](const fs::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    entries[path.string()] = std::to_string(st.st_uid) + " " + std::to_string(st.st_mode) + " " +
                             std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) +
                             "." + std::to_string(st.st_mtim.tv_nsec);
  };
  add(root);
  for (const auto& entry : fs::recursive_directory_iterator(root)) add(entry.path());
  return entries;
}

void ChownTree(const fs::path& root, uid_t uid) {
  REQUIRE(::lchown(root.c_str(), uid, uid) == 0);
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    REQUIRE(::lchown(entry.path().c_str(), uid, uid) == 0);
  }
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string KeyIdIn(const fs::path& keys) {
  REQUIRE(CryptoInit().ok());
  auto loaded = LoadKeyFiles(keys);
  REQUIRE(loaded);
  return loaded->signing_key_id;
}

TEST_CASE("a store of another user is refused, as root too, before anything in it changes") {
  if (!RunningAsRoot()) {
    WARN("skipped: handing a store to another user needs root");
    return;
  }
  TempDir tmp;
  fs::permissions(tmp.path(), fs::perms::others_exec, fs::perm_options::add);
  const fs::path data = tmp.path() / "data";
  InitWithEvents(data);
  ChownTree(data, kOtherUid);
  const auto before = Snapshot(data);
  for (std::vector<std::string> command : {std::vector<std::string>{"checkpoint"},
                                           {"verify"},
                                           {"rebuild", "--check"},
                                           {"audit", "query", "--actor", "admin"}}) {
    command.insert(command.begin(), {"--data", data.string()});
    CliResult refused = RunBackpack(command);
    INFO(command[2] << ": " << refused.err);
    CHECK(refused.exit_code == 3);
    CHECK(refused.err.find("belongs to nobody (uid 65534)") != std::string::npos);
    CHECK(refused.err.find("sudo -u nobody backpack") != std::string::npos);
    CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  }
  CHECK(Snapshot(data) == before);  // no file of root's among the owner's
  // Its owner opens it as before.
  CliResult owner = RunAs(kOtherUid, {"--data", data.string(), "checkpoint"});
  INFO(owner.err);
  CHECK(owner.exit_code == 0);
}

TEST_CASE("a store or keys that cannot be read are reported as such, not as missing") {
  if (!RunningAsRoot()) {
    WARN("skipped: running as another user needs root");
    return;
  }
  TempDir tmp;
  fs::permissions(tmp.path(), fs::perms::others_exec, fs::perm_options::add);
  // The store is nobody's; its keys are root's, behind a directory closed to nobody.
  const fs::path data = tmp.path() / "data", keys = tmp.path() / "locked" / "keys";
  REQUIRE(RunBackpack({"--data", data.string(), "init", "--keys", keys.string()}).exit_code == 0);
  fs::permissions(tmp.path() / "locked", fs::perms::owner_all);
  ChownTree(data, kOtherUid);
  CliResult no_keys = RunAs(kOtherUid, {"--data", data.string(), "checkpoint"});
  INFO(no_keys.err);
  CHECK(no_keys.exit_code == 3);
  CHECK(no_keys.err.find("key directory " + keys.string() + ": Permission denied") !=
        std::string::npos);
  CHECK(no_keys.err.find("backpack init") == std::string::npos);
  // verify with a public key reads no key file: the store itself is refused.
  const fs::path closed = tmp.path() / "closed";
  fs::create_directory(closed);
  fs::permissions(closed, fs::perms::owner_all);
  fs::rename(data, closed / "data");
  CliResult no_store = RunAs(kOtherUid, {"--data", (closed / "data").string(), "verify",
                                         "--public-key", std::string(64, 'a')});
  INFO(no_store.err);
  CHECK(no_store.exit_code == 3);
  CHECK(no_store.err.find("Permission denied") != std::string::npos);
  CHECK(no_store.err.find("backpack init") == std::string::npos);
  // What truly does not exist is still named so, with the advice.
  CliResult missing = RunBackpack({"--data", (tmp.path() / "none").string(), "checkpoint"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.find("no store at") != std::string::npos);
  CHECK(missing.err.find("run `backpack init`") != std::string::npos);
}

TEST_CASE("commands take group and other permissions away from the store, and add none") {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  REQUIRE(RunBackpack({"--data", data.string(), "init"}).exit_code == 0);
  // An operator froze the store (owner read and search only).
  fs::permissions(data / "db", fs::perms::owner_read | fs::perms::owner_exec);
  CHECK(RunBackpack({"--data", data.string(), "checkpoint"}).exit_code == 0);
  CHECK((fs::status(data / "db").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_exec));
}

TEST_CASE("a directory that holds no store is refused and left as it was") {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  REQUIRE(RunBackpack({"--data", data.string(), "init"}).exit_code == 0);
  fs::rename(data / "db", tmp.path() / "db.elsewhere");
  fs::create_directory(data / "db");
  std::ofstream(data / "db" / "notes.txt") << "not a database";
  fs::permissions(data / "db", fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read |
                                   fs::perms::others_exec);
  const auto before = Snapshot(data / "db");
  for (const char* command : {"checkpoint", "verify", "rebuild"}) {
    CliResult refused = RunBackpack({"--data", data.string(), command});
    INFO(command << ": " << refused.err);
    CHECK(refused.exit_code == 3);
    CHECK(refused.err.find("holds no database") != std::string::npos);
  }
  CHECK(Snapshot(data / "db") == before);
  CHECK(Names(data / "db") == std::vector<std::string>{"notes.txt"});
}

TEST_CASE("verify with another store's keys is tampering at seq 0, hinting at both key IDs") {
  TempDir tmp;
  const fs::path a = tmp.path() / "a", b = tmp.path() / "b";
  InitWithEvents(a);
  InitWithEvents(b);
  const std::string a_id = KeyIdIn(a / "keys"), b_id = KeyIdIn(b / "keys");
  const std::string named = "the log's events name key ID " + a_id;

  CliResult keys = RunBackpack({"--data", a.string(), "verify", "--keys", (b / "keys").string()});
  INFO(keys.out << keys.err);
  CHECK(keys.exit_code == 1);
  CHECK(keys.out == "tampered at seq 0: bad signature (" + named + ", not key ID " + b_id +
                        " of the key in " + (b / "keys").string() +
                        ": if --keys is wrong, point it at the right keys)\n");

  auto b_keys = LoadKeyFiles(b / "keys");
  REQUIRE(b_keys);
  const std::string b_public = ToHex(b_keys->signing.public_key());
  CliResult pinned = RunBackpack({"--data", a.string(), "verify", "--public-key", b_public});
  INFO(pinned.out << pinned.err);
  CHECK(pinned.exit_code == 1);
  CHECK(pinned.out.starts_with("tampered at seq 0: bad signature (" + named + ", not key ID " +
                               b_id + " of the given key: if --public-key is wrong"));

  // What needs no verification refuses to append under keys the log does not
  // name, saying what the log names and what to do.
  for (const char* command : {"checkpoint", "rebuild"}) {
    CliResult other = RunBackpack({"--data", a.string(), "--keys", (b / "keys").string(), command});
    INFO(command << ": " << other.err);
    CHECK(other.exit_code == 3);
    CHECK(other.err.find(named + ", not the key in " + (b / "keys").string() + " (key ID " + b_id +
                         "); check --keys, and if it is right, run `backpack verify`") !=
          std::string::npos);
  }
  CHECK(RunBackpack({"--data", a.string(), "verify"}).exit_code == 0);
}

TEST_CASE("verify names seq 0 of a log whose events' key IDs were edited and checkpoints dropped") {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  InitWithEvents(data);
  const std::vector<std::string> add = {"--data",     data.string(), "user",   "add",
                                        "--username", "privacy",     "--role", "privacy_officer"};
  REQUIRE(RunBackpack(add, kPassword).exit_code == 0);
  const std::string key_id = KeyIdIn(data / "keys");
  const std::string edited = "deadbeefdeadbeef";
  REQUIRE(edited.size() == key_id.size());
  {
    auto store = Store::Open((data / "db").string(), StoreOptions{});
    REQUIRE(store);
    WriteBatch batch;
    for (uint64_t seq : {0, 1}) {
      auto value = (*store)->Get(cf::kLog, EncodeBigEndian64(seq));
      REQUIRE(value);
      REQUIRE(*value);
      std::string bytes(AsChars(**value));
      const size_t at = bytes.find(key_id);
      REQUIRE(at != std::string::npos);
      bytes.replace(at, edited.size(), edited);
      batch.Put(cf::kLog, EncodeBigEndian64(seq), AsBytes(bytes));
    }
    auto it = (*store)->NewIterator(cf::kCheckpoints);
    REQUIRE(it);
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      batch.Delete(cf::kCheckpoints, Bytes((*it)->key().begin(), (*it)->key().end()));
    }
    REQUIRE((*store)->Write(batch, /*sync=*/true).ok());
  }
  CliResult verify = RunBackpack({"--data", data.string(), "verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.starts_with("tampered at seq 0: bad signature (the log's events name key ID " +
                               edited + ", not key ID " + key_id + " of the key in "));
}

TEST_CASE("a failed init removes what it created and nothing else") {
  TempDir tmp;
  SECTION("a key directory others may write to: the new data directory goes again") {
    const fs::path keys = tmp.path() / "keys";
    fs::create_directory(keys);
    fs::permissions(keys, fs::perms::all);
    CliResult init = RunBackpack(
        {"--data", (tmp.path() / "new" / "data").string(), "init", "--keys", keys.string()});
    CHECK(init.exit_code == 3);
    CHECK(init.err.find("writable by group or others") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.path() / "new"));
    CHECK(fs::exists(keys));  // it was there before
  }
  SECTION("keys.path cannot be written: store and new keys go, the data directory stays") {
    const fs::path data = tmp.path() / "data", keys = tmp.path() / "new-keys";
    fs::create_directories(data / "keys.path");  // a directory: no file can be written there
    std::ofstream(data / "mine.txt") << "the operator's";
    CliResult init = RunBackpack({"--data", data.string(), "init", "--keys", keys.string()});
    CHECK(init.exit_code == 3);
    CHECK(init.err.find("cannot write " + (data / "keys.path").string()) != std::string::npos);
    CHECK(Names(data) == std::vector<std::string>{"keys.path", "mine.txt"});
    CHECK_FALSE(fs::exists(keys));
  }
}

TEST_CASE("init names a key directory that holds only one key file") {
  TempDir tmp;
  REQUIRE(RunBackpack({"--data", (tmp.path() / "first").string(), "init"}).exit_code == 0);
  const fs::path keys = tmp.path() / "keys";
  fs::create_directory(keys);
  fs::copy_file(tmp.path() / "first" / "keys" / "signing.key", keys / "signing.key");
  const fs::path data = tmp.path() / "second";
  CliResult init = RunBackpack({"--data", data.string(), "init", "--keys", keys.string()});
  CHECK(init.exit_code == 3);
  CHECK(init.err.find("holds signing.key but not kek.key") != std::string::npos);
  CHECK(init.err.find("backpack init") == std::string::npos);
  CHECK_FALSE(fs::exists(data));
  CHECK(Names(keys) == std::vector<std::string>{"signing.key"});
}

TEST_CASE("init says when it reuses the keys already in --keys") {
  TempDir tmp;
  const fs::path keys = tmp.path() / "keys";
  const fs::path first = tmp.path() / "first", second = tmp.path() / "second";
  CliResult created = RunBackpack({"--data", first.string(), "init", "--keys", keys.string()});
  REQUIRE(created.exit_code == 0);
  CHECK(created.out.find("already") == std::string::npos);
  CliResult reused = RunBackpack({"--data", second.string(), "init", "--keys", keys.string()});
  REQUIRE(reused.exit_code == 0);
  CHECK(reused.out.find("using the keys already in " + keys.string() + " (signing key ID " +
                        KeyIdIn(keys) + ")") != std::string::npos);
  CHECK(RunBackpack({"--data", second.string(), "verify"}).exit_code == 0);
  CHECK(ReadFile(second / "keys.path") == fs::absolute(keys).string() + "\n");
}

TEST_CASE("rebuild --check leaves no scratch store behind, its own or an earlier one's") {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  InitWithEvents(data);
  auto scratch = [&data] {
    std::vector<std::string> found;
    for (const auto& name : Names(data)) {
      if (name.starts_with("rebuild-check-")) found.push_back(name);
    }
    return found;
  };
  SECTION("a killed check's scratch store is removed by the next check") {
    fs::create_directories(data / "rebuild-check-999999" / "000001.sst");
    fs::create_directories(data / "rebuild-check-notes");  // not a scratch store's name
    CHECK(RunBackpack({"--data", data.string(), "rebuild", "--check"}).exit_code == 0);
    CHECK(scratch() == std::vector<std::string>{"rebuild-check-notes"});
  }
  SECTION("a replay that fails removes its scratch store too") {
    {
      // Every encrypted payload damaged: the log still opens (its tree is
      // intact), the replay cannot decrypt.
      auto store = Store::Open((data / "db").string(), StoreOptions{});
      REQUIRE(store);
      auto it = (*store)->NewIterator(cf::kLog);
      REQUIRE(it);
      WriteBatch damage;
      for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
        Bytes stored((*it)->value().begin(), (*it)->value().end());
        auto decoded = codec::DecodeSignedEvent(stored);
        REQUIRE(decoded);
        if (!decoded->header.payload_encrypted || decoded->payload.empty()) continue;
        stored[static_cast<size_t>(decoded->payload.data() - stored.data())] ^= 1;
        damage.Put(cf::kLog, (*it)->key(), stored);
      }
      REQUIRE(damage.Count() > 0);
      it->reset();
      REQUIRE((*store)->Write(damage, true).ok());
    }
    CliResult check = RunBackpack({"--data", data.string(), "rebuild", "--check"});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 3);
    CHECK(scratch().empty());
  }
}

}  // namespace
}  // namespace backpack::testing
