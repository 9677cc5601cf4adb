#include "projections/family/internal/manifest.h"

#include "core/bytes.h"
#include "core/crypto.h"

namespace backpack::family {
namespace {

namespace json = boost::json;

// One word of a manifest line: printable, no spaces; "" is allowed (written "-").
bool IsWord(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return text != "-";
}

// The word `key` holds: a string, "" only where `may_be_empty` (an id field);
// for "withheld", null stands for "" (nothing withheld) and "" is refused.
std::optional<std::string> WordAt(const json::object& item, std::string_view key,
                                  bool may_be_empty = false) {
  const json::value* v = item.if_contains(key);
  if (v && v->is_null() && key == "withheld") return std::string();
  if (!v || !v->is_string() || !IsWord(v->as_string())) return std::nullopt;
  if (v->as_string().empty() && !may_be_empty) return std::nullopt;
  return std::string(v->as_string());
}

std::string WordOrDash(const std::string& word) { return word.empty() ? "-" : word; }

std::string EventLine(const ManifestEvent& e) {
  return std::to_string(e.seq) + " " + e.leaf_hash + " " + WordOrDash(e.withheld) + " " + e.type +
         " " + std::to_string(e.at_us) + " " + WordOrDash(e.actor_id) + " " +
         WordOrDash(e.subject_id) + " " + (e.encrypted ? "yes" : "no") + "\n";
}

}  // namespace

std::optional<ManifestEvent> ManifestEventOf(const json::object& item) {
  const json::value* seq = item.if_contains("seq");
  const json::value* at_us = item.if_contains("at_us");
  const json::value* encrypted = item.if_contains("encrypted");
  if (!seq || !seq->is_number() || !at_us || !at_us->is_number()) return std::nullopt;
  if (!encrypted || !encrypted->is_bool()) return std::nullopt;
  boost::system::error_code seq_error;
  boost::system::error_code at_error;
  ManifestEvent event;
  event.seq = seq->to_number<uint64_t>(seq_error);
  event.at_us = at_us->to_number<int64_t>(at_error);
  event.encrypted = encrypted->as_bool();
  if (seq_error || at_error) return std::nullopt;
  auto leaf_hash = WordAt(item, "leaf_hash");
  auto withheld = WordAt(item, "withheld");
  auto type = WordAt(item, "type");
  auto actor_id = WordAt(item, "actor_id", /*may_be_empty=*/true);
  auto subject_id = WordAt(item, "subject_id", /*may_be_empty=*/true);
  if (!leaf_hash || !withheld || !type || !actor_id || !subject_id) return std::nullopt;
  event.leaf_hash = std::move(*leaf_hash);
  event.withheld = std::move(*withheld);
  event.type = std::move(*type);
  event.actor_id = std::move(*actor_id);
  event.subject_id = std::move(*subject_id);
  return event;
}

std::string ManifestText(const ManifestFields& f) {
  Sha256Builder lines;
  for (const ManifestEvent& event : f.events) lines.Add(AsBytes(EventLine(event)));
  std::string text = "backpack history export v2\n";
  text += "origin " + f.origin + "\n";
  text += "student " + f.student_id + "\n";
  text += "tree_size " + std::to_string(f.tree_size) + "\n";
  text += std::string("shredded ") + (f.shredded ? "yes" : "no") + "\n";
  text += "exported_at_us " + std::to_string(f.exported_at_us) + "\n";
  text += "events " + std::to_string(f.events.size()) + "\n";
  text += "events_sha256 " + ToHex(lines.Finish()) + "\n";
  return text;
}

}  // namespace backpack::family
