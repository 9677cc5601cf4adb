// One-line, human descriptions of events for a family's history view, e.g.
// "Note written (mtss)" or "Profile viewed by Ms. Rivera (class:CLS-7A)".
// Internal to projections/family/.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "events/event.h"

namespace backpack::family {

// `content` is the event's payload as PayloadToJson renders it; `actor_name`
// the display name of the event's actor; `student_id` the student whose
// history this is (picks their own reason out of multi-student reads).
std::string Summarize(EventType type, const boost::json::object& content,
                      std::string_view actor_name, std::string_view student_id);

}  // namespace backpack::family
