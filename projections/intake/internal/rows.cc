#include "projections/intake/internal/rows.h"

#include <flatbuffers/flatbuffers.h>

#include "events/payload_view.h"

namespace backpack::intake {
namespace {

using flatbuffers::Offset;
using flatbuffers::String;
using flatbuffers::Vector;

// An unambiguous byte encoding of a sequence of field values: each value is
// length-prefixed, so ("ab","c") and ("a","bc") differ.
class Canon {
 public:
  explicit Canon(std::string_view domain) { Add(domain); }
  Canon& Add(std::string_view text) {
    Add(static_cast<uint64_t>(text.size()));
    bytes_.append(text);
    return *this;
  }
  Canon& Add(const String* text) { return Add(text ? text->string_view() : std::string_view()); }
  Canon& Add(uint64_t value) {
    auto be = EncodeBigEndian64(value);
    bytes_.append(reinterpret_cast<const char*>(be.data()), be.size());
    return *this;
  }
  Canon& Add(bool value) { return Add(static_cast<uint64_t>(value ? 1 : 0)); }
  Canon& Add(const flatbuffers::Optional<bool>& value) {
    return Add(static_cast<uint64_t>(value.has_value() ? *value + 1 : 0));
  }
  Canon& Add(const Vector<Offset<String>>* list) {
    Add(static_cast<uint64_t>(list ? list->size() : 0));
    if (list) {
      for (const String* item : *list) Add(item);
    }
    return *this;
  }
  Hash256 Digest(const HmacSha256Key& key) const { return key.Digest(AsBytes(bytes_)); }

