// Records::Profile: the educator's view of one student (SPEC §6).
#include <algorithm>
#include <map>

#include "projections/records/internal/impl.h"
#include "projections/records/internal/keys.h"
#include "projections/records/internal/record_store.h"
#include "projections/records/internal/views.h"

namespace backpack {
namespace json = boost::json;

namespace records {
namespace {

struct Entry {
  int64_t time = 0;
  uint64_t seq = 0;
  json::object view;
};
using Section = std::vector<Entry>;

struct Sections {
  Section voice, notes, attendance, assessments, grades, services, teams;

  Section* For(Tag tag) {
    switch (tag) {
      case Tag::kVoice:
        return &voice;
      case Tag::kNote:
        return &notes;
      case Tag::kAttendance:
        return &attendance;
      case Tag::kAssessment:
        return &assessments;
      case Tag::kGrade:
        return &grades;
      case Tag::kService:
        return &services;
      case Tag::kTeam:
        return &teams;
      default:
        return nullptr;
    }
  }
};

// Newest first; equal times by descending sequence number.
json::array Sorted(Section section) {
  std::sort(section.begin(), section.end(), [](const Entry& a, const Entry& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  });
  json::array out;
  for (auto& e : section) out.push_back(std::move(e.view));
  return out;
}

// Staff display names, looked up once per profile.
class AuthorNames {
 public:
  explicit AuthorNames(const Roster* roster) : roster_(roster) {}
  const std::string& Get(const std::string& user_id) {
    auto [it, inserted] = cache_.try_emplace(user_id);
    if (inserted && roster_) {
      if (auto user = roster_->FindUser(user_id)) it->second = user->display_name;
    }
    return it->second;
  }

