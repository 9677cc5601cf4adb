#include "projections/domain.h"

namespace backpack {

Domain::Domain(Store& store, DataKeyRing& data_keys, const StoreKeys& keys, Clock& clock) {
  services_.store = &store;
  services_.data_keys = &data_keys;
  services_.keys = &keys;
  services_.clock = &clock;
  projector_ = std::make_unique<Projector>(store, data_keys);
  // Modules: create each and register its projection, e.g.
  //   roster_ = std::make_unique<Roster>(services_);
  //   services_.roster = roster_.get();
  //   projector_->Add(roster_->projection());
}

Domain::~Domain() = default;

Status Domain::Start(EventLog& log) {
  services_.log = &log;
  for (auto* p : projector_->projections()) {
    RETURN_IF_ERROR(p->Load(*services_.store, *services_.data_keys));
  }
  return OkStatus();
}

}  // namespace backpack
