// Turns the rows of a parsed import set into import events (SPEC §3-§4).
// Pure: no I/O; the caller decides which of them to append.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
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

// The sourcedIds of the students whose users.csv row is "tobedeleted".
// Rows about them (guardian links, enrollments, supplemental rows) are left
// out of an import: Backpack holds no data about a student it does not
// import, data it could then neither show the family nor shred.
std::unordered_set<std::string> DeletedStudents(const imports::ImportSet& set);

// Rows of orgs, academic sessions, classes (with their courses), students
// (with demographics), guardian links and enrollments, in that order, each
// file in file order. Rows with status "tobedeleted" are left out, and so
// are guardian links and enrollments of DeletedStudents: returns how many of
// those.
uint64_t AppendRosterEvents(const imports::ImportSet& set, const EventContext& context,
                            std::vector<RowEvent>& out);

// Rows of attendance, assessments, grades, services, teams and student
// voice, in that order, each file in file order, except the rows about
// DeletedStudents: returns how many of those were left out.
uint64_t AppendRecordEvents(const imports::ImportSet& set, const EventContext& context,
                            std::vector<RowEvent>& out);

// A NewEvent of `type` stamped with the context's actor and request.
NewEvent MakeEvent(const EventContext& context, EventType type, std::string subject_id,
                   Bytes payload, bool personal);

}  // namespace backpack::intake
