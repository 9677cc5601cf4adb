#include "projections/roster/internal/roster_projection.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "projections/roster/internal/records.h"

namespace backpack::roster {

void AddEnrollmentTo(Memory& m, const std::string& class_id, const std::string& member_id,
                     EnrollmentRole role) {
  // Tolerates an enrollment imported before its class: the class exists,
  // without a school, until its ClassImported arrives.
  if (!m.access.FindClass(class_id)) m.access.UpsertClass(class_id, "").IgnoreError();
  m.access.AddEnrollment(class_id, member_id, role).IgnoreError();
}

User UserFor(const std::string& id, Role role, bool disabled, const IdSet& flags,
             const IdSet& schools, const IdSet& grades) {
  return User{id, role, disabled, flags, schools, grades};
}

RosterProjection::RosterProjection(Services& services, SharedMemory& shared)
    : services_(services), shared_(shared) {}

std::vector<std::string> RosterProjection::ColumnFamilies() const { return ProjectionFamilies(); }

Status RosterProjection::Apply(const LoggedEvent& event, ProjectionTxn& txn) {
  ApplyContext c{event, txn, services_.keys->index_key, pending_, reload_pending_};
  switch (event.header.type) {
    case EventType::OrgImported:
      return ApplyOrg(c);
    case EventType::AcademicSessionImported:
      return ApplySession(c);
    case EventType::ClassImported:
      return ApplyClass(c);
    case EventType::StudentImported:
      return ApplyStudent(c);
    case EventType::GuardianLinked:
      return ApplyGuardianLink(c);
    case EventType::EnrollmentImported:
      return ApplyEnrollment(c);
    case EventType::RecordRetracted:
      return ApplyRetraction(c);
    case EventType::UserCreated:
    case EventType::UserUpdated:
      return ApplyUser(c);
    case EventType::UserDisabled:
      return ApplyUserDisabled(c);
    case EventType::AccessGranted:
      return ApplyGrant(c);
    case EventType::AccessRevoked:
      return ApplyRevoke(c);
    case EventType::BreakGlassStarted:
      return ApplyBreakGlass(c);
    case EventType::RecordShredded:
      return ApplyShred(c);
    default:
      return OkStatus();
  }
}

std::function<void()> RosterProjection::TakeStaged() {
  if (reload_pending_) {
    reload_pending_ = false;
    pending_.clear();
    return [this] { ReloadMemory(); };
  }
  if (pending_.empty()) return {};
  return [this, ops = std::move(pending_)] {
    std::unique_lock lock(shared_.mu);
    for (const MemoryOp& op : ops) op(shared_.state);
  };
}

// After a shred, from the durable families (which now include it).
void RosterProjection::ReloadMemory() {
  auto loaded = LoadMemory(*services_.store, *services_.data_keys);
  if (!loaded) {
    spdlog::error("roster: reloading access state after a shred failed: {}",
                  loaded.error().ToString());
    return;
  }
  std::unique_lock lock(shared_.mu);
  shared_.state = std::move(*loaded);
}

Status RosterProjection::Load(Store& store, DataKeyRing& data_keys) {
  RETURN_IF_ERROR(store.EnsureColumnFamily(kCredentials));
  ASSIGN_OR_RETURN(Memory loaded, LoadMemory(store, data_keys));
  std::unique_lock lock(shared_.mu);
  shared_.state = std::move(loaded);
  return OkStatus();
}

}  // namespace backpack::roster
