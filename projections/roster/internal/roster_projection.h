// The roster projection: persists the roster families (records.h) and keeps
// the in-memory AccessState in step with them. Internal to projections/roster/.
//
// Apply stages AccessState mutations as operations; TakeStaged() hands them
// over as one action that runs them under the write lock once their group is
// durable. The operations mirror the persisted families exactly, so
// LoadMemory() over the families yields the same state (same decisions) as
// the incremental path. A RecordShredded cannot be undone on the in-memory
// state, so its action reloads the whole state from the durable families.
//
// It also keeps the decrypted StudentInfo and UserInfo of recent reads
// (GenerationCache); any roster event drops them once its group is durable.
#pragma once

#include <functional>
#include <shared_mutex>
#include <vector>

#include "projections/access_state.h"
#include "projections/generation_cache.h"
#include "projections/projection.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/roster.h"
#include "projections/services.h"

namespace backpack::roster {

// Everything the roster keeps in memory: ids and access attributes only.
struct Memory {
  AccessState access;
  IdSet students;  // every known, unshredded student id
};

// Memory behind a reader/writer lock. Readers take `mu` shared.
struct SharedMemory {
  static constexpr size_t kInfoCacheCapacity = 4096;
  mutable std::shared_mutex mu;
  Memory state;  // guarded by mu
  // What FindStudent and FindUser (without guardian_of) last read.
  GenerationCache<StudentInfo> students{kInfoCacheCapacity};
  GenerationCache<UserInfo> users{kInfoCacheCapacity};
  void InvalidateInfo() {
    students.Invalidate();
    users.Invalidate();
  }
};

using MemoryOp = std::function<void(Memory&)>;

// What one Apply needs; the handlers in apply_*.cc fill `ops` and `reload`.
struct ApplyContext {
  const LoggedEvent& event;
  ProjectionTxn& txn;
  const AeadKey& index_key;
  std::vector<MemoryOp>& ops;
  bool& reload;
};

// apply_people.cc: orgs, sessions, classes, students, guardians,
// enrollments, retractions.
Status ApplyOrg(ApplyContext& c);
Status ApplySession(ApplyContext& c);
Status ApplyClass(ApplyContext& c);
Status ApplyStudent(ApplyContext& c);
Status ApplyGuardianLink(ApplyContext& c);
Status ApplyGuardianUnlinked(ApplyContext& c);
Status ApplyEnrollment(ApplyContext& c);
Status ApplyRetraction(ApplyContext& c);
// apply_access.cc: accounts, grants, break-glass, shredding.
Status ApplyUser(ApplyContext& c);
Status ApplyUserDisabled(ApplyContext& c);
Status ApplyUserEnabled(ApplyContext& c);
Status ApplyGrant(ApplyContext& c);
Status ApplyRevoke(ApplyContext& c);
Status ApplyBreakGlass(ApplyContext& c);
Status ApplyShred(ApplyContext& c);

// apply_link.cc: an account linked to its OneRoster person after it was made.
// The account that stands for `person_id` (UserIdFor a teacher's or
// guardian's sourcedId): the one linked to the person later, if any, else the
// person id itself. Imported rows naming a person are written under it.
Result<std::string> AccountOfPerson(ProjectionTxn& txn, const std::string& person_id);
// `account_id` now stands for `person_id`: records that (r_user_index) and
// moves the person's guardian links, contacts and teacher enrollments to the
// account, unless the person already has an account (the first keeps them).
Status AdoptPerson(ApplyContext& c, const std::string& person_id, const std::string& account_id);

// Shared by the operations and LoadMemory, so both paths agree.
void AddEnrollmentTo(Memory& m, const EnrollmentKey& row, const EnrollmentPeriod& period);
User UserFor(const std::string& id, Role role, bool disabled, const IdSet& flags,
             const IdSet& schools, const IdSet& grades);

// Builds the in-memory state from the committed families of `store`.
Result<Memory> LoadMemory(Store& store, DataKeyRing& data_keys);

class RosterProjection final : public Projection {
 public:
  // `services` and `shared` must outlive the projection.
  RosterProjection(Services& services, SharedMemory& shared);

  std::string_view name() const override { return "roster"; }
  std::vector<std::string> ColumnFamilies() const override;
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override;
  std::function<void()> TakeStaged() override;
  // Also creates the `credentials` family if absent.
  Status Load(Store& store, DataKeyRing& data_keys) override;

 private:
  Services& services_;
  SharedMemory& shared_;
  void ReloadMemory();

  // Staged by Apply on the writer thread; handed over by TakeStaged.
  std::vector<MemoryOp> pending_;
  bool reload_pending_ = false;
  bool info_changed_ = false;  // a roster event was applied: drop the info caches
};

}  // namespace backpack::roster
