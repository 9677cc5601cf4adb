// Builders of synthetic events for the records tests (no real people).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "events/event.h"
#include "events/event_log.h"
#include "events/schema/payloads_generated.h"

namespace backpack::records_testing {

// --- Records about `student` (a stu_ id), all personal.
NewEvent Attendance(const std::string& student, const std::string& date,
                    fb::AttendanceStatus status, bool excused = false,
                    const std::string& reason = "");
NewEvent Assessment(const std::string& student, const std::string& date,
                    const std::string& assessment, const std::string& score);
NewEvent Grade(const std::string& student, const std::string& class_id, const std::string& term,
               const std::string& grade, const std::string& date);
NewEvent Service(const std::string& student, const std::string& service,
                 const std::string& start_date, const std::string& end_date = "");
NewEvent ServiceEnded(const std::string& student, const std::string& service,
                      const std::string& start_date, const std::string& end_date);
NewEvent Team(const std::string& student, const std::string& activity);
NewEvent Voice(const std::string& student, int64_t submitted_at_us, const std::string& answer);
NewEvent Retracted(const std::string& student, fb::RecordKind kind, uint64_t row_seq);
NewEvent Note(const std::string& student, const std::string& author, const std::string& note_id,
              const std::string& text, bool restricted = false);
// A revision or restriction of note `note_id`, whose event names `student`
// (normally the note's student; the projection follows the note id).
NewEvent NoteRevised(const std::string& student, const std::string& note_id,
                     const std::string& text, const std::string& by);
NewEvent NoteRestricted(const std::string& student, const std::string& note_id,
                        const std::string& by);
// A RecordShredded listing `note_ids` as the student's notes.
NewEvent Shredded(const std::string& student, const std::vector<std::string>& note_ids = {});

// --- Roster facts: a school `school`, a student, a class with a teacher.
NewEvent StudentImported(const AeadKey& index_key, const std::string& sourced_id,
                         const std::string& given_name, const std::string& grade,
                         const std::string& school);
NewEvent ClassImported(const std::string& class_id, const std::string& school);
// A `role` ("teacher" or "student") enrollment of OneRoster user `user_sourced_id`.
NewEvent Enrollment(const AeadKey& index_key, const std::string& sourced_id,
                    const std::string& class_id, const std::string& user_sourced_id,
                    const std::string& role, const std::string& school);
// An educator account `user_id` with `flags` (e.g. "districtwide").
NewEvent EducatorCreated(const std::string& user_id, const std::string& username,
                         const std::string& display_name,
                         const std::vector<std::string>& flags = {});

// Appends `events` in one group; the seq of the first.
uint64_t AppendOrDie(EventLog& log, std::vector<NewEvent> events);

}  // namespace backpack::records_testing
