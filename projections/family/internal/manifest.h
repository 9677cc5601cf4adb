// The store-signed manifest of a history export: which events it holds, as
// of which signed tree. Internal to projections/family/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace backpack::family {

struct ManifestFields {
  std::string origin;
  std::string student_id;
  uint64_t tree_size = 0;
  bool shredded = false;
  int64_t exported_at_us = 0;
  std::vector<uint64_t> seqs;  // in bundle order
};

// The signed text (docs/history-export.md):
//   backpack history export v1\n
//   origin <origin>\n  student <id>\n  tree_size <n>\n  shredded yes|no\n
//   exported_at_us <t>\n  events <count>\n
//   seqs_sha256 <hex SHA-256 of the seqs as 8-byte big-endian integers>\n
// Its first line keeps it apart from everything else the key signs (32-byte
// event hashes, checkpoint notes that start with the origin).
std::string ManifestText(const ManifestFields& fields);

}  // namespace backpack::family
