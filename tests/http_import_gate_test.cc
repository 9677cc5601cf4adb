// POST /api/imports takes one import at a time (SPEC §6): a zip of up to
// 64 MiB parses into several times that, so another upload while one is in
// flight is refused with 429 and changes nothing. The first import is held
// in flight by a store whose WAL syncs hang (stalling_store.h).
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include "tests/api_test_world.h"
#include "tests/stalling_store.h"

namespace backpack::api_testing {
namespace {

using testing::StallingSyncStore;

// Releases the stall when a failed check ends the test early.
struct ReleaseAtEnd {
  StallingSyncStore*& store;
  ~ReleaseAtEnd() {
    if (store) store->Release();
  }
};

// One import on its own connection, for another thread (no Catch2 here);
// nullopt if the connection closed without an answer.
std::optional<ClientResponse> PostZip(uint16_t port, const std::string& token,
                                      const std::string& zip) {
  http::testing::TestClient client(port, std::chrono::minutes(2));
  const std::string headers =
      "Authorization: Bearer " + token + "\r\nContent-Type: application/zip\r\n";
  if (!client.Send(http::testing::BuildRequest("POST", "/api/imports", zip, headers))) {
    return std::nullopt;
  }
  return client.ReadResponse();
}

// Adds a day of attendance for the student of the first attendance row: a
// set whose import appends events.
void AddAttendanceDay(const std::filesystem::path& dir) {
  std::string text = testing::ReadFile(dir / "attendance.csv");
  const size_t row = text.find('\n') + 1;
  const std::string student = text.substr(row, text.find(',', row) - row);
  text += student + ",2001-02-05,absent,true,\n";
  std::ofstream(dir / "attendance.csv", std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("an import sent while another is in flight gets 429 and changes nothing") {
  StallingSyncStore* store = nullptr;
  ApiWorldOptions options;
  options.domain.wrap_store = [&store](Store& real) {
    auto stalling = std::make_unique<StallingSyncStore>(real);
    store = stalling.get();
    return stalling;
  };
  options.domain.log.durability_wait_limit = std::chrono::minutes(2);
  ApiWorld w(options);
  ReleaseAtEnd release{store};
  REQUIRE(store != nullptr);
  const std::string zip = w.DistrictZip(AddAttendanceDay);
  const uint64_t before = w.LogSize();

  store->Stall();  // the first import waits in its commit, holding the slot
  auto first =
      std::async(std::launch::async, [&] { return PostZip(w.port(), w.admin.token, zip); });
  for (int i = 0; i < 6000 && store->hanging() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(store->hanging() > 0);
  auto second =
      std::async(std::launch::async, [&] { return PostZip(w.port(), w.admin.token, zip); });
  const bool second_answered =
      second.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  store->Release();
  REQUIRE(second_answered);  // not queued behind the first
  const std::optional<ClientResponse> refused = second.get();
  REQUIRE(refused);
  CHECK(refused->status == 429);
  CHECK(refused->body.find("too_many_requests") != std::string::npos);
  CHECK(refused->body.find("another import is in progress") != std::string::npos);

  const std::optional<ClientResponse> taken = first.get();
  REQUIRE(taken);
  REQUIRE(taken->status == 201);
  const uint64_t appended = ApiWorld::Json(*taken).at("events_appended").to_number<uint64_t>();
  CHECK(appended > 0);
  CHECK(w.LogSize() == before + appended);  // the refused one appended nothing

  // Once the first is answered, the next import is taken (it changes nothing).
  auto again = w.Call("POST", "/api/imports", w.admin.token, zip, "application/zip");
  CHECK(again.status == 201);
  CHECK(ApiWorld::Json(again).at("events_appended") == 0);
  CHECK(w.LogSize() == before + appended);
}

}  // namespace backpack::api_testing
