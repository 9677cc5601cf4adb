// Decides which events an import appends: compares every row of the set
// with what in_rows remembers and finds the rows a full export dropped.
//
// Thread-safety: one Planner per import, on one thread. Reads committed
// state only; the caller serialises imports so the state cannot change
// between planning and appending (except by shredding, which makes the
// append fail with kGone and leaves nothing appended; Import then plans
// again).
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "events/schema/payloads_generated.h"
#include "imports/import_set.h"
#include "projections/intake/internal/row_events.h"
#include "projections/intake/internal/rows.h"
#include "projections/services.h"

namespace backpack::intake {

class Planner {
 public:
  // `services` (with its log open) must outlive the planner.
  Planner(Services& services, EventContext context);

  // Queues the events of rows that are new or changed (moving them out of
  // `rows`). Of rows sharing an identity within the set, the last one counts.
  // A changed supplemental row (attendance ... student voice) is queued as a
  // new one, after RecordRetracted (replaced) of the record it corrects;
  // except a service whose end date has come, held as ongoing with the same
  // provider: its ServiceDiscontinued alone ends that record.
  Status AddRows(std::vector<RowEvent> rows);
  // Queues RecordRetracted for every remembered org, class, student,
  // guardian link and enrollment missing from `set`, for each file the
  // manifest declares a bulk (full) export. Call after AddRows.
  Status AddRetractions(const imports::ImportSet& set);
  // Appends ImportCompleted if any event is queued and returns the queue
  // (empty if the set changes nothing).
  std::vector<NewEvent> Finish(const imports::ImportSet& set);

  uint64_t unchanged() const { return unchanged_; }
  uint64_t retracted() const { return retracted_; }
  uint64_t skipped_shredded() const { return skipped_shredded_; }
  uint64_t superseded() const { return superseded_; }
  uint64_t replaced() const { return replaced_; }
  // Of each kind AddRetractions looked at: the rows held before this set
  // (not retracted), and how many of them the set retracts.
  struct KindRetraction {
    fb::RecordKind kind;
    std::string_view file;  // the file its rows come from, e.g. users.csv
    uint64_t held = 0;
    uint64_t retracted = 0;
  };
  const std::vector<KindRetraction>& retractions() const { return retractions_; }

 private:
  // Queues the events of a changed row; `held` is what in_rows holds for it.
  Status AddChanged(RowEvent row, fb::RecordKind kind, const RowState& held);
  Status RetractMissing(fb::RecordKind kind, std::string_view file);
  // RecordRetracted of the roster row imported by event `seq`.
  Result<NewEvent> RetractionEvent(fb::RecordKind kind, const std::string& owner, uint64_t seq);
  // RecordRetracted (replaced) of the supplemental row whose record event
  // `seq` created.
  NewEvent ReplacementEvent(fb::RecordKind kind, const std::string& owner, uint64_t seq);
  NewEvent RetractedEvent(fb::RecordKind kind, const std::string& owner,
                          const std::string& sourced_id, uint64_t seq, bool replaced);

  Services& services_;
  EventContext context_;
  std::vector<NewEvent> events_;
  std::unordered_set<std::string> present_keys_;  // roster rows in this set
  uint64_t unchanged_ = 0;
  uint64_t retracted_ = 0;
  uint64_t skipped_shredded_ = 0;
  uint64_t superseded_ = 0;  // rows replaced by a later row of the set with the same key
  uint64_t replaced_ = 0;    // held supplemental rows a changed row replaces
  std::vector<KindRetraction> retractions_;
};

}  // namespace backpack::intake
