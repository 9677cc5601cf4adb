// The records projection's event handlers: one per event type, each a
// deterministic function of the event and the transaction (invariant 6).
//
// Handlers read and write students' attendance summaries through a
// SummaryMemo when given one (the live projection's, or a rebuild lane's
// own), else through the transaction alone.
//
// Every handler is called only for events with a student subject. Events
// that refer to something the projection does not hold (a revision of an
// unknown note, a retraction of an unknown row) are ignored, so that replay
// over a log with shredded students never fails.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <string>

#include "core/status.h"
#include "events/event.h"
#include "events/payload_view.h"
#include "projections/projection.h"
#include "projections/records/internal/record_store.h"

namespace backpack::records {

// The verified payload table of `event`, or nullptr if the bytes are not a
// valid T.
template <typename T>
const T* VerifiedPayload(const LoggedEvent& event) {
  return VerifiedRoot<T>(event.payload);
}

// Imported records (apply_records.cc).
Status ApplyAttendance(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyAssessment(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyGrade(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyService(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyServiceDiscontinued(const LoggedEvent& event, ProjectionTxn& txn,
                                SummaryMemo* summaries);
Status ApplyTeam(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyVoice(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyRetracted(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);

// Notes and shredding (apply_notes.cc).
Status ApplyNoteWritten(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyNoteRevised(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyNoteRestricted(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);
Status ApplyShredded(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);

// kInvalidArgument naming the event type whose payload failed verification.
Status MalformedPayload(const LoggedEvent& event);

}  // namespace backpack::records
