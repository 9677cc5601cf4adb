// Services: the handles every domain module needs, owned by the App
// (tools/app.h) and filled in as the store opens. Modules keep a reference to
// the Services and read its members when they run, never at construction,
// since `log` is set only after the projections are registered.
//
// Modules (one folder each under projections/, one owner each):
//   roster/   Roster:   orgs, classes, students, guardians, users and
//                       credentials, the in-memory AccessState, access
//                       decisions, grants, break-glass, imports, search
//   records/  Records:  attendance, assessments, grades, services, teams,
//                       student voice, notes; profile and home feed
//   audit/    Audit:    access events (RecordViewed / AccessDenied), audit
//                       indexes and queries, breach reports, alerts, logins
//   family/   Family:   per-student history, FERPA §99.32 disclosures,
//                       inspection / correction / deletion requests,
//                       history export bundles, shredding
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/data_keys.h"
#include "core/keys.h"
#include "core/store.h"
#include "events/event_log.h"

namespace backpack {

class Roster;
class Records;
class Audit;
class Family;
class Intake;

struct Services {
  Store* store = nullptr;
  DataKeyRing* data_keys = nullptr;
  const StoreKeys* keys = nullptr;
  Clock* clock = &SystemClock();
  EventLog* log = nullptr;  // set once the log is open

  Roster* roster = nullptr;
  Records* records = nullptr;
  Audit* audit = nullptr;
  Family* family = nullptr;
  Intake* intake = nullptr;  // imports (projections/intake/intake.h)
};

// The actor ids of events no account made: kSystemActorId (imports, maintenance,
// `user add`) and kCliActorId (reads at the command line). Audit filters take
// them before usernames, and no account may take one as its username.
inline constexpr std::string_view kSystemActorId = "system";
inline constexpr std::string_view kCliActorId = "cli";
inline constexpr std::string_view kBuiltInActorIds[] = {kSystemActorId, kCliActorId};

// The built-in actor id that `name` spells, ignoring ASCII case (as usernames
// are compared); nullopt for any other name.
inline std::optional<std::string_view> BuiltInActor(std::string_view name) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::string_view id : kBuiltInActorIds) {
    if (id.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < id.size() && same; ++i) same = lower(name[i]) == id[i];
    if (same) return id;
  }
  return std::nullopt;
}

// Who is acting, for commands and audited reads.
struct Actor {
  std::string user_id;     // kSystemActorId for CLI maintenance without a user
  std::string request_id;  // random per HTTP request or CLI invocation
  std::string client_ip;   // "" for the CLI
};

// An event by `actor` about `subject` ("" for none) whose payload is the
// finished `fbb`. A `personal` payload is encrypted under the subject's key
// when appended; otherwise it must hold only ids, codes and times.
inline NewEvent MakeEvent(EventType type, const Actor& actor, std::string_view subject,
                          const flatbuffers::FlatBufferBuilder& fbb, bool personal) {
  NewEvent e;
  e.type = type;
  e.actor_id = actor.user_id;
  e.subject_id = std::string(subject);
  e.request_id = actor.request_id;
  e.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  e.personal = personal;
  return e;
}

}  // namespace backpack
