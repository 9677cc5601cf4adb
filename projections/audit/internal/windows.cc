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
                                        uint64_t seq, size_t threshold) {
  for (const auto& id : students) {
    ASSIGN_OR_RETURN(std::optional<int64_t> previous, entries.LastRead(id));
    if (previous == at_us) continue;
    RETURN_IF_ERROR(entries.SetLastRead(id, previous, at_us));
    if (!previous) header.students++;
  }
  // header.oldest_us is a lower bound on every entry's read time: while it
  // is inside the window nothing can have expired, and no scan is needed.
  const int64_t cutoff_us = at_us - kBulkWindowMicros;
  if (header.oldest_us <= cutoff_us) {
    ASSIGN_OR_RETURN(uint64_t forgotten, entries.ForgetUpTo(cutoff_us, header));
    header.students -= std::min(forgotten, header.students);
  }
  if (header.students <= threshold) return std::optional<Trigger>();
  Trigger trigger{header.students, header.oldest_us};
  if (at_us < header.quiet_until_us) {
    if (header.alert_seq == 0) return std::optional<Trigger>();  // a header from before alert_seq
    trigger.continues_open_alert = true;
    return std::optional<Trigger>(trigger);
  }
  header.quiet_until_us = at_us + kBulkWindowMicros;
  header.alert_seq = seq;
  return std::optional<Trigger>(trigger);
}

std::optional<Trigger> AddDenial(DenialWindow& window, int64_t at_us, size_t threshold,
                                 int64_t window_us) {
  window.times.push_back(at_us);
  std::erase_if(window.times, [&](int64_t t) { return at_us - t >= window_us; });
  if (window.times.size() < threshold || at_us < window.quiet_until_us) return std::nullopt;
  window.quiet_until_us = at_us + window_us;
  return Trigger{window.times.size(), window.times.front()};
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

std::string EncodeDenialWindow(const DenialWindow& window) {
  json::array times;
  for (int64_t t : window.times) times.push_back(t);
  json::object o;
  o["quiet_until_us"] = window.quiet_until_us;
  o["times"] = std::move(times);
  return json::serialize(o);
}

Result<DenialWindow> DecodeDenialWindow(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value));
  DenialWindow window;
  window.quiet_until_us = QuietUntil(o);
  if (const json::value* v = o.if_contains("times"); v && v->is_array()) {
    for (const auto& t : v->get_array()) window.times.push_back(AsInt(t));
  }
  return window;
}

}  // namespace backpack::audit_internal
