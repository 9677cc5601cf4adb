// Replaying the records projection in lanes by student. Every record is keyed
// by its student except through the note index (rec_notes), which a note
// revision or restriction follows to the note's student, and which a note
// written with an id already taken leaves unchanged. So a note event goes to
// the lane of the student who first wrote that note id; everything else to
// its subject's lane. The one case no lane split can follow is an id reused
// after the student who held it was shredded (the live projection then
// writes the note for the new student): from there on one lane replays all.
// A shred's note_ids count as its student's, since a shred writes
// rec_shredded_notes under them: one another student held first is a reuse.
#include <deque>
#include <unordered_map>

#include "core/position_index.h"
#include "core/string_sequence.h"
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
        return Shredded(event);
      default:
        return subject;
    }
  }

  std::unique_ptr<LaneApplier> NewLaneApplier() const override {
    return std::make_unique<Applier>();
  }

 private:
  // A lane remembers its students' attendance summaries, as the live
  // projection does: a note reads its student's summary, and reading it back
  // from the transaction means finding, copying and parsing it every time.
  class Applier final : public LaneApplier {
   public:
    Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override {
      return ApplyRecordEvent(event, txn, &summaries_);
    }

   private:
    SummaryMemo summaries_;
  };

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
  static std::string_view NoteIdOf(const LoggedEvent& event) {
    auto* payload = VerifiedPayload<Payload>(event);
    return payload ? StrView(payload->note_id()) : std::string_view();
  }

  std::optional<std::string_view> NoteWritten(const LoggedEvent& event) {
    const std::string& subject = event.header.subject_id;
    std::string_view note_id = NoteIdOf<fb::NoteWrittenPayload>(event);
    if (note_id.empty()) return subject;
    const uint32_t student = StudentIndex(subject);
    const Holder* holder = HolderOf(note_id);
    if (!holder) {
      AddHolder(note_id, Holder{student, students_[student].shreds});
      return subject;
    }
    if (students_[holder->student].shreds > holder->shreds) return std::nullopt;
    return std::string_view(students_[holder->student].id);  // ignored there: the id is taken
  }

  std::string_view OwnerOr(std::string_view note_id, const std::string& subject) const {
    const Holder* holder = HolderOf(note_id);
    return holder ? std::string_view(students_[holder->student].id) : std::string_view(subject);
  }

  // The holder of a note id, if it was ever written.
  const Holder* HolderOf(std::string_view note_id) const {
    auto found = holder_index_.Find(note_id, note_ids_.key_at());
    return found ? &holders_[*found] : nullptr;
  }

  void AddHolder(std::string_view note_id, Holder holder) {
    note_ids_.Append(note_id);
    holders_.push_back(holder);
    holder_index_.Set(static_cast<uint32_t>(holders_.size() - 1), note_ids_.key_at());
  }

  // Frees every note id the student holds (their holders count the shreds).
  // The shred writes rec_shredded_notes under the note ids it lists, yet a
  // replay skips the shredded student's own note events (unreadable): so a
  // listed id counts as the student's, and one another student held first
  // (shredded since, or the live projection would not have given it to this
  // student) is a reuse, as for a note.
  std::optional<std::string_view> Shredded(const LoggedEvent& event) {
    const uint32_t student = StudentIndex(event.header.subject_id);
    bool reused = false;
    auto* payload = VerifiedPayload<fb::RecordShreddedPayload>(event);
    if (payload && payload->note_ids()) {
      for (const auto* id : *payload->note_ids()) {
        if (!id || id->size() == 0) continue;
        const Holder* holder = HolderOf(StrView(id));
        if (!holder) AddHolder(StrView(id), Holder{student, students_[student].shreds});
        reused = reused || (holder && holder->student != student);
      }
    }
    ++students_[student].shreds;
    if (reused) return std::nullopt;
    return std::string_view(event.header.subject_id);
  }

  uint32_t StudentIndex(const std::string& student) {
    auto [it, added] = index_of_.try_emplace(student, static_cast<uint32_t>(students_.size()));
    if (added) students_.push_back({student, 0});
    return it->second;
  }

  // Every note id written, each once (one allocation for all, not two per
  // id), and its holder at the same position; holder_index_ finds them by id.
  StringSequence note_ids_;
  std::vector<Holder> holders_;
  PositionIndex holder_index_;
  std::deque<Student> students_;                        // a deque: the ids handed out stay put
  std::unordered_map<std::string, uint32_t> index_of_;  // in students_, by student id
};

}  // namespace

std::unique_ptr<RebuildPartitioner> RecordsProjection::NewRebuildPartitioner() const {
  return std::make_unique<RecordsPartitioner>();
}

}  // namespace backpack::records
