// What readers see of stored records: fixed field order, internal fields
// (recorded_at_us, feed_at_us, ...) dropped, times as ISO 8601 UTC. Pure.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "projections/records/internal/keys.h"

namespace backpack::records {

// The instant a record belongs to, for ordering and the recent window: the
// row's date (midnight UTC) if it has a valid one, the time a note was
// written or a voice answer submitted, a service's start; else the time it
// was recorded.
int64_t RecordTime(Tag tag, const boost::json::object& record);

// The latest window start for which the record is in focus in a profile:
// it is recent in a window starting at `since_us` iff since_us <= this.
// Ongoing services and team memberships always are (the maximum int64_t); a
// service that ended is until its end or its start, whichever is later.
int64_t RecentThrough(Tag tag, const boost::json::object& record);

// Views of non-note records by tag; unknown tags give an empty object.
boost::json::object RecordView(Tag tag, const boost::json::object& record);

// How the profile's reader relates to a note.
struct NoteViewer {
  std::string user_id;
  bool can_view_restricted = false;
};
// A staff member's display name by user id ("" if unknown).
using NameOf = std::function<std::string(const std::string& user_id)>;
// A note in a profile, its author and last reviser named. Restricted notes
// never carry their text.
boost::json::object NoteView(const boost::json::object& note, const NameOf& name_of,
                             const NoteViewer& viewer);

}  // namespace backpack::records
