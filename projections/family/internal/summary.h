// One-line, human descriptions of events for a family's history view, e.g.
// "Note written (mtss)" or "Profile viewed by Ms. Rivera (teaches the student's class)".
// Internal to projections/family/.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "events/event.h"
#include "projections/family/internal/who.h"

namespace backpack::family {

// `content` is the event's payload as PayloadToJson renders it; `actor_name`
// the display name of the event's actor; `student_id` the student whose
// history this is (picks their own reason out of multi-student reads); `who`
// names other people the event names (a grant's educator).
std::string Summarize(EventType type, const boost::json::object& content,
                      std::string_view actor_name, std::string_view student_id, WhoResolver& who);

}  // namespace backpack::family
