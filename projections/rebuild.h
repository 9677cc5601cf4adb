// `backpack rebuild`: projections are derived (invariant 6). Dropping them
// and replaying the log must give byte-for-byte the incrementally built state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/data_keys.h"
#include "core/store.h"
#include "events/event_log.h"
#include "projections/projection.h"

namespace backpack {

struct RebuildStats {
  uint64_t events = 0;
  double seconds = 0;
};

// Resets every family of `projector` in `target` and replays `log` into it.
// `target` may be the live store or a scratch store with the same families.
//
// The replay writes without the write-ahead log and flushes at the end. A
// marker in the meta family, written (durably) before the families are reset
// and deleted once the result is durable, tells a later open that a rebuild
// was interrupted and its projections are incomplete (RebuildInterrupted).
Result<RebuildStats> ReplayInto(Store& target, DataKeyRing& data_keys, EventLog& log,
                                Projector& projector);

// How ReplayInto splits a projection that has a partitioner
// (Projection::NewRebuildPartitioner): into RebuildLaneCount() lanes (2 to
// 8, one per core), an event whose lane key is `key` going to lane
// RebuildLaneOf(key, lanes). Tests use them to put events in given lanes.
size_t RebuildLaneCount();
size_t RebuildLaneOf(std::string_view key, size_t lanes);

// True if a rebuild of `store` began and did not finish: its projections
// must be rebuilt before anything reads them.
Result<bool> RebuildInterrupted(Store& store);

// The version of what the projections derive from the log. Raise it with any
// change that makes a projection built by an earlier binary differ from what
// a rebuild now makes (invariant 6): an upgraded store is then rebuilt when
// it opens. 2: home-feed pages count towards bulk-access alerts. 3: sign-ins
// are in the audit trail, failed ones count towards denial bursts. 4: a
// guardian link that went missing with its retracted student stays in force.
// 5: sealed values' nonces and intake's row digests are HMAC-SHA-256.
// 6: a family request's first decision (or statement) stands; later ones in
// the log change nothing. 7: outside disclosures are in the audit trail.
// 8: the recent window is today and 44 days before it, and an attendance
// summary keeps only absences that can still alert; in_rows keeps, for a
// discontinued service, the seq of its record (a corrected supplemental row
// retracts the record at that seq).
// Also 8: r_enrollments rows keep their beginDate and endDate; class access
// holds only while the enrollments are in effect.
// 9: audit keeps shredded students' trail and break-glass alerts; bulk alerts stay current.
// 9: alert reviews and audit settings changes are in the audit trail (a_events).
// 10: a denial-burst window is a fixed-size header plus one entry per denial
// time, not one JSON list rewritten on every denial.
// 11: a shred's audit entry names the approved deletion request (target_id),
// and f_shredded_requests keeps the ids of the requests a shred made unreadable.
// 12: a denial-burst alert counts the denials while it is open, as a bulk
// alert does its reads (the window's header names the alert).
// rec_shredded_notes came after 12 without a new version: no shred logged
// before it lists note ids, so a rebuild of an older store writes nothing
// there either.
// 13: the log takes no personal event about a student after the student's
// RecordShredded. A binary before that could log and project one (a note
// sealed just before the shred destroyed the key), whose rows a rebuild,
// unable to read it, drops: stores such binaries built are rebuilt.
//     and after an alert is reviewed, reads of new students and denials go on
// being reported (a new alert), not silenced until its quiet period ends.
inline constexpr std::string_view kProjectionsVersion = "13";
// True if `store`'s projections were last rebuilt by another version (or
// never, as in a store from before versions were kept).
Result<bool> ProjectionsOutdated(Store& store);
// Records that `store`'s projections are this version's: for a new store,
// whose empty projections are what a rebuild of its empty log makes.
Status MarkProjectionsCurrent(Store& store);

// The first difference between the projector's families in `a` and `b`, or
// nullopt if they are byte-for-byte equal.
Result<std::optional<std::string>> FirstDifference(Store& a, Store& b,
                                                   const std::vector<std::string>& families);

}  // namespace backpack
