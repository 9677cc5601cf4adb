#include "projections/family/internal/manifest.h"

#include "core/bytes.h"
#include "core/crypto.h"

namespace backpack::family {

std::string ManifestText(const ManifestFields& f) {
  Sha256Builder seqs;
  for (uint64_t seq : f.seqs) seqs.Add(EncodeBigEndian64(seq));
  std::string text = "backpack history export v1\n";
  text += "origin " + f.origin + "\n";
  text += "student " + f.student_id + "\n";
  text += "tree_size " + std::to_string(f.tree_size) + "\n";
  text += std::string("shredded ") + (f.shredded ? "yes" : "no") + "\n";
  text += "exported_at_us " + std::to_string(f.exported_at_us) + "\n";
  text += "events " + std::to_string(f.seqs.size()) + "\n";
  text += "seqs_sha256 " + ToHex(seqs.Finish()) + "\n";
  return text;
}

}  // namespace backpack::family
