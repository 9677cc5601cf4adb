#include "events/internal/shred_order.h"

#include <algorithm>

namespace backpack::log_pipeline {
namespace {

bool IsShred(const EventHeader& header) {
  return header.type == EventType::RecordShredded && !header.subject_id.empty();
}

}  // namespace

// Whether `append` has a personal event about a subject in `shredded_before`
// or shredded earlier in the append itself, whose shreds go to `shreds`.
bool ShredOrder::FollowsShred(const PendingAppend& append,
                              const std::unordered_set<std::string>& shredded_before,
                              std::vector<std::string>& shreds) const {
  for (const PreparedEvent& e : append.events) {
    const std::string& subject = e.header.subject_id;
    if (IsShred(e.header)) shreds.push_back(subject);
    if (!e.header.payload_encrypted) continue;
    if (shred_seq_.contains(subject) || shredded_before.contains(subject) ||
        std::find(shreds.begin(), shreds.end(), subject) != shreds.end()) {
      return true;
    }
  }
  return false;
}

std::vector<PendingAppend> ShredOrder::RefuseAfterShred(std::vector<PendingAppend>& group) {
  std::unordered_set<std::string> shredded_here;  // by the appends kept so far
  std::vector<PendingAppend> refused;
  size_t kept = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    std::vector<std::string> shreds;
    if (FollowsShred(group[i], shredded_here, shreds)) {
      refused.push_back(std::move(group[i]));
      continue;
    }
    shredded_here.insert(shreds.begin(), shreds.end());
    if (kept != i) group[kept] = std::move(group[i]);
    ++kept;
  }
  group.erase(group.begin() + static_cast<std::ptrdiff_t>(kept), group.end());
  return refused;
}

void AnswerRefusedAfterShred(std::vector<PendingAppend>& refused) {
  for (PendingAppend& append : refused) {
    append.done(Err(GoneError("the record was shredded before this change was recorded")));
  }
}

void ShredOrder::Sequenced(std::span<const LoggedEvent> logged) {
  unmarked_.clear();
  for (const LoggedEvent& e : logged) {
    if (!IsShred(e.header)) continue;
    shred_seq_.emplace(e.header.subject_id, e.header.seq);
    unmarked_.push_back(e.header.subject_id);
  }
}

void ShredOrder::Written() {
  for (const std::string& subject : unmarked_) data_keys_.MarkShredded(subject);
  unmarked_.clear();
}

void ShredOrder::Rewound(uint64_t size) {
  unmarked_.clear();
  for (auto it = shred_seq_.begin(); it != shred_seq_.end();) {
    if (it->second < size) {
      data_keys_.MarkShredded(it->first);
      ++it;
    } else {
      data_keys_.UnmarkShredded(it->first);
      it = shred_seq_.erase(it);
    }
  }
}

}  // namespace backpack::log_pipeline
