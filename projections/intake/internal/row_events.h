// Turns the rows of a parsed import set into import events (SPEC §3-§4).
// Pure: no I/O; the caller decides which of them to append.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "events/event.h"
#include "imports/import_set.h"

namespace backpack::intake {

struct EventContext {
  const AeadKey* index_key = nullptr;  // for StudentIdFor
  std::string import_id;
  std::string actor_id;
  std::string request_id;
  // The import day (YYYY-MM-DD, UTC): a service whose endDate is on or
  // before it is discontinued.
  std::string today;
};

// The event recording one row's current version. A service first seen
// already ended also needs `first_if_new` (its ServiceRecorded) before the
// ServiceDiscontinued in `event`.
struct RowEvent {
  NewEvent event;
  std::optional<NewEvent> first_if_new;
};

// Rows of orgs, academic sessions, classes (with their courses), students
// (with demographics), guardian links and enrollments, in that order, each
// file in file order. Rows with status "tobedeleted" are left out.
void AppendRosterEvents(const imports::ImportSet& set, const EventContext& context,
                        std::vector<RowEvent>& out);

// Rows of attendance, assessments, grades, services, teams and student
// voice, in that order, each file in file order.
void AppendRecordEvents(const imports::ImportSet& set, const EventContext& context,
                        std::vector<RowEvent>& out);

// A NewEvent of `type` stamped with the context's actor and request.
NewEvent MakeEvent(const EventContext& context, EventType type, std::string subject_id,
                   Bytes payload, bool personal);

}  // namespace backpack::intake
