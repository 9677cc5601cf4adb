// RFC 9162 (Certificate Transparency v2) Merkle tree math over SHA-256.
//
// Leaves are hashed as SHA-256(0x00 || entry), interior nodes as
// SHA-256(0x01 || left || right). Pure functions: no I/O. Stored trees are
// read through a NodeSource, which returns the hash of a perfect subtree.
//
// A perfect subtree is named (level, index): it covers leaves
// [index << level, (index + 1) << level). Level 0 is a leaf hash.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace backpack::merkle {

Hash256 LeafHash(ByteView entry);
Hash256 NodeHash(const Hash256& left, const Hash256& right);
// The root of the empty tree: SHA-256 of the empty string.
Hash256 EmptyRoot();

// Returns the stored hash of perfect subtree (level, index), or an error.
using NodeSource = std::function<Result<Hash256>(uint8_t level, uint64_t index)>;
// Receives each perfect subtree completed by Frontier::Append.
using NodeSink = std::function<void(uint8_t level, uint64_t index, const Hash256& hash)>;

// The compact range [0, size): one root per set bit of size, largest first.
// Appending is O(log n) and reports every perfect subtree it completes, so a
// caller can persist them for O(log n) proofs later.
class Frontier {
 public:
  Frontier() = default;
  // Rebuilds the frontier of a tree of `size` leaves from stored nodes.
  static Result<Frontier> Load(uint64_t size, const NodeSource& nodes);

  // Appends `leaf_hash`; calls `sink` (which may be empty) for the leaf
  // (level 0) and for each perfect subtree it completes, in increasing level.
  // Requires size() < UINT64_MAX.
  void Append(const Hash256& leaf_hash, const NodeSink& sink);
  Hash256 Root() const;
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash256> roots_;  // perfect subtree roots, largest (leftmost) first
};

// MTH of the first `size` leaves, from stored perfect subtrees. O(log n) reads.
Result<Hash256> RootAt(uint64_t size, const NodeSource& nodes);

// RFC 9162 §2.1.3.1 PATH(leaf_index, D[tree_size]). kInvalidArgument if
// leaf_index >= tree_size.
Result<std::vector<Hash256>> InclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                            const NodeSource& nodes);
// RFC 9162 §2.1.4.1 PROOF(old_size, D[new_size]). kInvalidArgument unless
// 0 < old_size <= new_size.
Result<std::vector<Hash256>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                              const NodeSource& nodes);

// RFC 9162 §2.1.3.2. ok() if `proof` shows `leaf_hash` at `leaf_index` in the
// tree of `tree_size` with `root`; kDataLoss otherwise.
Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Hash256& leaf_hash,
                       std::span<const Hash256> proof, const Hash256& root);
// RFC 9162 §2.1.4.2. ok() if `proof` shows the tree of `old_size` with
// `old_root` is a prefix of the tree of `new_size` with `new_root`.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash256& old_root,
                         const Hash256& new_root, std::span<const Hash256> proof);

}  // namespace backpack::merkle
