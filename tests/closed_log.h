// ClosedLog: a log of a few notes, written and closed (its final checkpoint
// written), with its store left open so that a test can edit the stored
// bytes as someone with write access to the disk could.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <memory>

#include "events/log_layout.h"
#include "tests/test_util.h"

namespace backpack::testing {

struct ClosedLog {
  // `events` events, the i-th `event(i)`.
  ClosedLog(uint64_t events, const std::function<NewEvent(uint64_t)>& event) : events(events) {
    t = TestLog::Open(dir.path());
    for (uint64_t i = 0; i < events; ++i) REQUIRE(t->log->Append({event(i)}));
    t->log.reset();  // writes the final checkpoint
  }

  // The stored bytes of the event at `seq`.
  Bytes Get(uint64_t seq) {
    auto v = t->store->Get(cf::kLog, layout::LogKey(seq));
    REQUIRE(v);
    REQUIRE(*v);
    return **v;
  }
  void Put(uint64_t seq, ByteView value) {
    WriteBatch b;
    b.Put(cf::kLog, layout::LogKey(seq), value);
    REQUIRE(t->store->Write(b, true).ok());
  }
  void Delete(uint64_t seq) {
    WriteBatch b;
    b.Delete(cf::kLog, layout::LogKey(seq));
    REQUIRE(t->store->Write(b, true).ok());
  }
  void PutCheckpoint(uint64_t size, ByteView note) {
    WriteBatch b;
    b.Put(cf::kCheckpoints, layout::CheckpointKey(size), note);
    REQUIRE(t->store->Write(b, true).ok());
  }
  void DeleteEveryCheckpoint() {
    WriteBatch b;
    for (uint64_t size = 0; size <= events; ++size) {
      b.Delete(cf::kCheckpoints, layout::CheckpointKey(size));
    }
    REQUIRE(t->store->Write(b, true).ok());
  }

  const uint64_t events;
  TempDir dir;
  std::unique_ptr<TestLog> t;
};

}  // namespace backpack::testing
