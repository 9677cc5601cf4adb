#include "tests/domain_fixture.h"

#include <catch2/catch.hpp>

#include "projections/rebuild.h"

namespace backpack::testing {

DomainFixture::DomainFixture(const std::filesystem::path& dir, int64_t now_us,
                             DomainFixtureOptions options)
    : dir_(dir), options_(std::move(options)), clock_(now_us) {
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
  if (options_.wrap_store) wrapped_ = options_.wrap_store(*store_);
  Store& store = this->store();
  data_keys_ = std::make_unique<DataKeyRing>(store, keys_->kek);
  domain_ = std::make_unique<Domain>(store, *data_keys_, *keys_, clock_);
  REQUIRE(store.EnsureColumnFamilies(domain_->ColumnFamilies()).ok());
  EventLogOptions log_options = options_.log;
  log_options.clock = &clock_;
  log_options.hook = &domain_->projector();
  auto log = EventLog::Open(store, *keys_, *data_keys_, log_options);
  REQUIRE(log);
  log_ = std::move(*log);
  REQUIRE(domain_->Start(*log_).ok());
}

void DomainFixture::Close() {
  log_.reset();
  domain_.reset();
  data_keys_.reset();
  wrapped_.reset();
  store_.reset();
}

}  // namespace backpack::testing
