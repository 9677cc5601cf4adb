// Records::Feed: an educator's home feed (SPEC §6), newest first.
//
// Stored items (notes, services, student voice) come from the rec_feed
// index in key order (newest first); attendance alerts are computed for the
// accessible students at `now` and merged in by the same key order, so a
// cursor (the hex feed key of the last item shown) pages through both.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "projections/records/internal/impl.h"
#include "projections/records/internal/keys.h"
#include "projections/records/internal/record_store.h"
#include "projections/records/internal/views.h"

namespace backpack {
namespace json = boost::json;

namespace records {
namespace {

struct FeedEntry {
  std::string key;  // rec_feed key (or the same layout, for alerts)
  std::string student_id;
  json::object item;
};

class FeedReader {
 public:
  FeedReader(Services& s, std::unordered_map<std::string, std::string> reasons)
      : services_(s), read_(s), reasons_(std::move(reasons)) {}

  Result<std::vector<FeedEntry>> Alerts(int64_t now_us, std::string_view after);
  // Positions the index after `after` ("" for the newest item).
  Status Start(std::string_view after);
  // The next live, accessible index item; nullopt at the end.
  Result<std::optional<FeedEntry>> NextIndexed();

 private:
  json::object Header(std::string_view type, int64_t at_us, const std::string& student);
  Result<std::optional<json::object>> ItemFor(const ParsedFeedKey& key);
  const std::string& StudentName(const std::string& student_id);
  const std::string& UserName(const std::string& user_id);

