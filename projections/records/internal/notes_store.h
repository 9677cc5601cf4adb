// Looking up notes by id (rec_notes -> rec_student).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/store.h"
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

// The student of `note_id` if a shred took the note (rec_shredded_notes);
// nullopt otherwise.
Result<std::optional<std::string>> ShreddedNoteStudent(Store& store, std::string_view note_id);

// The ids of the student's notes (rec_notes), in id order.
Result<std::vector<std::string>> NoteIdsOf(ProjectionTxn& txn, std::string_view student_id);

// The metadata of a stored note value.
NoteInfo NoteInfoFrom(const std::string& student_id, const boost::json::object& note);

}  // namespace backpack::records
