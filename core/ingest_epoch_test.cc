#include "core/internal/ingest_epoch.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <thread>

using namespace backpack;

TEST_CASE("a read between ingestions runs once") {
  IngestEpoch epoch;
  int runs = 0;
  CHECK(epoch.Outside([&] { return ++runs; }) == 1);
  { IngestEpoch::UnderWay ingestion(epoch); }
  CHECK(epoch.Outside([&] { return ++runs; }) == 2);
}

TEST_CASE("a read that an ingestion overlapped runs again") {
  IngestEpoch epoch;
  int runs = 0;
  const int result = epoch.Outside([&] {
    if (++runs == 1) IngestEpoch::UnderWay ingestion(epoch);  // begins and ends mid-read
    return runs;
  });
  CHECK(runs == 2);
  CHECK(result == 2);  // the result of the run no ingestion overlapped
}

TEST_CASE("a read waits while an ingestion is under way") {
  IngestEpoch epoch;
  std::atomic<bool> read{false};
  std::optional<IngestEpoch::UnderWay> ingestion(std::in_place, epoch);
  std::thread reader([&] { epoch.Outside([&] { return read.exchange(true); }); });
  // Whatever the scheduling, the read cannot have run yet.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(read.load());
  ingestion.reset();
  reader.join();
  CHECK(read.load());
}
