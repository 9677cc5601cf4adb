// Domain: every module and projection of Backpack, wired to one store.
//
// Construction order: the modules are created and their projections
// registered with the Projector; then the caller opens the EventLog with
// projector() as its commit hook and calls Start(log), which loads the
// modules' in-memory state.
#pragma once

#include <memory>

#include "projections/projection.h"
#include "projections/services.h"

namespace backpack {

class Domain {
 public:
  // `store`, `data_keys`, `keys` and `clock` must outlive the Domain.
  Domain(Store& store, DataKeyRing& data_keys, const StoreKeys& keys, Clock& clock);
  ~Domain();

  // Every projection column family (created on open, reset by rebuild).
  std::vector<std::string> ColumnFamilies() const { return projector_->ColumnFamilies(); }
  // Those of them keyed by growing numbers (StoreOptions::sequenced_families);
  // known before any Domain exists, since the store is opened first.
  static std::vector<std::string> SequencedFamilies();
  Projector& projector() { return *projector_; }
  // Attaches the opened log and loads in-memory projection state.
  Status Start(EventLog& log);

  Services& services() { return services_; }

 private:
  Services services_;
  std::unique_ptr<Projector> projector_;
  // Modules, one per folder of projections/; each adds its projection to the
  // projector in the constructor. (Owners: add yours here and in domain.cc.)
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<Roster> roster_;
  std::unique_ptr<Records> records_;
  std::unique_ptr<Audit> audit_;
  std::unique_ptr<Family> family_;
};

}  // namespace backpack
