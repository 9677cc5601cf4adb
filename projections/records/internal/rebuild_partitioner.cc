// Replaying the records projection in lanes by student. Every record is keyed
// by its student except through the note index (rec_notes), which a note
// revision or restriction follows to the note's student, and which a note
// written with an id already taken leaves unchanged. So a note event goes to
// the lane of the student who first wrote that note id; everything else to
// its subject's lane. The one case no lane split can follow is an id reused
// after the student who held it was shredded (the live projection then
// writes the note for the new student): from there on one lane replays all.
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
    return ApplyRecordEvent(event, txn);
  }

 private:
  struct Holder {
    std::string student;  // who first wrote the note id
    bool shredded = false;  // since when the id is free again
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
    auto [it, first] = holders_.try_emplace(note_id, Holder{subject});
    if (first) {
      ids_held_by_[subject].push_back(std::move(note_id));
      return subject;
    }
    if (it->second.shredded) return std::nullopt;
    return std::string_view(it->second.student);  // ignored there: the id is taken
  }

  std::string_view OwnerOr(const std::string& note_id, const std::string& subject) const {
    auto it = holders_.find(note_id);
    return it == holders_.end() ? std::string_view(subject) : std::string_view(it->second.student);
  }

  void Shredded(const std::string& student) {
    auto held = ids_held_by_.find(student);
    if (held == ids_held_by_.end()) return;
    for (const auto& note_id : held->second) holders_[note_id].shredded = true;
    ids_held_by_.erase(held);
  }

  std::unordered_map<std::string, Holder> holders_;  // by note id
  std::unordered_map<std::string, std::vector<std::string>> ids_held_by_;  // by student
};

}  // namespace

std::unique_ptr<RebuildPartitioner> RecordsProjection::NewRebuildPartitioner() const {
  return std::make_unique<RecordsPartitioner>();
}

}  // namespace backpack::records
