#include "projections/roster/internal/roster_projection.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <utility>

#include "projections/roster/internal/records.h"

namespace backpack::roster {

void AddEnrollmentTo(Memory& m, const EnrollmentKey& row, const EnrollmentPeriod& period) {
  // Tolerates an enrollment imported before its class: the class exists,
  // without a school, until its ClassImported arrives.
  if (!m.access.FindClass(row.class_id)) m.access.UpsertClass(row.class_id, "").IgnoreError();
  m.access.AddEnrollment(row.class_id, row.member_id, row.role, row.digest, period).IgnoreError();
}

User UserFor(const std::string& id, Role role, bool disabled, const IdSet& flags,
             const IdSet& schools, const IdSet& grades) {
  return User{id, role, disabled, flags, schools, grades};
}

RosterProjection::RosterProjection(Services& services, SharedMemory& shared)
    : services_(services), shared_(shared) {}

std::vector<std::string> RosterProjection::ColumnFamilies() const { return ProjectionFamilies(); }

namespace {

using Handler = Status (*)(ApplyContext&);

// The handler of each event type the roster projects; null for the rest.
Handler HandlerFor(EventType type) {
  switch (type) {
    case EventType::OrgImported:
      return ApplyOrg;
    case EventType::AcademicSessionImported:
      return ApplySession;
    case EventType::ClassImported:
      return ApplyClass;
    case EventType::StudentImported:
      return ApplyStudent;
    case EventType::GuardianLinked:
      return ApplyGuardianLink;
    case EventType::GuardianUnlinked:
      return ApplyGuardianUnlinked;
    case EventType::EnrollmentImported:
      return ApplyEnrollment;
    case EventType::RecordRetracted:
      return ApplyRetraction;
    case EventType::UserCreated:
    case EventType::UserUpdated:
      return ApplyUser;
    case EventType::UserDisabled:
      return ApplyUserDisabled;
    case EventType::UserEnabled:
      return ApplyUserEnabled;
    case EventType::AccessGranted:
      return ApplyGrant;
    case EventType::AccessRevoked:
      return ApplyRevoke;
    case EventType::BreakGlassStarted:
      return ApplyBreakGlass;
    case EventType::RecordShredded:
      return ApplyShred;
    default:
      return nullptr;
  }
}

}  // namespace

Status RosterProjection::Apply(const LoggedEvent& event, ProjectionTxn& txn) {
  Handler handler = HandlerFor(event.header.type);
  if (!handler) return OkStatus();
  info_changed_ = true;
  ApplyContext c{event, txn, services_.keys->index_key, pending_, reload_pending_};
  return handler(c);
}

std::function<void()> RosterProjection::TakeStaged() {
  std::function<void()> memory;
  if (reload_pending_) {
    reload_pending_ = false;
    pending_.clear();
    memory = [this] { ReloadMemory(); };
  } else if (!pending_.empty()) {
    memory = [this, ops = std::move(pending_)] {
      std::unique_lock lock(shared_.mu);
      for (const MemoryOp& op : ops) op(shared_.state);
    };
    pending_.clear();
  }
  if (!std::exchange(info_changed_, false)) return memory;
  return [this, memory = std::move(memory)] {
    if (memory) memory();
    shared_.InvalidateInfo();
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
  shared_.InvalidateInfo();
}

Status RosterProjection::Load(Store& store, DataKeyRing& data_keys) {
  RETURN_IF_ERROR(store.EnsureColumnFamily(kCredentials));
  ASSIGN_OR_RETURN(Memory loaded, LoadMemory(store, data_keys));
  std::unique_lock lock(shared_.mu);
  shared_.state = std::move(loaded);
  shared_.InvalidateInfo();
  return OkStatus();
}

}  // namespace backpack::roster
