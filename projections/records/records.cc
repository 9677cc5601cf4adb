#include "projections/records/records.h"

#include <array>

#include "projections/records/internal/impl.h"
#include "projections/records/internal/record_store.h"

namespace backpack {

bool IsValidNoteKind(std::string_view kind) {
  static constexpr std::array<std::string_view, 5> kKinds = {"sst", "mtss", "parent_conversation",
                                                             "counselor", "other"};
  for (auto k : kKinds) {
    if (k == kind) return true;
  }
  return false;
}

boost::json::object FeedPage::ToJson() const {
  boost::json::object o;
  o["items"] = items;
  if (next_cursor.empty())
    o["next_cursor"] = nullptr;
  else
    o["next_cursor"] = next_cursor;
  return o;
}

Records::Records(Services& services) : impl_(std::make_unique<Impl>(services)) {}
Records::~Records() = default;

Projection* Records::projection() { return &impl_->projection; }

std::vector<std::string> Records::SequencedFamilies() {
  return {std::string(records::kStudentFamily)};
}

Result<bool> Records::HasAttendanceAlert(std::string_view student_id, int64_t now_us) const {
  Services& s = impl_->services;
  if (s.data_keys->IsShredded(std::string(student_id))) {
    return Err(GoneError("the student's record was deleted"));
  }
  records::ReadTxn read(s);
  ASSIGN_OR_RETURN(auto summary,
                   records::LoadSummary(read.txn(), nullptr, std::string(student_id)));
  return records::ComputeAttendanceAlert(summary, now_us).has_value();
}

}  // namespace backpack
