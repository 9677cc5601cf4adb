// Rebuilds the roster's in-memory state from its committed families, at
// startup and after a shred: no log replay.
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_projection.h"
#include "projections/sealed.h"

namespace backpack::roster {
namespace {

using Visit = std::function<Status(ByteView key, ByteView value)>;

Status ForEachEntry(Store& store, std::string_view family, const Visit& visit) {
  ASSIGN_OR_RETURN(auto it, store.NewIterator(family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    RETURN_IF_ERROR(visit(it->key(), it->value()));
  }
  return it->status();
}

// The plaintext of a sealed value; nullopt if its owner was shredded.
Result<std::optional<Bytes>> Unseal(DataKeyRing& data_keys, std::string_view family, ByteView key,
                                    ByteView value) {
  ASSIGN_OR_RETURN(std::string_view owner, SealedOwner(value));
  auto data_key = data_keys.Get(std::string(owner));
  if (!data_key && data_key.error().code() == StatusCode::kGone) return std::optional<Bytes>();
  if (!data_key) return Err(data_key.error());
  auto plain = OpenValue(*data_key, family, key, value);
  SecureWipe(*data_key);
  if (!plain) return Err(plain.error());
  return std::optional<Bytes>(std::move(*plain));
}

Status LoadUsers(Store& store, DataKeyRing& data_keys, Memory& m) {
  return ForEachEntry(store, kUsers, [&](ByteView key, ByteView value) -> Status {
    ASSIGN_OR_RETURN(auto plain, Unseal(data_keys, kUsers, key, value));
    if (!plain) return OkStatus();
    ASSIGN_OR_RETURN(UserRecord r, DecodeUser(*plain));
    std::string id(AsChars(key));
    return m.access.UpsertUser(UserFor(id, r.role, r.disabled, r.flags, r.schools, r.grades));
  });
}

Status LoadStudents(Store& store, DataKeyRing& data_keys, Memory& m) {
  return ForEachEntry(store, kStudents, [&](ByteView key, ByteView value) -> Status {
    ASSIGN_OR_RETURN(auto plain, Unseal(data_keys, kStudents, key, value));
    if (!plain) return OkStatus();
    ASSIGN_OR_RETURN(StudentRecord r, DecodeStudent(*plain));
    std::string id(AsChars(key));
    m.students.insert(id);
    RETURN_IF_ERROR(m.access.UpsertStudent(Student{id, r.school_id, r.grade, false}));
    return r.retracted ? m.access.RetractStudent(id) : OkStatus();
  });
}

Status LoadClassesAndEnrollments(Store& store, Memory& m) {
  RETURN_IF_ERROR(ForEachEntry(store, kClasses, [&](ByteView key, ByteView value) -> Status {
    ASSIGN_OR_RETURN(ClassRecord r, DecodeClass(value));
    return m.access.UpsertClass(AsChars(key), r.school_id);
  }));
  return ForEachEntry(store, kEnrollments, [&](ByteView key, ByteView value) -> Status {
    ASSIGN_OR_RETURN(EnrollmentRecord record, DecodeEnrollment(value));
    if (record.retracted) return OkStatus();
    ASSIGN_OR_RETURN(EnrollmentKey row, EnrollmentKey::Decode(key));
    auto period = EnrollmentPeriod::FromDates(record.begin_date, record.end_date);
    if (!period) return DataLossError("enrollment row with malformed dates");
    AddEnrollmentTo(m, row, *period);
    return OkStatus();
  });
}

Status LoadGuardianLinks(Store& store, Memory& m) {
  return ForEachEntry(store, kGuardianLinks, [&](ByteView key, ByteView value) -> Status {
    ASSIGN_OR_RETURN(GuardianLinkState link, DecodeGuardianLink(value));
    if (!link.in_force()) return OkStatus();
    std::string_view k = AsChars(key);
    size_t separator = k.find('\0');
    if (separator == std::string_view::npos) return DataLossError("malformed guardian link key");
    return m.access.LinkGuardian(k.substr(separator + 1), k.substr(0, separator));
  });
}

Status LoadGrantsAndBreakGlass(Store& store, Memory& m) {
  RETURN_IF_ERROR(ForEachEntry(store, kGrants, [&](ByteView key, ByteView value) -> Status {
    ASSIGN_OR_RETURN(GrantRecord r, DecodeGrant(value));
    std::string id(AsChars(key));
    m.access.ApplyGrant(Grant{id, r.educator_id, r.scope, r.expires_at_us, false}).IgnoreError();
    if (r.revoked) m.access.ApplyRevoke(id).IgnoreError();
    return OkStatus();
  }));
  return ForEachEntry(store, kBreakGlass, [&](ByteView key, ByteView value) -> Status {
    ASSIGN_OR_RETURN(BreakGlassRecord r, DecodeBreakGlass(value));
    m.access
        .ApplyBreakGlass(BreakGlass{std::string(AsChars(key)), r.educator_id, r.student_id,
                                    r.started_at_us, r.expires_at_us})
        .IgnoreError();
    return OkStatus();
  });
}

}  // namespace

Result<Memory> LoadMemory(Store& store, DataKeyRing& data_keys) {
  Memory m;
  RETURN_IF_ERROR(LoadUsers(store, data_keys, m));
  RETURN_IF_ERROR(LoadStudents(store, data_keys, m));
  RETURN_IF_ERROR(LoadClassesAndEnrollments(store, m));
  RETURN_IF_ERROR(LoadGuardianLinks(store, m));
  RETURN_IF_ERROR(LoadGrantsAndBreakGlass(store, m));
  return m;
}

}  // namespace backpack::roster
