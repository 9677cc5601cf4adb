// Looking up notes by id (rec_notes -> rec_student).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "projections/projection.h"
#include "projections/records/records.h"

namespace backpack::records {

struct LoadedNote {
  std::string key;  // in rec_student
  std::string student_id;
  uint64_t seq = 0;
  boost::json::object value;
};

// The note `note_id`; nullopt if unknown, kGone if its student was shredded.
Result<std::optional<LoadedNote>> LoadNote(ProjectionTxn& txn, std::string_view note_id);

// The metadata of a stored note value.
NoteInfo NoteInfoFrom(const std::string& student_id, const boost::json::object& note);

}  // namespace backpack::records
