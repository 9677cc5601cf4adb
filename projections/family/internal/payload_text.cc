#include "projections/family/internal/payload_text.h"

#include <flatbuffers/flatbuffers.h>
#include <flatbuffers/idl.h>

#include <boost/json/parse.hpp>

#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/family/internal/payload_schema.h"

namespace backpack::family {
namespace {

// Every event type with its payload table `<Type>Payload`.
#define BACKPACK_FAMILY_PAYLOAD_TYPES(X)                                                           \
  X(OrgImported)                                                                                   \
  X(AcademicSessionImported)                                                                       \
  X(ClassImported)                                                                                 \
  X(StudentImported)                                                                               \
  X(GuardianLinked)                                                                                \
  X(EnrollmentImported)                                                                            \
  X(RecordRetracted)                                                                               \
  X(AttendanceRecorded) X(AssessmentRecorded) X(GradeRecorded) X(ServiceRecorded)                  \
      X(ServiceDiscontinued) X(TeamMembershipRecorded) X(StudentVoiceSubmitted) X(ImportCompleted) \
          X(NoteWritten) X(NoteRevised) X(NoteRestricted) X(UserCreated) X(UserUpdated)            \
              X(UserDisabled) X(UserEnabled) X(PasswordReset) X(GuardianUnlinked)                  \
                  X(LoginSucceeded) X(LoginFailed) X(AccessGranted) X(AccessRevoked)               \
                      X(BreakGlassStarted) X(RecordViewed) X(AccessDenied) X(RecordDisclosed)      \
                          X(AlertReviewed) X(AuditSettingsChanged) X(InspectionRequested)          \
                              X(InspectionFulfilled) X(CorrectionRequested) X(CorrectionDecided)   \
                                  X(StatementAttached) X(DeletionRequested) X(DeletionApproved)    \
                                      X(RecordShredded) X(ShredReasonRecorded) X(DeletionRefused)  \
                                          X(BenchmarkProbe)

// The schema parsed once; read-only afterwards.
const flatbuffers::Parser* SchemaParser() {
  static const flatbuffers::Parser* parser = [] {
    flatbuffers::IDLOptions options;
    options.strict_json = true;
    options.indent_step = -1;
    options.output_default_scalars_in_json = true;
    options.output_enum_identifiers = true;
    options.natural_utf8 = true;
    auto* p = new flatbuffers::Parser(options);
    if (!p->Parse(kPayloadSchemaText)) {
      delete p;
      return static_cast<flatbuffers::Parser*>(nullptr);
    }
    return p;
  }();
  return parser;
}

template <typename Table>
bool VerifyAs(ByteView payload) {
  return VerifiedRoot<Table>(payload) != nullptr;
}

// The fully qualified table name of `type`, or "" if it has none.
std::string_view TableName(EventType type) {
  switch (type) {
#define BACKPACK_FAMILY_NAME_CASE(T) \
  case EventType::T:                 \
    return "backpack.fb." #T "Payload";
    BACKPACK_FAMILY_PAYLOAD_TYPES(BACKPACK_FAMILY_NAME_CASE)
#undef BACKPACK_FAMILY_NAME_CASE
    default:
      return "";
  }
}

}  // namespace

bool VerifyPayload(EventType type, ByteView payload) {
  switch (type) {
#define BACKPACK_FAMILY_VERIFY_CASE(T) \
  case EventType::T:                   \
    return VerifyAs<fb::T##Payload>(payload);
    BACKPACK_FAMILY_PAYLOAD_TYPES(BACKPACK_FAMILY_VERIFY_CASE)
#undef BACKPACK_FAMILY_VERIFY_CASE
    default:
      return false;
  }
}

Result<boost::json::object> PayloadToJson(EventType type, ByteView payload) {
  std::string_view table = TableName(type);
  if (table.empty()) return Err(InvalidArgumentError("event type has no payload table"));
  if (!VerifyPayload(type, payload)) {
    return Err(
        DataLossError("payload is not a valid " + std::string(EventTypeName(type)) + " table"));
  }
  const flatbuffers::Parser* parser = SchemaParser();
  if (!parser) return Err(InternalError("the embedded payload schema does not parse"));
  std::string text;
  const void* root = flatbuffers::GetRoot<flatbuffers::Table>(payload.data());
  if (!flatbuffers::GenerateTextFromTable(*parser, root, std::string(table), &text)) {
    return Err(DataLossError("payload cannot be rendered as JSON (invalid UTF-8?)"));
  }
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return Err(InternalError("payload JSON does not parse"));
  return std::move(value.as_object());
}

}  // namespace backpack::family
