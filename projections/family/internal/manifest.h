// The store-signed manifest of a history export: which events it holds, as
// of which signed tree, and what the bundle shows of each. Internal to
// projections/family/.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace backpack::family {

// One exported event as the manifest attests it: its place in the log, what
// was withheld of it, and its envelope fields (the only record of them for
// an event whose stored bytes are withheld).
struct ManifestEvent {
  uint64_t seq = 0;
  std::string leaf_hash;  // hex
  std::string withheld;   // "" when nothing was
  std::string type;
  int64_t at_us = 0;
  std::string actor_id;
  std::string subject_id;
  bool encrypted = false;
};

struct ManifestFields {
  std::string origin;
  std::string student_id;
  uint64_t tree_size = 0;
  bool shredded = false;
  int64_t exported_at_us = 0;
  std::vector<ManifestEvent> events;  // in bundle order
};

// The manifest entry of an exported event (a bundle's `events` item);
// nullopt if a field is missing, of the wrong type, or holds a space or a
// control character (every id is one word).
std::optional<ManifestEvent> ManifestEventOf(const boost::json::object& item);

// The signed text (docs/history-export.md):
//   backpack history export v2\n
//   origin <origin>\n  student <id>\n  tree_size <n>\n  shredded yes|no\n
//   exported_at_us <t>\n  events <count>\n
//   events_sha256 <hex SHA-256 of the events' lines>\n
// an event's line being
//   <seq> <leaf_hash> <withheld or -> <type> <at_us> <actor_id or -> <subject_id or ->
//   <yes or no: encrypted>\n
// Its first line keeps it apart from everything else the key signs (32-byte
// event hashes, checkpoint notes that start with the origin).
std::string ManifestText(const ManifestFields& fields);

}  // namespace backpack::family
