#include "projections/records/internal/views.h"

#include <algorithm>
#include <initializer_list>
#include <limits>

#include "projections/records/internal/record_store.h"

namespace backpack::records {
namespace json = boost::json;

namespace {

json::object Pick(const json::object& from, std::initializer_list<std::string_view> names) {
  json::object out;
  for (auto name : names) {
    if (auto* v = from.if_contains(name))
      out[name] = *v;
    else
      out[name] = nullptr;
  }
  return out;
}

int64_t DayOr(const json::object& record, std::string_view field) {
  auto day = ParseDate(StringField(record, field));
  return day ? *day : DayStart(IntField(record, "recorded_at_us"));
}

json::value TimeOrNull(int64_t at_us) {
  if (at_us == 0) return nullptr;
  return json::value(FormatTime(at_us));
}

}  // namespace

int64_t RecordTime(Tag tag, const json::object& record) {
  switch (tag) {
    case Tag::kNote:
      return IntField(record, "written_at_us");
    case Tag::kVoice:
      return IntField(record, "submitted_at_us");
    case Tag::kService:
      return DayOr(record, "start_date");
    case Tag::kTeam:
      return IntField(record, "recorded_at_us");
    default:
      return DayOr(record, "date");
  }
}

int64_t RecentThrough(Tag tag, const json::object& record) {
  constexpr int64_t kAlways = std::numeric_limits<int64_t>::max();
  if (tag == Tag::kTeam) return kAlways;
  const int64_t time = RecordTime(tag, record);
  if (tag == Tag::kService) {
    std::string end = StringField(record, "end_date");
    if (end.empty()) return kAlways;
    auto end_day = ParseDate(end);
    if (!end_day) return kAlways;
    return std::max(*end_day, time);
  }
  return time;
}

json::object RecordView(Tag tag, const json::object& r) {
  switch (tag) {
    case Tag::kAttendance:
      return Pick(r, {"seq", "date", "status", "excused", "reason", "retracted"});
    case Tag::kAssessment:
      return Pick(r, {"seq", "date", "assessment", "subject", "score", "percentile",
                      "performance_level", "retracted"});
    case Tag::kGrade:
      return Pick(r, {"seq", "class_id", "term", "grade", "date", "retracted"});
    case Tag::kService: {
      json::object o = Pick(r, {"seq", "service", "provider", "start_date", "end_date",
                                "discontinued_reason", "retracted"});
      o["ongoing"] = StringField(r, "end_date").empty();
      return o;
    }
    case Tag::kTeam:
      return Pick(r, {"seq", "activity", "season", "coach", "retracted"});
    case Tag::kVoice: {
      json::object o;
      o["seq"] = r.contains("seq") ? r.at("seq") : json::value(nullptr);
      o["submitted_at"] = FormatTime(IntField(r, "submitted_at_us"));
      o["prompt"] = StringField(r, "prompt");
      o["answer"] = StringField(r, "answer");
      o["retracted"] = BoolField(r, "retracted");
      return o;
    }
    default:
      return {};
  }
}

json::object NoteView(const json::object& note, const NameOf& name_of, const NoteViewer& viewer) {
  const bool restricted = BoolField(note, "restricted");
  const std::string author = StringField(note, "author");
  json::object o;
  o["id"] = StringField(note, "id");
  o["seq"] = note.contains("seq") ? note.at("seq") : json::value(nullptr);
  o["restricted"] = restricted;
  o["kind"] = StringField(note, "kind");
  o["author"] = author;
  o["author_name"] = name_of(author);
  o["at"] = FormatTime(IntField(note, "written_at_us"));
  o["mine"] = !viewer.user_id.empty() && viewer.user_id == author;
  if (restricted) {
    o["can_view"] = viewer.can_view_restricted;
    return o;
  }
  int64_t revised_at = 0;
  std::string revised_by;
  if (auto* revisions = note.if_contains("revisions"); revisions && revisions->is_array() &&
                                                       !revisions->as_array().empty() &&
                                                       revisions->as_array().back().is_object()) {
    const auto& last = revisions->as_array().back().as_object();
    revised_at = IntField(last, "at_us");
    revised_by = StringField(last, "by");
  }
  o["revised_at"] = TimeOrNull(revised_at);
  o["revised_by"] = revised_by.empty() ? json::value(nullptr) : json::value(revised_by);
  o["revised_by_name"] =
      revised_by.empty() ? json::value(nullptr) : json::value(name_of(revised_by));
  o["text"] = StringField(note, "text");
  return o;
}

}  // namespace backpack::records
