// RecordCache: recently profiled students' rec_student records, decrypted,
// parsed and prepared for profiles. A durable commit drops the students whose
// records it changed, or every student for a note revision or restriction
// (RecordsProjection::TakeStaged). See generation_cache.h.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <vector>

#include "projections/generation_cache.h"
#include "projections/records/internal/keys.h"
#include "projections/records/internal/record_store.h"

namespace backpack::records {

// One record of a student as every profile needs it, computed once when the
// student is cached.
struct ProfileRecord {
  Tag tag = Tag::kNote;
  uint64_t seq = 0;
  int64_t time_us = 0;            // RecordTime
  int64_t recent_through_us = 0;  // RecentThrough
  // The reader's view (RecordView); for a note, the stored note itself,
  // since what a reader sees of a note depends on the reader (NoteView).
  boost::json::object data;
  // `data` as JSON text, except for a note (empty): what a profile sends.
  std::string view_text;
};

// A cached student: the records a profile shows, in key order, and the
// attendance summary.
struct ProfileSource {
  std::vector<ProfileRecord> records;
  AttendanceSummary summary;
};

using CachedRecords = std::shared_ptr<const ProfileSource>;

class RecordCache : public GenerationCache<CachedRecords> {
 public:
  static constexpr size_t kCapacity = 512;  // students
  RecordCache() : GenerationCache(kCapacity) {}
};

}  // namespace backpack::records
