// Records' private state, shared by records.cc, notes.cc, profile.cc and
// feed.cc.
#pragma once

#include "core/store.h"
#include "projections/records/internal/records_projection.h"
#include "projections/records/records.h"

namespace backpack {

struct Records::Impl {
  explicit Impl(Services& s) : services(s) {}
  Services& services;  // not owned
  records::RecordsProjection projection;
};

namespace records {

// A transaction over the committed store for reading only: nothing it
// stages is ever written. One per call; not shared between threads.
class ReadTxn {
 public:
  explicit ReadTxn(Services& services)
      : txn_(*services.store, *services.data_keys, unused_batch_, ReadView::kDurable) {}
  ProjectionTxn& txn() { return txn_; }

 private:
  WriteBatch unused_batch_;
  ProjectionTxn txn_;
};

}  // namespace records
}  // namespace backpack