  Services& services_;
  ReadTxn read_;
  std::unordered_map<std::string, std::string> reasons_;  // student id -> access reason
  std::unique_ptr<StoreIterator> it_;
  std::map<std::string, std::string> names_;  // "s"/"u" + id -> display name
};

json::object FeedReader::Header(std::string_view type, int64_t at_us, const std::string& student) {
  json::object o;
  o["type"] = type;
  o["at"] = FormatTime(at_us);
  o["student"] = json::object{{"id", student}, {"name", StudentName(student)}};
  o["access_reason"] = reasons_.at(student);
  return o;
}

const std::string& FeedReader::StudentName(const std::string& student_id) {
  auto [it, inserted] = names_.try_emplace("s" + student_id);
  if (inserted && services_.roster) {
    if (auto info = services_.roster->FindStudent(student_id)) it->second = info->DisplayName();
  }
  return it->second;
}

const std::string& FeedReader::UserName(const std::string& user_id) {
  auto [it, inserted] = names_.try_emplace("u" + user_id);
  if (inserted && services_.roster) {
    if (auto info = services_.roster->FindUser(user_id)) it->second = info->display_name;
  }
  return it->second;
}

Result<std::vector<FeedEntry>> FeedReader::Alerts(int64_t now_us, std::string_view after) {
  std::vector<FeedEntry> alerts;
  for (const auto& [student, reason] : reasons_) {
    if (services_.data_keys->IsShredded(student)) continue;
    ASSIGN_OR_RETURN(auto summary, LoadSummary(read_.txn(), nullptr, student));
    auto alert = ComputeAttendanceAlert(summary, now_us);
    if (!alert) continue;
    std::string key = FeedKey(alert->at_us, student, Tag::kAttendanceAlert, 0);
    if (!after.empty() && key <= after) continue;
    json::object item = Header("attendance_alert", alert->at_us, student);
    item["absence_days"] = static_cast<int64_t>(alert->absence_days);
    item["since"] = FormatDate(alert->since_us);
    item["last_absence"] = FormatDate(alert->at_us);
    alerts.push_back({std::move(key), student, std::move(item)});
  }
  std::sort(alerts.begin(), alerts.end(),
            [](const FeedEntry& a, const FeedEntry& b) { return a.key < b.key; });
  return alerts;
}

Status FeedReader::Start(std::string_view after) {
  ASSIGN_OR_RETURN(it_, services_.store->NewIterator(kFeedFamily));
  if (after.empty()) {
    it_->SeekToFirst();
    return it_->status();
  }
  it_->Seek(AsBytes(after));
  if (it_->Valid() && AsChars(it_->key()) == after) it_->Next();
  return it_->status();
}

Result<std::optional<FeedEntry>> FeedReader::NextIndexed() {
  for (; it_->Valid(); it_->Next()) {
    auto key = ParseFeedKey(it_->key());
    if (!key || !reasons_.contains(key->student_id)) continue;
    auto item = ItemFor(*key);
    if (!item && item.error().code() == StatusCode::kGone) continue;  // shredded meanwhile
    if (!item) return Err(item.error());
    if (!*item) continue;
    FeedEntry entry{std::string(AsChars(it_->key())), key->student_id, std::move(**item)};
    it_->Next();
    return std::optional<FeedEntry>(std::move(entry));
  }
  RETURN_IF_ERROR(it_->status());
  return std::optional<FeedEntry>();
}

// The feed item of an index entry; nullopt if the record is gone, retracted
// or (defensively) a restricted note.
Result<std::optional<json::object>> FeedReader::ItemFor(const ParsedFeedKey& key) {
  ASSIGN_OR_RETURN(auto record,
                   GetRecord(read_.txn(), RecordKey(key.student_id, key.tag, key.seq)));
  if (!record || BoolField(*record, "retracted") || BoolField(*record, "restricted")) {
    return std::optional<json::object>();
  }
  const json::object& r = *record;
  json::object o;
  if (key.tag == Tag::kNote) {
    o = Header("note", key.at_us, key.student_id);
    o["note_id"] = StringField(r, "id");
    o["kind"] = StringField(r, "kind");
    o["author"] = StringField(r, "author");
    o["author_name"] = UserName(StringField(r, "author"));
    o["text"] = StringField(r, "text");
  } else if (key.tag == Tag::kService) {
    o = Header("service", key.at_us, key.student_id);
    for (auto field : {"service", "provider", "start_date", "end_date"}) {
      o[field] = StringField(r, field);
    }
  } else if (key.tag == Tag::kVoice) {
    o = Header("student_voice", key.at_us, key.student_id);
    o["prompt"] = StringField(r, "prompt");
    o["answer"] = StringField(r, "answer");
  } else {
    return std::optional<json::object>();
  }
  o["seq"] = key.seq;
  return std::optional<json::object>(std::move(o));
}

// Up to `count` entries, newest first, from the index and the alerts
// (sorted by key).
Result<std::vector<FeedEntry>> MergeNewestFirst(FeedReader& reader, std::vector<FeedEntry> alerts,
                                                size_t count) {
  std::vector<FeedEntry> picked;
  ASSIGN_OR_RETURN(auto indexed, reader.NextIndexed());
  size_t next_alert = 0;
  while (picked.size() < count && (indexed || next_alert < alerts.size())) {
    if (next_alert < alerts.size() && (!indexed || alerts[next_alert].key < indexed->key)) {
      picked.push_back(std::move(alerts[next_alert++]));
    } else {
      picked.push_back(std::move(*indexed));
      ASSIGN_OR_RETURN(indexed, reader.NextIndexed());
    }
  }
  return picked;
}

// The first `page_size` of `picked`; a cursor if there were more.
FeedPage MakePage(std::vector<FeedEntry> picked, size_t page_size) {
  FeedPage page;
  if (picked.size() > page_size) {
    picked.resize(page_size);
    page.next_cursor = ToHex(AsBytes(picked.back().key));
  }
  for (auto& entry : picked) {
    auto seen = std::find_if(page.students.begin(), page.students.end(), [&](const FeedStudent& f) {
      return f.student_id == entry.student_id;
    });
    if (seen == page.students.end()) {
      page.students.push_back({entry.student_id, StringField(entry.item, "access_reason")});
    }
    page.items.push_back(std::move(entry.item));
  }
  return page;
}

Result<std::string> DecodeCursor(std::string_view before) {
  if (before.empty()) return std::string();
  auto bytes = FromHex(before);
  if (!bytes || !ParseFeedKey(*bytes)) return Err(InvalidArgumentError("invalid feed cursor"));
  return std::string(AsChars(*bytes));
}

}  // namespace
}  // namespace records

Result<FeedPage> Records::Feed(std::string_view educator_id, int limit, std::string_view before,
                               int64_t now_us) const {
  using namespace records;
  if (limit < 1) return Err(InvalidArgumentError("feed limit must be at least 1"));
  const size_t page_size = static_cast<size_t>(std::min(limit, kFeedMaxLimit));
  Services& s = impl_->services;
  if (!s.roster) return Err(UnavailableError("access decisions are not available"));
  ASSIGN_OR_RETURN(std::string after, DecodeCursor(before));
  std::unordered_map<std::string, std::string> reasons;
  for (auto& [student, reason] : s.roster->AccessibleStudents(educator_id, now_us)) {
    reasons.emplace(std::move(student), std::move(reason));
  }
  FeedReader reader(s, std::move(reasons));
  ASSIGN_OR_RETURN(auto alerts, reader.Alerts(now_us, after));
  RETURN_IF_ERROR(reader.Start(after));
  ASSIGN_OR_RETURN(auto picked, MergeNewestFirst(reader, std::move(alerts), page_size + 1));
  return MakePage(std::move(picked), page_size);
}

}  // namespace backpack
