#include "projections/domain.h"

#include "projections/audit/audit.h"
#include "projections/family/family.h"
#include "projections/intake/intake.h"
#include "projections/records/records.h"
#include "projections/roster/roster.h"

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
  intake_ = std::make_unique<Intake>(services_);
  services_.intake = intake_.get();
  projector_->Add(intake_->projection());
  roster_ = std::make_unique<Roster>(services_);
  services_.roster = roster_.get();
  projector_->Add(roster_->projection());
  records_ = std::make_unique<Records>(services_);
  services_.records = records_.get();
  projector_->Add(records_->projection());
  audit_ = std::make_unique<Audit>(services_);
  services_.audit = audit_.get();
  projector_->Add(audit_->projection());
  family_ = std::make_unique<Family>(services_);
  services_.family = family_.get();
  projector_->Add(family_->projection());
}

Domain::~Domain() = default;

std::vector<std::string> Domain::SequencedFamilies() {
  std::vector<std::string> all = Audit::SequencedFamilies();
  for (auto& family : Family::SequencedFamilies()) all.push_back(std::move(family));
  for (auto& family : Records::SequencedFamilies()) all.push_back(std::move(family));
  return all;
}

Status Domain::Start(EventLog& log) {
  services_.log = &log;
  for (auto* p : projector_->projections()) {
    RETURN_IF_ERROR(p->Load(*services_.store, *services_.data_keys));
  }
  return OkStatus();
}

}  // namespace backpack
