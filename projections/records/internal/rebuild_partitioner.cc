// Replaying the records projection in lanes by student. Every record is keyed
// by its student except through the note index (rec_notes), which a note
// revision or restriction follows to the note's student, and which a note
// written with an id already taken leaves unchanged. So a note event goes to
// the lane of the student who first wrote that note id; everything else to
// its subject's lane. The one case no lane split can follow is an id reused
// after the student who held it was shredded (the live projection then
// writes the note for the new student): from there on one lane replays all.
#include <deque>
#include <unordered_map>

#include "events/schema/payloads_generated.h"
#include "projections/records/internal/apply.h"
#include "projections/records/internal/records_projection.h"

namespace backpack::records {
namespace {

class RecordsPartitioner final : public RebuildPartitioner {
 public:
  std::optional<std::string_view> LaneKey(const LoggedEvent& event) override {
    const std::string& subject = event.header.subject_id;
    if (event.shredded || subject.empty()) return subject;  // applies nothing
    switch (event.header.type) {
      case EventType::NoteWritten:
        return NoteWritten(event);
      case EventType::NoteRevised:
        return OwnerOr(NoteIdOf<fb::NoteRevisedPayload>(event), subject);
      case EventType::NoteRestricted:
        return OwnerOr(NoteIdOf<fb::NoteRestrictedPayload>(event), subject);
      case EventType::RecordShredded:
        Shredded(subject);
        return subject;
      default:
        return subject;
    }
  }

  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) const override {
    return ApplyRecordEvent(event, txn, /*summaries=*/nullptr);
  }

 private:
  struct Student {
    std::string id;
    uint32_t shreds = 0;  // how many times the student was shredded so far
  };
  // Who first wrote a note id. The id is free again once that student has
  // been shredded since.
  struct Holder {
    uint32_t student;  // in students_
    uint32_t shreds;   // the student's shreds when the id was first written
  };

  // "" if the payload is malformed (the lane then reports it) or has no id.
  template <class Payload>
  static std::string NoteIdOf(const LoggedEvent& event) {
    auto* payload = VerifiedPayload<Payload>(event);
    return payload ? Str(payload->note_id()) : std::string();
  }

  std::optional<std::string_view> NoteWritten(const LoggedEvent& event) {
    const std::string& subject = event.header.subject_id;
    std::string note_id = NoteIdOf<fb::NoteWrittenPayload>(event);
    if (note_id.empty()) return subject;
    const uint32_t student = StudentIndex(subject);
    auto [it, first] =
        holders_.try_emplace(std::move(note_id), Holder{student, students_[student].shreds});
    if (first) return subject;
    const Holder& holder = it->second;
    if (students_[holder.student].shreds > holder.shreds) return std::nullopt;
    return std::string_view(students_[holder.student].id);  // ignored there: the id is taken
  }

  std::string_view OwnerOr(const std::string& note_id, const std::string& subject) const {
    auto it = holders_.find(note_id);
    return it == holders_.end() ? std::string_view(subject)
                                : std::string_view(students_[it->second.student].id);
  }

  // Frees every note id the student holds (their holders count the shreds).
  void Shredded(const std::string& student) {
    auto found = index_of_.find(student);
    if (found != index_of_.end()) ++students_[found->second].shreds;
  }

  uint32_t StudentIndex(const std::string& student) {
    auto [it, added] = index_of_.try_emplace(student, static_cast<uint32_t>(students_.size()));
    if (added) students_.push_back({student, 0});
    return it->second;
  }

  std::unordered_map<std::string, Holder> holders_;  // by note id
  std::deque<Student> students_;                     // a deque: the ids handed out stay put
  std::unordered_map<std::string, uint32_t> index_of_;  // in students_, by student id
};

}  // namespace

std::unique_ptr<RebuildPartitioner> RecordsProjection::NewRebuildPartitioner() const {
  return std::make_unique<RecordsPartitioner>();
}

}  // namespace backpack::records
