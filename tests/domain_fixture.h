// A complete Backpack domain over a temporary store, for module and
// integration tests: keys, store, data keys, every module's projections and
// the event log with the projector as its commit hook.
#pragma once

#include <functional>
#include <memory>

#include "core/clock.h"
#include "projections/domain.h"
#include "tests/test_util.h"

namespace backpack::testing {

// Seams for tests that control the store or the log's limits.
struct DomainFixtureOptions {
  // If set, everything uses the store it returns, which wraps the real one
  // (e.g. tests/stalling_store.h) and is closed before it.
  std::function<std::unique_ptr<Store>(Store& real)> wrap_store;
  // The log's options; its clock and hook are the fixture's.
  EventLogOptions log;
};

class DomainFixture {
 public:
  // Opens (or reopens) the store in `dir`; the clock starts at `now_us`.
  explicit DomainFixture(const std::filesystem::path& dir,
                         int64_t now_us = 1'790'000'000'000'000,  // 2026-09-21
                         DomainFixtureOptions options = {});
  ~DomainFixture();

  // Closes everything and opens it again from disk (same clock).
  void Reopen();
  // Replays the whole log, through a fresh Domain, into a new store at `dir`
  // (for comparing a rebuild with the live projections) and returns it.
  std::unique_ptr<Store> Rebuilt(const std::filesystem::path& dir);

  Services& services() { return domain_->services(); }
  Domain& domain() { return *domain_; }
  EventLog& log() { return *log_; }
  Store& store() { return wrapped_ ? *wrapped_ : *store_; }
  DataKeyRing& data_keys() { return *data_keys_; }
  const StoreKeys& keys() const { return *keys_; }
  ManualClock& clock() { return clock_; }

 private:
  void Open();
  void Close();

  std::filesystem::path dir_;
  DomainFixtureOptions options_;
  ManualClock clock_;
  std::unique_ptr<StoreKeys> keys_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Store> wrapped_;  // over store_, if options_.wrap_store
  std::unique_ptr<DataKeyRing> data_keys_;
  std::unique_ptr<Domain> domain_;
  std::unique_ptr<EventLog> log_;
};

}  // namespace backpack::testing
