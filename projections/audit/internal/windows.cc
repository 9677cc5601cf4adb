#include "projections/audit/internal/windows.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace backpack::audit_internal {
namespace json = boost::json;
namespace {

int64_t AsInt(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64());
  return 0;
}

Result<json::object> ParseObject(ByteView value) {
  json::error_code ec;
  json::value v = json::parse(AsChars(value), ec);
  if (ec || !v.is_object()) return Err(DataLossError("malformed alert window"));
  return std::move(v.get_object());
}

int64_t QuietUntil(const json::object& o) {
  const json::value* v = o.if_contains("quiet_until_us");
  return v ? AsInt(*v) : 0;
}

}  // namespace

Result<std::optional<Trigger>> AddReads(BulkWindowHeader& header, BulkWindowEntries& entries,
                                        const std::vector<std::string>& students, int64_t at_us,
                                        uint64_t seq, size_t threshold, bool open_alert_reviewed) {
  const int64_t cutoff_us = at_us - kBulkWindowMicros;
  bool entered = false;  // a student not in the window before this read
  for (const auto& id : students) {
    ASSIGN_OR_RETURN(std::optional<int64_t> previous, entries.LastRead(id));
    if (previous == at_us) continue;
    RETURN_IF_ERROR(entries.SetLastRead(id, previous, at_us));
    if (!previous) header.students++;
    if (!previous || *previous <= cutoff_us) entered = true;
  }
  // header.oldest_us is a lower bound on every entry's read time: while it
  // is inside the window nothing can have expired, and no scan is needed.
  if (header.oldest_us <= cutoff_us) {
    ASSIGN_OR_RETURN(uint64_t forgotten, entries.ForgetUpTo(cutoff_us, header));
    header.students -= std::min(forgotten, header.students);
  }
  if (header.students <= threshold) return std::optional<Trigger>();
  Trigger trigger{header.students, header.oldest_us};
  if (at_us < header.quiet_until_us) {
    if (header.alert_seq == 0) return std::optional<Trigger>();  // a header from before alert_seq
    if (!open_alert_reviewed) {
      trigger.continues_open_alert = true;
      return std::optional<Trigger>(trigger);
    }
    // The reviewer saw the students read until then: a re-read of one adds
    // nothing to report, a student new to the window starts a new alert.
    if (!entered) return std::optional<Trigger>();
  }
  header.quiet_until_us = at_us + kBulkWindowMicros;
  header.alert_seq = seq;
  return std::optional<Trigger>(trigger);
}

Result<std::optional<Trigger>> AddDenial(DenialWindowHeader& header, DenialWindowEntries& entries,
                                         int64_t at_us, uint64_t seq, size_t threshold,
                                         int64_t window_us, bool open_alert_reviewed) {
  RETURN_IF_ERROR(entries.AddAt(at_us));
  if (header.denials++ == 0) header.oldest_us = at_us;
  // header.oldest_us is the earliest denial: while it is inside the window
  // nothing can have expired, and no scan is needed.
  const int64_t cutoff_us = at_us - window_us;
  if (header.oldest_us <= cutoff_us) {
    ASSIGN_OR_RETURN(uint64_t forgotten, entries.ForgetUpTo(cutoff_us, header));
    header.denials -= std::min(forgotten, header.denials);
  }
  Trigger trigger{header.denials, header.oldest_us};
  // After a review, a denial is judged as if no alert were open: the
  // reviewer saw the denials until then, a new burst is a new alert.
  if (at_us < header.quiet_until_us && !open_alert_reviewed) {
    if (header.alert_seq == 0) return std::optional<Trigger>();
    trigger.continues_open_alert = true;
    return std::optional<Trigger>(trigger);
  }
  if (header.denials < threshold) return std::optional<Trigger>();
  header.quiet_until_us = at_us + window_us;
  header.alert_seq = seq;
  return std::optional<Trigger>(trigger);
}

std::string EncodeBulkWindowHeader(const BulkWindowHeader& header) {
  json::object o;
  o["quiet_until_us"] = header.quiet_until_us;
  o["students"] = header.students;
  o["oldest_us"] = header.oldest_us;
  o["alert_seq"] = header.alert_seq;
  return json::serialize(o);
}

Result<BulkWindowHeader> DecodeBulkWindowHeader(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  BulkWindowHeader header;
  header.quiet_until_us = QuietUntil(o);
  if (const json::value* v = o.if_contains("students")) header.students = AsInt(*v);
  if (const json::value* v = o.if_contains("oldest_us")) header.oldest_us = AsInt(*v);
  if (const json::value* v = o.if_contains("alert_seq")) {
    header.alert_seq = static_cast<uint64_t>(AsInt(*v));
  }
  return header;
}

std::string EncodeDenialWindowHeader(const DenialWindowHeader& header) {
  std::string out;
  for (uint64_t field : {static_cast<uint64_t>(header.quiet_until_us), header.denials,
                         static_cast<uint64_t>(header.oldest_us), header.alert_seq}) {
    auto be = EncodeBigEndian64(field);
    out.append(be.begin(), be.end());
  }
  return out;
}

Result<DenialWindowHeader> DecodeDenialWindowHeader(ByteView value) {
  if (value.size() != kDenialWindowHeaderSize) {
    return Err(DataLossError("malformed denial window"));
  }
  DenialWindowHeader header;
  header.quiet_until_us = static_cast<int64_t>(DecodeBigEndian64(value.subspan(0, 8)));
  header.denials = DecodeBigEndian64(value.subspan(8, 8));
  header.oldest_us = static_cast<int64_t>(DecodeBigEndian64(value.subspan(16, 8)));
  header.alert_seq = DecodeBigEndian64(value.subspan(24, 8));
  return header;
}

}  // namespace backpack::audit_internal
