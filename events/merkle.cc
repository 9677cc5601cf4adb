#include "events/merkle.h"

#include <algorithm>
#include <bit>
#include <string>

#include "core/crypto.h"

namespace backpack::merkle {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// The largest power of two strictly below `n`; RFC 9162's split point k.
// Requires n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// Hashes perfect subtree roots (largest, leftmost first) into the root of
// their concatenation, combining from the right as RFC 9162 MTH does.
// Requires !roots.empty().
Hash256 FoldFromRight(std::span<const Hash256> roots) {
  Hash256 hash = roots.back();
  for (size_t i = roots.size() - 1; i-- > 0;) hash = NodeHash(roots[i], hash);
  return hash;
}

// Reads the perfect subtrees that tile [begin, begin + size), largest first:
// one per set bit of `size`. Requires `begin` to be a multiple of the largest
// of them, which holds for every subtree of the RFC 9162 recursion.
Result<std::vector<Hash256>> ReadPerfectTiling(uint64_t begin, uint64_t size,
                                               const NodeSource& nodes) {
  std::vector<Hash256> roots;
  roots.reserve(std::popcount(size));
  uint64_t offset = begin;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    ASSIGN_OR_RETURN(Hash256 hash, nodes(static_cast<uint8_t>(level), offset >> level));
    roots.push_back(hash);
    offset += width;
  }
  return roots;
}

// MTH(D[begin : begin + size]) from stored perfect subtrees; size >= 1.
Result<Hash256> SubtreeHash(uint64_t begin, uint64_t size, const NodeSource& nodes) {
  ASSIGN_OR_RETURN(std::vector<Hash256> roots, ReadPerfectTiling(begin, size, nodes));
  return FoldFromRight(roots);
}

