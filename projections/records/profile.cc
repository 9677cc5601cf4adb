// Records::Profile: the educator's view of one student (SPEC §6).
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <deque>
#include <map>

#include "projections/records/internal/impl.h"
#include "projections/records/internal/keys.h"
#include "projections/records/internal/record_store.h"
#include "projections/records/internal/views.h"

namespace backpack {
namespace json = boost::json;

namespace records {
namespace {

// One record of a profile section.
struct Entry {
  int64_t time = 0;
  uint64_t seq = 0;
  const json::object* view = nullptr;  // the record's fields; null for a note
  std::string_view text;               // what the profile shows, as JSON text
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

// Appends `,"name":` (without the comma for the first field of an object).
void AppendKey(std::string_view name, std::string& out) {
  if (out.back() != '{') out.push_back(',');
  out += json::serialize(json::string_view(name));
  out.push_back(':');
}

// Appends `"name":` and the section as a JSON array: newest first, equal
// times by descending sequence number.
void AppendSection(std::string_view name, Section section, std::string& out) {
  AppendKey(name, out);
  std::sort(section.begin(), section.end(), [](const Entry& a, const Entry& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  });
  out.push_back('[');
  for (size_t i = 0; i < section.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += section[i].text;
  }
  out.push_back(']');
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

// Counts the recent attendance dated up to `now_us`, as the alert does: a day
// the source system dated in the future has not happened.
json::object AttendanceSummaryOf(const Section& recent, int64_t since_us, int64_t now_us,
                                 bool alert) {
  int64_t present = 0, absent = 0, excused = 0, tardy = 0;
  for (const auto& e : recent) {
    if (BoolField(*e.view, "retracted") || e.time > now_us) continue;
    std::string status = StringField(*e.view, "status");
    if (status == "present") ++present;
    if (status == "tardy") ++tardy;
    if (status == "absent") {
      ++absent;
      if (BoolField(*e.view, "excused")) ++excused;
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

// Entries point into `source` (which must outlive the split) and into
// `texts`.
struct Split {
  Sections recent, older;
  AttendanceSummary summary;
  // Each note as this reader sees it, and each marked entry with its marks.
  std::deque<std::string> texts;
};

// An entry's view as JSON text, with the flags `marks` gives entry `seq`.
std::string MarkedView(json::object view, uint64_t seq, const EntryMarks& marks) {
  if (marks.disputed.contains(seq)) view["disputed"] = true;
  if (marks.amended.contains(seq)) view["amended"] = true;
  return json::serialize(view);
}

bool IsMarked(uint64_t seq, const EntryMarks& marks) {
  return marks.disputed.contains(seq) || marks.amended.contains(seq);
}

// Views of the recent records, and of the older ones if `with_older` (the
// older student voice always: it may stand in for a missing recent one).
Split SplitRecords(const ProfileSource& source, int64_t since_us, bool with_older,
                   AuthorNames& names, const NoteViewer& viewer, const EntryMarks& marks) {
  Split split;
  split.summary = source.summary;
  for (const ProfileRecord& record : source.records) {
    const bool recent = since_us <= record.recent_through_us;
    if (!recent && !with_older && record.tag != Tag::kVoice) continue;
    Section* section = (recent ? split.recent : split.older).For(record.tag);
    if (record.tag == Tag::kNote) {
      auto name_of = [&names](const std::string& user_id) { return names.Get(user_id); };
      split.texts.push_back(MarkedView(NoteView(record.data, name_of, viewer), record.seq, marks));
      section->push_back({record.time_us, record.seq, nullptr, split.texts.back()});
    } else if (IsMarked(record.seq, marks)) {
      split.texts.push_back(MarkedView(record.data, record.seq, marks));
      section->push_back({record.time_us, record.seq, &record.data, split.texts.back()});
    } else {
      section->push_back({record.time_us, record.seq, &record.data, record.view_text});
    }
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

void AppendOlderSections(Sections older, std::string& out) {
  out.push_back('{');
  AppendSection("voice", std::move(older.voice), out);
  AppendSection("notes", std::move(older.notes), out);
  AppendSection("attendance", std::move(older.attendance), out);
  AppendSection("assessments", std::move(older.assessments), out);
  AppendSection("grades", std::move(older.grades), out);
  AppendSection("services", std::move(older.services), out);
  out.push_back('}');
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
    if (key.tag != Tag::kNote) record.view_text = json::serialize(record.data);
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
                                      std::string access_reason, const UserInfo& viewer,
                                      const EntryMarks& marks) const {
  ASSIGN_OR_RETURN(std::string text,
                   ProfileText(student_id, history_all, now_us, access_reason, viewer, marks));
  boost::system::error_code error;
  json::value parsed = json::parse(text, error);
  if (error || !parsed.is_object()) return Err(InternalError("profile text is not a JSON object"));
  return std::move(parsed.as_object());
}

Result<std::string> Records::ProfileText(std::string_view student_id, bool history_all,
                                         int64_t now_us, std::string_view access_reason,
                                         const UserInfo& viewer, const EntryMarks& marks) const {
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
  Split split = SplitRecords(*cached, since, history_all, names, note_viewer, marks);
  bool alert = ComputeAttendanceAlert(split.summary, now_us).has_value();

  std::string out = "{";
  out.reserve(8192);
  AppendKey("student", out);
  out += json::serialize(student);
  AppendSection("voice", std::move(split.recent.voice), out);
  AppendSection("notes", std::move(split.recent.notes), out);
  AppendKey("attendance_summary", out);
  out += json::serialize(AttendanceSummaryOf(split.recent.attendance, since, now_us, alert));
  AppendSection("attendance", std::move(split.recent.attendance), out);
  AppendSection("assessments", std::move(split.recent.assessments), out);
  AppendSection("grades", std::move(split.recent.grades), out);
  AppendSection("services", std::move(split.recent.services), out);
  AppendSection("teams", std::move(split.recent.teams), out);
  if (history_all) {
    AppendKey("older", out);
    AppendOlderSections(std::move(split.older), out);
  }
  AppendKey("history", out);
  out += history_all ? "\"all\"" : "\"recent\"";
  AppendKey("window", out);
  out += json::serialize(json::object{{"since", FormatDate(since)}, {"days", 45}});
  AppendKey("access_reason", out);
  out += json::serialize(json::string_view(access_reason));
  AppendKey("as_of", out);
  out += json::serialize(json::string_view(FormatTime(now_us)));
  out.push_back('}');
  return out;
}

}  // namespace backpack