 private:
  const Roster* roster_;
  std::map<std::string, std::string> cache_;
};

Result<json::object> StudentSection(Services& s, std::string_view student_id) {
  json::object o;
  o["id"] = student_id;
  if (!s.roster) {
    for (auto field : {"name", "grade", "school", "school_name"}) o[field] = nullptr;
    return o;
  }
  ASSIGN_OR_RETURN(StudentInfo info, s.roster->FindStudent(student_id));
  o["name"] = info.DisplayName();
  o["grade"] = info.grade;
  o["school"] = info.school_id;
  o["school_name"] = info.school_name;
  o["retracted"] = info.retracted;
  return o;
}

json::object AttendanceSummaryOf(const Section& recent, int64_t since_us, bool alert) {
  int64_t present = 0, absent = 0, excused = 0, tardy = 0;
  for (const auto& e : recent) {
    if (BoolField(e.view, "retracted")) continue;
    std::string status = StringField(e.view, "status");
    if (status == "present") ++present;
    if (status == "tardy") ++tardy;
    if (status == "absent") {
      ++absent;
      if (BoolField(e.view, "excused")) ++excused;
    }
  }
  json::object o;
  o["since"] = FormatDate(since_us);
  o["present"] = present;
  o["absent"] = absent;
  o["absent_excused"] = excused;
  o["tardy"] = tardy;
  o["alert"] = alert;
  return o;
}

struct Split {
  Sections recent, older;
  AttendanceSummary summary;
};

// Views of the recent records, and of the older ones if `with_older` (the
// older student voice always: it may stand in for a missing recent one).
Split SplitRecords(const ProfileSource& source, int64_t since_us, bool with_older,
                   AuthorNames& names, const NoteViewer& viewer) {
  Split split;
  split.summary = source.summary;
  for (const ProfileRecord& record : source.records) {
    const bool recent = since_us <= record.recent_through_us;
    if (!recent && !with_older && record.tag != Tag::kVoice) continue;
    Section* section = (recent ? split.recent : split.older).For(record.tag);
    json::object view =
        record.tag == Tag::kNote
            ? NoteView(record.data, names.Get(StringField(record.data, "author")), viewer)
            : record.data;
    section->push_back({record.time_us, record.seq, std::move(view)});
  }
  // The student's own voice is never missing: without a recent answer, the
  // latest older one is shown.
  if (split.recent.voice.empty() && !split.older.voice.empty()) {
    auto latest = std::max_element(split.older.voice.begin(), split.older.voice.end(),
                                   [](const Entry& a, const Entry& b) {
                                     return a.time != b.time ? a.time < b.time : a.seq < b.seq;
                                   });
    split.recent.voice.push_back(std::move(*latest));
    split.older.voice.erase(latest);
  }
  return split;
}

json::object OlderSections(Sections older) {
  json::object o;
  o["voice"] = Sorted(std::move(older.voice));
  o["notes"] = Sorted(std::move(older.notes));
  o["attendance"] = Sorted(std::move(older.attendance));
  o["assessments"] = Sorted(std::move(older.assessments));
  o["grades"] = Sorted(std::move(older.grades));
  o["services"] = Sorted(std::move(older.services));
  return o;
}

// What profiles need of a student's stored records: the summary, and each
// record a profile section shows with its view prepared.
ProfileSource PrepareForProfiles(std::vector<StoredRecord> stored) {
  ProfileSource source;
  for (auto& [key, value] : stored) {
    if (key.tag == Tag::kSummary) {
      source.summary = AttendanceSummary::FromJson(value);
      continue;
    }
    if (!Sections().For(key.tag)) continue;  // not shown in profiles
    ProfileRecord record;
    record.tag = key.tag;
    record.seq = key.seq;
    record.time_us = RecordTime(key.tag, value);
    record.recent_through_us = RecentThrough(key.tag, value);
    record.data = key.tag == Tag::kNote ? std::move(value) : RecordView(key.tag, value);
    source.records.push_back(std::move(record));
  }
  return source;
}

// The student's records, from the cache or else read, prepared and cached.
Result<CachedRecords> CachedStudentRecords(Services& services, RecordCache& cache,
                                           std::string_view student_id) {
  return cache.FindOrRead(std::string(student_id), [&]() -> Result<CachedRecords> {
    ReadTxn read(services);
    ASSIGN_OR_RETURN(auto stored, ScanRecords(read.txn(), StudentPrefix(student_id)));
    return std::make_shared<const ProfileSource>(PrepareForProfiles(std::move(stored)));
  });
}

}  // namespace
}  // namespace records

Result<json::object> Records::Profile(std::string_view student_id, bool history_all, int64_t now_us,
                                      std::string access_reason, const UserInfo& viewer) const {
  using namespace records;
  Services& s = impl_->services;
  if (student_id.empty()) return Err(NotFoundError("no such student"));
  if (s.data_keys->IsShredded(std::string(student_id))) {
    return Err(GoneError("the student's record was deleted"));
  }
  ASSIGN_OR_RETURN(json::object student, StudentSection(s, student_id));
  ASSIGN_OR_RETURN(CachedRecords cached,
                   CachedStudentRecords(s, impl_->projection.cache(), student_id));
  const int64_t since = RecentWindowStart(now_us);
  AuthorNames names(s.roster);
  NoteViewer note_viewer{
      viewer.id, CanViewRestrictedNotes(User{viewer.id, viewer.role, viewer.disabled, viewer.flags,
                                             viewer.schools, viewer.grades})};
  Split split = SplitRecords(*cached, since, history_all, names, note_viewer);
  bool alert = ComputeAttendanceAlert(split.summary, now_us).has_value();

  json::object out;
  out["student"] = std::move(student);
  out["voice"] = Sorted(std::move(split.recent.voice));
  out["notes"] = Sorted(std::move(split.recent.notes));
  out["attendance_summary"] = AttendanceSummaryOf(split.recent.attendance, since, alert);
  out["attendance"] = Sorted(std::move(split.recent.attendance));
  out["assessments"] = Sorted(std::move(split.recent.assessments));
  out["grades"] = Sorted(std::move(split.recent.grades));
  out["services"] = Sorted(std::move(split.recent.services));
  out["teams"] = Sorted(std::move(split.recent.teams));
  if (history_all) out["older"] = OlderSections(std::move(split.older));
  out["history"] = history_all ? "all" : "recent";
  out["window"] = json::object{{"since", FormatDate(since)}, {"days", 45}};
  out["access_reason"] = std::move(access_reason);
  out["as_of"] = FormatTime(now_us);
  return out;
}

}  // namespace backpack
