// Audit::RecordLogin: LoginSucceeded / LoginFailed events.
#include <flatbuffers/flatbuffers.h>

#include "events/schema/payloads_generated.h"
#include "projections/audit/audit.h"
#include "projections/ids.h"

namespace backpack {
namespace {

fb::LoginFailure ToFb(LoginFailure failure) {
  switch (failure) {
    case LoginFailure::kNoSuchUser:
      return fb::LoginFailure::NoSuchUser;
    case LoginFailure::kBadPassword:
      return fb::LoginFailure::BadPassword;
    case LoginFailure::kDisabled:
      return fb::LoginFailure::Disabled;
    case LoginFailure::kRateLimited:
      return fb::LoginFailure::RateLimited;
    case LoginFailure::kNone:
      break;
  }
  return fb::LoginFailure::Unknown;
}

Bytes Finish(flatbuffers::FlatBufferBuilder& fbb) {
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace

Status Audit::RecordLogin(std::string_view username, std::optional<std::string> user_id,
                          std::string_view client_ip, bool success, LoginFailure failure,
                          std::string_view request_id) {
  if (success && (!user_id || user_id->empty())) {
    return InvalidArgumentError("a successful login needs the user id");
  }
  if (!services_.log) return UnavailableError("the audit log is not open");
  std::string user = user_id.value_or("");
  std::string ip(client_ip);
  flatbuffers::FlatBufferBuilder fbb;
  NewEvent event;
  if (success) {
    fbb.Finish(fb::CreateLoginSucceededPayloadDirect(fbb, user.c_str(), ip.c_str()));
    event.type = EventType::LoginSucceeded;
  } else {
    // The typed username may be a mistyped password: only its keyed digest.
    auto digest = FromHex(LookupDigest(services_.keys->index_key, "username", username));
    Bytes digest_bytes = digest ? *digest : Bytes();
    fbb.Finish(fb::CreateLoginFailedPayloadDirect(fbb, user.c_str(), &digest_bytes, ip.c_str(),
                                                  ToFb(failure)));
    event.type = EventType::LoginFailed;
  }
  event.actor_id = user;
  event.request_id = std::string(request_id);
  event.payload = Finish(fbb);
  event.personal = false;
  std::vector<NewEvent> events;
  events.push_back(std::move(event));
  auto appended = services_.log->Append(std::move(events));
  if (appended) return OkStatus();
  return UnavailableError("the login could not be recorded: " + appended.error().message());
}

}  // namespace backpack