// Shifts fn and sn right together until fn is odd or zero (RFC 9162 step
// "right-shift both fn and sn equally until either LSB(fn) is set or fn is 0").
void ShiftUntilOddOrZero(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

Status ProofFailure(std::string why) { return DataLossError("merkle proof: " + std::move(why)); }

// RFC 9162 §2.1.4.2 steps 3-7 for 0 < old_size < new_size; `path` is the
// proof with the old root prepended when old_size is a power of two.
Status VerifyConsistencyPath(uint64_t old_size, uint64_t new_size, const Hash256& old_root,
                             const Hash256& new_root, std::span<const Hash256> path) {
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash256 fr = path[0];
  Hash256 sr = path[0];
  for (const Hash256& c : path.subspan(1)) {
    if (sn == 0) return ProofFailure("consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftUntilOddOrZero(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofFailure("consistency proof is too short");
  if (fr != old_root) return ProofFailure("consistency proof does not lead to the old root");
  if (sr != new_root) return ProofFailure("consistency proof does not lead to the new root");
  return OkStatus();
}

}  // namespace

Hash256 LeafHash(ByteView entry) { return Sha256Builder().Add(kLeafPrefix).Add(entry).Finish(); }

Hash256 NodeHash(const Hash256& left, const Hash256& right) {
  return Sha256Builder().Add(kNodePrefix).Add(left).Add(right).Finish();
}

Hash256 EmptyRoot() { return Sha256({}); }

Result<Frontier> Frontier::Load(uint64_t size, const NodeSource& nodes) {
  Frontier frontier;
  ASSIGN_OR_RETURN(frontier.roots_, ReadPerfectTiling(0, size, nodes));
  frontier.size_ = size;
  return frontier;
}

void Frontier::Append(const Hash256& leaf_hash, const NodeSink& sink) {
  const uint64_t leaf_index = size_;
  Hash256 hash = leaf_hash;
  if (sink) sink(0, leaf_index, hash);
  // Each trailing one bit of the old size is a perfect subtree that the new
  // leaf's subtree now completes to twice its width.
  uint8_t level = 0;
  while ((size_ >> level) & 1) {
    hash = NodeHash(roots_.back(), hash);
    roots_.pop_back();
    ++level;
    if (sink) sink(level, leaf_index >> level, hash);
  }
  roots_.push_back(hash);
  ++size_;
}

Hash256 Frontier::Root() const { return roots_.empty() ? EmptyRoot() : FoldFromRight(roots_); }

Result<Hash256> RootAt(uint64_t size, const NodeSource& nodes) {
  if (size == 0) return EmptyRoot();
  return SubtreeHash(0, size, nodes);
}

Result<std::vector<Hash256>> InclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                            const NodeSource& nodes) {
  if (leaf_index >= tree_size) {
    return Err(InvalidArgumentError("inclusion proof: leaf " + std::to_string(leaf_index) +
                                    " is not in a tree of size " + std::to_string(tree_size)));
  }
  // Walk down from the root; the subtree holding the leaf is
  // [begin, begin + size). Siblings are collected root first.
  std::vector<Hash256> path;
  uint64_t begin = 0;
  uint64_t size = tree_size;
  while (size > 1) {
    const uint64_t k = SplitPoint(size);
    if (leaf_index < begin + k) {
      ASSIGN_OR_RETURN(Hash256 right, SubtreeHash(begin + k, size - k, nodes));
      path.push_back(right);
      size = k;
    } else {
      ASSIGN_OR_RETURN(Hash256 left, SubtreeHash(begin, k, nodes));
      path.push_back(left);
      begin += k;
      size -= k;
    }
  }
  std::reverse(path.begin(), path.end());
  return path;
}

Result<std::vector<Hash256>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                              const NodeSource& nodes) {
  if (old_size == 0 || old_size > new_size) {
    return Err(InvalidArgumentError("consistency proof: need 0 < old size <= new size, got " +
                                    std::to_string(old_size) + " and " + std::to_string(new_size)));
  }
  // SUBPROOF(m, D[begin : begin + size], whole_old_tree), unrolled; siblings
  // are collected root first.
  std::vector<Hash256> proof;
  uint64_t begin = 0;
  uint64_t size = new_size;
  uint64_t m = old_size;
  bool whole_old_tree = true;
  while (m != size) {
    const uint64_t k = SplitPoint(size);
    if (m <= k) {
      ASSIGN_OR_RETURN(Hash256 right, SubtreeHash(begin + k, size - k, nodes));
      proof.push_back(right);
      size = k;
    } else {
      ASSIGN_OR_RETURN(Hash256 left, SubtreeHash(begin, k, nodes));
      proof.push_back(left);
      begin += k;
      size -= k;
      m -= k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) {
    ASSIGN_OR_RETURN(Hash256 shared, SubtreeHash(begin, size, nodes));
    proof.push_back(shared);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Hash256& leaf_hash,
                       std::span<const Hash256> proof, const Hash256& root) {
  if (leaf_index >= tree_size) return ProofFailure("leaf index is beyond the tree size");
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  Hash256 r = leaf_hash;
  for (const Hash256& p : proof) {
    if (sn == 0) return ProofFailure("inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      ShiftUntilOddOrZero(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofFailure("inclusion proof is too short");
  if (r != root) return ProofFailure("inclusion proof does not lead to the root");
  return OkStatus();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash256& old_root,
                         const Hash256& new_root, std::span<const Hash256> proof) {
  if (old_size > new_size) return ProofFailure("old tree is larger than the new tree");
  if (old_size == new_size) {
    if (!proof.empty()) return ProofFailure("trees of equal size need an empty proof");
    if (old_root != new_root) return ProofFailure("trees of equal size have different roots");
    return OkStatus();
  }
  if (old_size == 0) {
    if (!proof.empty()) return ProofFailure("the empty tree needs an empty proof");
    if (old_root != EmptyRoot()) return ProofFailure("old root is not the empty tree's root");
    return OkStatus();
  }
  if (proof.empty()) return ProofFailure("consistency proof is empty");
  std::vector<Hash256> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  return VerifyConsistencyPath(old_size, new_size, old_root, new_root, path);
}

}  // namespace backpack::merkle
