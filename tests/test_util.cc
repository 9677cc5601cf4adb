#include "tests/test_util.h"

#include <flatbuffers/flatbuffers.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <system_error>
#include <thread>

#include "core/threads.h"
#include "events/schema/payloads_generated.h"

namespace backpack::testing {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("backpack-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ThreadStartFailure::ThreadStartFailure(int fail_at) : fail_at_(fail_at) {
  SetThreadStartFaultForTests([this] {
    if (++tried_ == fail_at_) {
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
    }
  });
}

ThreadStartFailure::~ThreadStartFailure() { SetThreadStartFaultForTests(nullptr); }

uint32_t RunSeed() {
  if (const char* seed = std::getenv("BACKPACK_TEST_SEED")) {
    return static_cast<uint32_t>(std::strtoul(seed, nullptr, 10));
  }
  return std::random_device{}();
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TestStore OpenTestStore(const std::filesystem::path& dir, std::string_view origin,
                        uint64_t min_free_bytes, std::optional<uint64_t> bulk_bytes) {
  REQUIRE(CryptoInit().ok());
  TestStore opened;
  bool fresh = !std::filesystem::exists(dir / "keys");
  if (fresh) REQUIRE(CreateKeyFiles(dir / "keys").ok());
  auto keys = LoadKeyFiles(dir / "keys");
  REQUIRE(keys);
  opened.keys = std::make_unique<StoreKeys>(std::move(*keys));
  StoreOptions store_options;
  store_options.create_if_missing = true;
  store_options.min_free_bytes = min_free_bytes;
  if (bulk_bytes) store_options.bulk_write_bytes = store_options.bulk_unlogged_bytes = *bulk_bytes;
  store_options.column_families = EventLog::ColumnFamilies();
  store_options.sequenced_families = EventLog::SequencedFamilies();
  auto store = Store::Open((dir / "db").string(), store_options);
  REQUIRE(store);
  opened.store = std::move(*store);
  if (fresh) REQUIRE(EventLog::InitializeLog(*opened.store, origin).ok());
  return opened;
}

std::unique_ptr<TestLog> TestLog::Open(const std::filesystem::path& dir,
                                       const EventLogOptions& options, uint64_t min_free_bytes,
                                       std::optional<uint64_t> bulk_bytes) {
  auto t = std::make_unique<TestLog>();
  t->dir = dir;
  TestStore opened = OpenTestStore(dir, "backpack.test/log", min_free_bytes, bulk_bytes);
  t->keys = std::move(opened.keys);
  t->store = std::move(opened.store);
  t->data_keys = std::make_unique<DataKeyRing>(*t->store, t->keys->kek);
  auto log = EventLog::Open(*t->store, *t->keys, *t->data_keys, options);
  REQUIRE(log);
  t->log = std::move(*log);
  return t;
}

void TestLog::Close() {
  log.reset();
  data_keys.reset();
  store.reset();
}

bool WaitFor(const std::atomic<bool>& flag) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!flag && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return flag;
}

NewEvent NoteEvent(const std::string& subject, const std::string& text) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteWrittenPayloadDirect(fbb, "note_1", "other", text.c_str(), false));
  NewEvent e;
  e.type = EventType::NoteWritten;
  e.actor_id = "usr_test";
  e.subject_id = subject;
  e.request_id = "req_test";
  e.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return e;
}

std::string AllStoredBytes(Store& store) {
  std::string all;
  for (const auto& family : store.ColumnFamilyNames()) {
    auto it = store.NewIterator(family);
    REQUIRE(it);
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      all += AsChars((*it)->key());
      all += AsChars((*it)->value());
    }
  }
  return all;
}

bool AnyFileContains(const std::filesystem::path& root, std::string_view needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace backpack::testing
