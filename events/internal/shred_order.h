// The log's half of crypto-shredding (SPEC §2.5): once a subject's
// RecordShredded is in the log, no personal event about that subject may
// follow it. Such an event would be sealed under a key that is about to be
// destroyed (or, for a subject whose key was not yet stored, carry a new key
// that outlives the shred's tombstone), and projections would hold rows that
// a replay, which can no longer read it, never rebuilds (SPEC §2.6).
//
// A request that checked "is this student shredded?" just before the shred
// may prepare its append (sealing it with the old key) and reach the writer
// after the RecordShredded: the writer, the one place that orders events,
// refuses it then. Once the RecordShredded's group is written, the subject
// is marked shredded in the key ring, so that later appends fail at once.
//
// Thread-safety: ShredOrder is used by the log's writer under its
// checkpoint_mu_ only; AnswerRefusedAfterShred runs without it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/data_keys.h"
#include "events/event.h"
#include "events/internal/log_pipeline.h"

namespace backpack::log_pipeline {

class ShredOrder {
 public:
  // `data_keys` must outlive this.
  explicit ShredOrder(DataKeyRing& data_keys) : data_keys_(data_keys) {}

  // Takes out of `group`, and returns unanswered, every append with a
  // personal event about a subject whose RecordShredded was sequenced before
  // it (in an earlier group, or earlier in this one or in the same append).
  // Its events and any data key it created are never written. The writer
  // answers them (AnswerRefusedAfterShred) once it has released
  // checkpoint_mu_.
  [[nodiscard]] std::vector<PendingAppend> RefuseAfterShred(std::vector<PendingAppend>& group);
  // `logged` (a group, with its sequence numbers) is about to be written:
  // remembers its RecordShredded events.
  void Sequenced(std::span<const LoggedEvent> logged);
  // The group last Sequenced was written: marks its shredded subjects in the
  // key ring.
  void Written();
  // The log holds `size` events after a refused or failed group: forgets the
  // shreds at or after it (never written, their subjects unmarked), and marks
  // those before it (written, though their group may have failed later).
  void Rewound(uint64_t size);

 private:
  bool FollowsShred(const PendingAppend& append,
                    const std::unordered_set<std::string>& shredded_before,
                    std::vector<std::string>& shreds) const;

  DataKeyRing& data_keys_;
  // Each subject whose RecordShredded is sequenced, with its seq.
  std::unordered_map<std::string, uint64_t> shred_seq_;
  // Subjects of the group last Sequenced, marked once it is written.
  std::vector<std::string> unmarked_;
};

// Answers kGone to each append RefuseAfterShred took out. Called without
// checkpoint_mu_ held, as FailGroup and the syncer answer: a caller's `done`
// never runs under the writer's lock.
void AnswerRefusedAfterShred(std::vector<PendingAppend>& refused);

}  // namespace backpack::log_pipeline
