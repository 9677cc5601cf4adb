#include "tests/domain_fixture.h"

#include <catch2/catch.hpp>

#include "projections/rebuild.h"

namespace backpack::testing {

DomainFixture::DomainFixture(const std::filesystem::path& dir, int64_t now_us)
    : dir_(dir), clock_(now_us) {
  Open();
}

DomainFixture::~DomainFixture() { Close(); }

void DomainFixture::Reopen() {
  Close();
  Open();
}

std::unique_ptr<Store> DomainFixture::Rebuilt(const std::filesystem::path& dir) {
  StoreOptions options;
  options.create_if_missing = true;
  auto scratch = Store::Open(dir.string(), options);
  REQUIRE(scratch);
  Domain fresh(**scratch, *data_keys_, *keys_, clock_);
  REQUIRE((*scratch)->EnsureColumnFamilies(fresh.ColumnFamilies()).ok());
  REQUIRE(ReplayInto(**scratch, *data_keys_, *log_, fresh.projector()));
  return std::move(*scratch);
}

void DomainFixture::Open() {
  TestStore opened = OpenTestStore(dir_, "backpack.test/domain");
  keys_ = std::move(opened.keys);
  store_ = std::move(opened.store);
  data_keys_ = std::make_unique<DataKeyRing>(*store_, keys_->kek);
  domain_ = std::make_unique<Domain>(*store_, *data_keys_, *keys_, clock_);
  REQUIRE(store_->EnsureColumnFamilies(domain_->ColumnFamilies()).ok());
  EventLogOptions log_options;
  log_options.clock = &clock_;
  log_options.hook = &domain_->projector();
  auto log = EventLog::Open(*store_, *keys_, *data_keys_, log_options);
  REQUIRE(log);
  log_ = std::move(*log);
  REQUIRE(domain_->Start(*log_).ok());
}

void DomainFixture::Close() {
  log_.reset();
  domain_.reset();
  data_keys_.reset();
  store_.reset();
}

}  // namespace backpack::testing