 private:
  std::string bytes_;
};

// A row's identity and content fields, before hashing.
struct RowFields {
  fb::RecordKind kind = fb::RecordKind::Unknown;
  Canon identity{"intake-row-identity"};
  Canon content{"intake-row-content"};
};

// The identity digest needs no kind: the key's first byte holds it.
std::string KeyOf(fb::RecordKind kind, std::string_view owner, const Hash256& identity) {
  std::string key = RowKeyPrefix(kind, owner);
  key.append(reinterpret_cast<const char*>(identity.data()), identity.size());
  return key;
}

void Roster(const fb::OrgImportedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Org;
  f.identity.Add(p.sourced_id());
  f.content.Add(p.sourced_id())
      .Add(p.name())
      .Add(p.type())
      .Add(p.identifier())
      .Add(p.parent_sourced_id());
}

void Roster(const fb::AcademicSessionImportedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::AcademicSession;
  f.identity.Add(p.sourced_id());
  f.content.Add(p.sourced_id())
      .Add(p.title())
      .Add(p.type())
      .Add(p.start_date())
      .Add(p.end_date())
      .Add(p.parent_sourced_id())
      .Add(p.school_year());
}

void Roster(const fb::ClassImportedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Class;
  f.identity.Add(p.sourced_id());
  f.content.Add(p.sourced_id())
      .Add(p.title())
      .Add(p.class_code())
      .Add(p.class_type())
      .Add(p.location())
      .Add(p.course_sourced_id())
      .Add(p.course_title())
      .Add(p.course_code())
      .Add(p.school_sourced_id())
      .Add(p.term_sourced_ids())
      .Add(p.grades())
      .Add(p.subjects())
      .Add(p.periods());
}

void AddDemographics(const fb::Demographics* d, Canon& c) {
  if (!d) {
    c.Add(false);
    return;
  }
  c.Add(true)
      .Add(d->sex())
      .Add(d->american_indian_or_alaska_native())
      .Add(d->asian())
      .Add(d->black_or_african_american())
      .Add(d->native_hawaiian_or_other_pacific_islander())
      .Add(d->white())
      .Add(d->two_or_more_races())
      .Add(d->hispanic_or_latino_ethnicity())
      .Add(d->country_of_birth_code())
      .Add(d->state_of_birth_abbreviation())
      .Add(d->city_of_birth())
      .Add(d->public_school_residence_status());
}

void Roster(const fb::StudentImportedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Student;
  f.identity.Add(p.sourced_id());
  f.content.Add(p.sourced_id())
      .Add(p.given_name())
      .Add(p.family_name())
      .Add(p.middle_name())
      .Add(p.preferred_name())
      .Add(p.grade())
      .Add(p.school_sourced_id())
      .Add(p.org_sourced_ids())
      .Add(p.birth_date())
      .Add(p.email())
      .Add(p.username())
      .Add(p.identifier())
      .Add(p.phone())
      .Add(p.sms())
      .Add(p.enabled());
  AddDemographics(p.demographics(), f.content);
}

void Roster(const fb::GuardianLinkedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Guardian;
  f.identity.Add(p.guardian_sourced_id());
  f.content.Add(p.guardian_sourced_id())
      .Add(p.student_sourced_id())
      .Add(p.given_name())
      .Add(p.family_name())
      .Add(p.email())
      .Add(p.phone())
      .Add(p.sms())
      .Add(p.relationship());
}

void Roster(const fb::EnrollmentImportedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Enrollment;
  f.identity.Add(p.sourced_id());
  f.content.Add(p.sourced_id())
      .Add(p.class_sourced_id())
      .Add(p.school_sourced_id())
      .Add(p.user_sourced_id())
      .Add(p.role())
      .Add(p.primary())
      .Add(p.begin_date())
      .Add(p.end_date());
}

void Record(const fb::AttendanceRecordedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Attendance;
  f.identity.Add(p.date());
  f.content.Add(p.date()).Add(static_cast<uint64_t>(p.status())).Add(p.excused()).Add(p.reason());
}

void Record(const fb::AssessmentRecordedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Assessment;
  f.identity.Add(p.date()).Add(p.assessment()).Add(p.subject());
  auto percentile = p.percentile();
  f.content.Add(p.date())
      .Add(p.assessment())
      .Add(p.subject())
      .Add(p.score())
      .Add(static_cast<uint64_t>(percentile.has_value() ? *percentile + 1 : 0))
      .Add(p.performance_level());
}

void Record(const fb::GradeRecordedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Grade;
  f.identity.Add(p.class_sourced_id()).Add(p.term());
  f.content.Add(p.class_sourced_id()).Add(p.term()).Add(p.grade()).Add(p.date());
}

// The content of a ServiceRecorded row. (The literal label converts to bool,
// so it adds `true`; every stored digest has it so, so it stays.)
void AddRecordedService(const String* service, const String* provider, const String* start_date,
                        const String* end_date, Canon& content) {
  content.Add("recorded").Add(service).Add(provider).Add(start_date).Add(end_date);
}

void Record(const fb::ServiceRecordedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Service;
  f.identity.Add(p.service()).Add(p.start_date());
  AddRecordedService(p.service(), p.provider(), p.start_date(), p.end_date(), f.content);
}

void Record(const fb::ServiceDiscontinuedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::Service;
  f.identity.Add(p.service()).Add(p.start_date());
  f.content.Add("discontinued")
      .Add(p.service())
      .Add(p.provider())
      .Add(p.start_date())
      .Add(p.end_date())
      .Add(p.reason());
}

void Record(const fb::TeamMembershipRecordedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::TeamMembership;
  f.identity.Add(p.activity()).Add(p.season());
  f.content.Add(p.activity()).Add(p.season()).Add(p.coach());
}

void Record(const fb::StudentVoiceSubmittedPayload& p, RowFields& f) {
  f.kind = fb::RecordKind::StudentVoice;
  f.identity.Add(static_cast<uint64_t>(p.submitted_at_us())).Add(p.prompt());
  f.content.Add(static_cast<uint64_t>(p.submitted_at_us())).Add(p.prompt()).Add(p.answer());
}

// Verifies `payload` as T and fills `fields` with `describe`; false if the
// payload is not a valid T.
template <typename T, typename Describe>
bool Fill(ByteView payload, RowFields& fields, Describe describe) {
  const T* table = VerifiedRoot<T>(payload);
  if (!table) return false;
  describe(*table, fields);
  return true;
}

// Fills `fields` for an import event type; nullopt for other types.
std::optional<bool> Describe(EventType type, ByteView payload, RowFields& f) {
  auto roster = [](const auto& p, RowFields& fields) { Roster(p, fields); };
  auto record = [](const auto& p, RowFields& fields) { Record(p, fields); };
  switch (type) {
    case EventType::OrgImported:
      return Fill<fb::OrgImportedPayload>(payload, f, roster);
    case EventType::AcademicSessionImported:
      return Fill<fb::AcademicSessionImportedPayload>(payload, f, roster);
    case EventType::ClassImported:
      return Fill<fb::ClassImportedPayload>(payload, f, roster);
    case EventType::StudentImported:
      return Fill<fb::StudentImportedPayload>(payload, f, roster);
    case EventType::GuardianLinked:
      return Fill<fb::GuardianLinkedPayload>(payload, f, roster);
    case EventType::EnrollmentImported:
      return Fill<fb::EnrollmentImportedPayload>(payload, f, roster);
    case EventType::AttendanceRecorded:
      return Fill<fb::AttendanceRecordedPayload>(payload, f, record);
    case EventType::AssessmentRecorded:
      return Fill<fb::AssessmentRecordedPayload>(payload, f, record);
    case EventType::GradeRecorded:
      return Fill<fb::GradeRecordedPayload>(payload, f, record);
    case EventType::ServiceRecorded:
      return Fill<fb::ServiceRecordedPayload>(payload, f, record);
    case EventType::ServiceDiscontinued:
      return Fill<fb::ServiceDiscontinuedPayload>(payload, f, record);
    case EventType::TeamMembershipRecorded:
      return Fill<fb::TeamMembershipRecordedPayload>(payload, f, record);
    case EventType::StudentVoiceSubmitted:
      return Fill<fb::StudentVoiceSubmittedPayload>(payload, f, record);
    default:
      return std::nullopt;
  }
}

}  // namespace

Result<std::optional<RowDigest>> DigestOf(const HmacSha256Key& row_key, EventType type,
                                          std::string_view subject, ByteView payload) {
  RowFields fields;
  std::optional<bool> valid = Describe(type, payload, fields);
  if (!valid) return std::optional<RowDigest>();
  if (!*valid) {
    return Err(DataLossError(std::string(EventTypeName(type)) + " payload fails verification"));
  }
  RowDigest digest;
  digest.kind = fields.kind;
  digest.key = KeyOf(fields.kind, subject, fields.identity.Digest(row_key));
  digest.content = fields.content.Digest(row_key);
  return std::optional<RowDigest>(std::move(digest));
}

Result<bool> EndsOngoingService(const HmacSha256Key& row_key, const Hash256& held,
                                ByteView discontinued) {
  const auto* p = VerifiedRoot<fb::ServiceDiscontinuedPayload>(discontinued);
  if (!p) return Err(DataLossError("ServiceDiscontinued payload fails verification"));
  for (const String* end_date : {p->end_date(), static_cast<const String*>(nullptr)}) {
    Canon content("intake-row-content");
    AddRecordedService(p->service(), p->provider(), p->start_date(), end_date, content);
    if (content.Digest(row_key) == held) return true;
  }
  return false;
}

std::string RetractedRowKey(const HmacSha256Key& row_key, fb::RecordKind kind,
                            std::string_view subject, std::string_view sourced_id) {
  Canon identity("intake-row-identity");
  identity.Add(sourced_id);
  return KeyOf(kind, subject, identity.Digest(row_key));
}

std::string RowKeyPrefix(fb::RecordKind kind, std::optional<std::string_view> owner) {
  std::string prefix(1, static_cast<char>(kind));
  if (owner) {
    prefix.append(*owner);
    prefix.push_back('\0');
  }
  return prefix;
}

std::string RowKeyOwner(ByteView key) {
  if (key.size() < 1 + 1 + 32) return "";
  return std::string(AsChars(key.subspan(1, key.size() - 1 - 1 - 32)));
}

Bytes EncodeRowState(const RowState& state) {
  Bytes value(state.content.begin(), state.content.end());
  auto seq = EncodeBigEndian64(state.seq);
  value.insert(value.end(), seq.begin(), seq.end());
  value.push_back(state.retracted ? 1 : 0);
  return value;
}

std::optional<RowState> DecodeRowState(ByteView value) {
  if (value.size() != 32 + 8 + 1) return std::nullopt;
  RowState state;
  std::copy(value.begin(), value.begin() + 32, state.content.begin());
  state.seq = DecodeBigEndian64(value.subspan(32, 8));
  state.retracted = (value[40] & 1) != 0;
  return state;
}

}  // namespace backpack::intake
