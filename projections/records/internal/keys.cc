#include "projections/records/internal/keys.h"

#include "core/civil_date.h"

#include <charconv>
#include <cstdio>
#include <limits>

#include "core/clock.h"

namespace backpack::records {
namespace {

constexpr size_t kSeqSize = 8;

void AppendSeq(std::string& out, uint64_t seq) {
  auto be = EncodeBigEndian64(seq);
  out.append(reinterpret_cast<const char*>(be.data()), be.size());
}

uint64_t ReadSeq(std::string_view eight) { return DecodeBigEndian64(AsBytes(eight)); }

bool IsTag(char c) {
  switch (static_cast<Tag>(c)) {
    case Tag::kAttendance:
    case Tag::kAssessment:
    case Tag::kGrade:
    case Tag::kNote:
    case Tag::kService:
    case Tag::kTeam:
    case Tag::kVoice:
    case Tag::kAttendanceAlert:
    case Tag::kSummary:
      return true;
  }
  return false;
}

using Civil = CivilDate;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool ParseDigits(std::string_view text, unsigned* out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string StudentPrefix(std::string_view student_id) {
  std::string out(student_id);
  out.push_back('\0');
  return out;
}

std::string TagPrefix(std::string_view student_id, Tag tag) {
  std::string out = StudentPrefix(student_id);
  out.push_back(static_cast<char>(tag));
  return out;
}

std::string RecordKey(std::string_view student_id, Tag tag, uint64_t seq) {
  std::string out = TagPrefix(student_id, tag);
  AppendSeq(out, seq);
  return out;
}

std::string SummaryKey(std::string_view student_id) { return TagPrefix(student_id, Tag::kSummary); }

std::optional<ParsedRecordKey> ParseRecordKey(ByteView key) {
  std::string_view text = AsChars(key);
  size_t nul = text.find('\0');
  if (nul == std::string_view::npos || nul == 0 || nul + 1 >= text.size()) return std::nullopt;
  char tag = text[nul + 1];
  if (!IsTag(tag)) return std::nullopt;
  std::string_view rest = text.substr(nul + 2);
  ParsedRecordKey parsed{std::string(text.substr(0, nul)), static_cast<Tag>(tag), 0};
  if (parsed.tag == Tag::kSummary) {
    if (!rest.empty()) return std::nullopt;
    return parsed;
  }
  if (rest.size() != kSeqSize) return std::nullopt;
  parsed.seq = ReadSeq(rest);
  return parsed;
}

std::string FeedKey(int64_t at_us, std::string_view student_id, Tag tag, uint64_t seq) {
  uint64_t inverted =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max() - std::max<int64_t>(at_us, 0));
  std::string out;
  AppendSeq(out, inverted);
  out += RecordKey(student_id, tag, seq);
  return out;
}

std::optional<ParsedFeedKey> ParseFeedKey(ByteView key) {
  if (key.size() <= kSeqSize) return std::nullopt;
  uint64_t inverted = ReadSeq(AsChars(key.first(kSeqSize)));
  if (inverted > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  auto record = ParseRecordKey(key.subspan(kSeqSize));
  if (!record || record->tag == Tag::kSummary) return std::nullopt;
  return ParsedFeedKey{std::numeric_limits<int64_t>::max() - static_cast<int64_t>(inverted),
                       std::move(record->student_id), record->tag, record->seq};
}

std::string NoteRef(std::string_view student_id, uint64_t seq) {
  std::string out = StudentPrefix(student_id);
  AppendSeq(out, seq);
  return out;
}

std::optional<ParsedNoteRef> ParseNoteRef(ByteView value) {
  std::string_view text = AsChars(value);
  if (text.size() < kSeqSize + 2) return std::nullopt;
  size_t nul = text.size() - kSeqSize - 1;
  if (text[nul] != '\0' || text.substr(0, nul).find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  return ParsedNoteRef{std::string(text.substr(0, nul)), ReadSeq(text.substr(nul + 1))};
}

std::optional<int64_t> ParseDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  unsigned y = 0, m = 0, d = 0;
  if (!ParseDigits(date.substr(0, 4), &y) || !ParseDigits(date.substr(5, 2), &m) ||
      !ParseDigits(date.substr(8, 2), &d)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  int64_t days = DaysFromCivil(y, m, d);
  Civil back = CivilFromDays(days);
  if (back.month != m || back.day != d) return std::nullopt;  // e.g. 2026-02-30
  return days * kMicrosPerDay;
}

int64_t DayStart(int64_t at_us) { return FloorDiv(at_us, kMicrosPerDay) * kMicrosPerDay; }

std::string FormatDate(int64_t at_us) {
  Civil c = CivilFromDays(FloorDiv(at_us, kMicrosPerDay));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month,
                c.day);
  return buf;
}

std::string FormatTime(int64_t at_us) {
  int64_t seconds_of_day = FloorDiv(at_us - DayStart(at_us), kMicrosPerSecond);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%sT%02lld:%02lld:%02lldZ", FormatDate(at_us).c_str(),
                static_cast<long long>(seconds_of_day / 3600),
                static_cast<long long>(seconds_of_day / 60 % 60),
                static_cast<long long>(seconds_of_day % 60));
  return buf;
}

}  // namespace backpack::records
