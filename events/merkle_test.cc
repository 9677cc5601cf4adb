#include "events/merkle.h"

#include <bit>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>

#include "core/crypto.h"

namespace backpack::merkle {
namespace {

Hash256 H(std::string_view hex) {
  Result<Bytes> bytes = FromHex(hex);
  REQUIRE(bytes);
  REQUIRE(bytes->size() == 32);
  Hash256 hash;
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

template <typename T>
StatusCode CodeOf(const Result<T>& result) {
  return result ? StatusCode::kOk : result.error().code();
}

std::vector<Hash256> Hs(std::initializer_list<std::string_view> hexes) {
  std::vector<Hash256> hashes;
  for (std::string_view hex : hexes) hashes.push_back(H(hex));
  return hashes;
}

// The reference tree of RFC 6962 implementations, from Certificate
// Transparency's cpp/merkletree/merkle_tree_test.cc (kInputs, kSHA256Roots,
// kSHA256Paths, kSHA256Proofs). CT numbers leaves from 1; indices here are 0-based.
constexpr std::string_view kReferenceInputs[] = {"",
                                                 "00",
                                                 "10",
                                                 "2021",
                                                 "3031",
                                                 "40414243",
                                                 "5051525354555657",
                                                 "606162636465666768696a6b6c6d6e6f"};
constexpr std::string_view kReferenceRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

// A tree whose perfect subtrees are persisted, as the event log does.
class StoredTree {
 public:
  void AppendEntry(ByteView entry) { AppendLeafHash(LeafHash(entry)); }
  void AppendLeafHash(const Hash256& leaf) {
    leaves_.push_back(leaf);
    frontier_.Append(leaf, [this](uint8_t level, uint64_t index, const Hash256& hash) {
      nodes_[{level, index}] = hash;
    });
  }
  NodeSource Source() {
    return [this](uint8_t level, uint64_t index) -> Result<Hash256> {
      ++reads_;
      auto it = nodes_.find({level, index});
      if (it == nodes_.end()) return Err(NotFoundError("no node"));
      return it->second;
    };
  }
  const Frontier& frontier() const { return frontier_; }
  const std::vector<Hash256>& leaves() const { return leaves_; }
  std::map<std::pair<uint8_t, uint64_t>, Hash256>& nodes() { return nodes_; }
  int reads() const { return reads_; }

 private:
  Frontier frontier_;
  std::vector<Hash256> leaves_;
  std::map<std::pair<uint8_t, uint64_t>, Hash256> nodes_;
  int reads_ = 0;
};

StoredTree ReferenceTree() {
  StoredTree tree;
  for (std::string_view input : kReferenceInputs) tree.AppendEntry(*FromHex(input));
  return tree;
}

StoredTree TreeOfSize(uint64_t size) {
  StoredTree tree;
  for (uint64_t i = 0; i < size; ++i) tree.AppendEntry(AsBytes("entry " + std::to_string(i)));
  return tree;
}

// Straight transcriptions of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, used
// to cross-check the O(log n) versions.
using Leaves = std::span<const Hash256>;
uint64_t Split(uint64_t n) { return std::bit_floor(n - 1); }

Hash256 ReferenceRoot(Leaves d) {
  if (d.empty()) return EmptyRoot();
  if (d.size() == 1) return d[0];
  const uint64_t k = Split(d.size());
  return NodeHash(ReferenceRoot(d.first(k)), ReferenceRoot(d.subspan(k)));
}

std::vector<Hash256> ReferencePath(uint64_t m, Leaves d) {
  if (d.size() <= 1) return {};
  const uint64_t k = Split(d.size());
  std::vector<Hash256> path =
      m < k ? ReferencePath(m, d.first(k)) : ReferencePath(m - k, d.subspan(k));
  path.push_back(m < k ? ReferenceRoot(d.subspan(k)) : ReferenceRoot(d.first(k)));
  return path;
}

std::vector<Hash256> ReferenceSubproof(uint64_t m, Leaves d, bool b) {
  if (m == d.size()) return b ? std::vector<Hash256>{} : std::vector<Hash256>{ReferenceRoot(d)};
  const uint64_t k = Split(d.size());
  std::vector<Hash256> proof =
      m <= k ? ReferenceSubproof(m, d.first(k), b) : ReferenceSubproof(m - k, d.subspan(k), false);
  proof.push_back(m <= k ? ReferenceRoot(d.subspan(k)) : ReferenceRoot(d.first(k)));
  return proof;
}

Hash256 Flipped(Hash256 hash) {
  hash[7] ^= 0x20;
  return hash;
}

// Proofs that differ from `proof` by one changed, added or removed hash.
std::vector<std::vector<Hash256>> TamperedProofs(const std::vector<Hash256>& proof) {
  std::vector<std::vector<Hash256>> tampered;
  for (size_t i = 0; i < proof.size(); ++i) {
    tampered.push_back(proof);
    tampered.back()[i] = Flipped(proof[i]);
  }
  tampered.push_back(proof);
  tampered.back().push_back(EmptyRoot());
  tampered.push_back(proof);
  tampered.back().insert(tampered.back().begin(), EmptyRoot());
  if (!proof.empty()) {
    tampered.push_back(proof);
    tampered.back().pop_back();
  }
  return tampered;
}

constexpr uint64_t kMaxBruteForceSize = 64;

std::vector<Hash256> AllRoots(const StoredTree& tree) {
  std::vector<Hash256> roots;
  for (size_t n = 0; n <= tree.leaves().size(); ++n) {
    roots.push_back(ReferenceRoot(Leaves(tree.leaves()).first(n)));
  }
  return roots;
}

// Counts the variations of a valid inclusion proof that still verify: a
// changed proof hash, leaf, index, size (with that size's root) or root.
int AcceptedInclusionForgeries(uint64_t m, uint64_t n, const Hash256& leaf,
                               const std::vector<Hash256>& proof,
                               const std::vector<Hash256>& roots) {
  int accepted = 0;
  auto count = [&](const Status& s) { accepted += s.ok() ? 1 : 0; };
  for (const auto& bad : TamperedProofs(proof)) count(VerifyInclusion(m, n, leaf, bad, roots[n]));
  count(VerifyInclusion(m, n, Flipped(leaf), proof, roots[n]));
  count(VerifyInclusion(m, n, leaf, proof, Flipped(roots[n])));
  for (uint64_t other = 0; other <= n; ++other) {
    if (other != m) count(VerifyInclusion(other, n, leaf, proof, roots[n]));
  }
  for (uint64_t other = 1; other < roots.size(); ++other) {
    if (other != n) count(VerifyInclusion(m, other, leaf, proof, roots[other]));
  }
  return accepted;
}

// Counts the variations of a valid consistency proof that still verify.
int AcceptedConsistencyForgeries(uint64_t m, uint64_t n, const std::vector<Hash256>& proof,
                                 const std::vector<Hash256>& roots) {
  int accepted = 0;
  auto count = [&](const Status& s) { accepted += s.ok() ? 1 : 0; };
  for (const auto& bad : TamperedProofs(proof)) {
    count(VerifyConsistency(m, n, roots[m], roots[n], bad));
  }
  count(VerifyConsistency(m, n, Flipped(roots[m]), roots[n], proof));
  count(VerifyConsistency(m, n, roots[m], Flipped(roots[n]), proof));
  if (m != n) count(VerifyConsistency(m, n, roots[n], roots[m], proof));
  for (uint64_t other = 1; other < roots.size(); ++other) {
    if (other != m) count(VerifyConsistency(other, n, roots[other], roots[n], proof));
    if (other != n) count(VerifyConsistency(m, other, roots[m], roots[other], proof));
  }
  return accepted;
}

TEST_CASE("leaf, node and empty-tree hashes match RFC 6962") {
  REQUIRE(CryptoInit().ok());
  CHECK(EmptyRoot() == H(kReferenceRoots[0]));
  CHECK(LeafHash({}) == H(kReferenceRoots[1]));
  CHECK(NodeHash(LeafHash({}), LeafHash(*FromHex("00"))) == H(kReferenceRoots[2]));
}

TEST_CASE("frontier roots and stored roots match the RFC 6962 reference tree heads") {
  REQUIRE(CryptoInit().ok());
  StoredTree tree;
  CHECK(tree.frontier().Root() == H(kReferenceRoots[0]));
  for (size_t i = 0; i < std::size(kReferenceInputs); ++i) {
    tree.AppendEntry(*FromHex(kReferenceInputs[i]));
    CHECK(tree.frontier().size() == i + 1);
    CHECK(tree.frontier().Root() == H(kReferenceRoots[i + 1]));
  }
  for (uint64_t size = 0; size <= 8; ++size) {
    Result<Hash256> root = RootAt(size, tree.Source());
    REQUIRE(root);
    CHECK(*root == H(kReferenceRoots[size]));
  }
}

TEST_CASE("inclusion proofs match the RFC 6962 reference vectors") {
  REQUIRE(CryptoInit().ok());
  StoredTree tree = ReferenceTree();
  struct Vector {
    uint64_t leaf, size;
    std::vector<Hash256> path;
  };
  const Vector vectors[] = {
      {0, 1, {}},
      {0, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, Hs({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const Vector& v : vectors) {
    CAPTURE(v.leaf, v.size);
    Result<std::vector<Hash256>> path = InclusionProof(v.leaf, v.size, tree.Source());
    REQUIRE(path);
    CHECK(*path == v.path);
    const Hash256 leaf = LeafHash(*FromHex(kReferenceInputs[v.leaf]));
    CHECK(VerifyInclusion(v.leaf, v.size, leaf, v.path, H(kReferenceRoots[v.size])).ok());
  }
}

TEST_CASE("consistency proofs match the RFC 6962 reference vectors") {
  REQUIRE(CryptoInit().ok());
  StoredTree tree = ReferenceTree();
  struct Vector {
    uint64_t old_size, new_size;
    std::vector<Hash256> proof;
  };
  const Vector vectors[] = {
      {1, 1, {}},
      {1, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const Vector& v : vectors) {
    CAPTURE(v.old_size, v.new_size);
    Result<std::vector<Hash256>> proof = ConsistencyProof(v.old_size, v.new_size, tree.Source());
    REQUIRE(proof);
    CHECK(*proof == v.proof);
    CHECK(VerifyConsistency(v.old_size, v.new_size, H(kReferenceRoots[v.old_size]),
                            H(kReferenceRoots[v.new_size]), v.proof)
              .ok());
  }
}

TEST_CASE("frontier append reports every perfect subtree exactly once with its hash") {
  REQUIRE(CryptoInit().ok());
  StoredTree tree = TreeOfSize(kMaxBruteForceSize + 5);
  const uint64_t n = tree.leaves().size();
  CHECK(tree.nodes().size() == 2 * n - std::popcount(n));
  for (const auto& [key, hash] : tree.nodes()) {
    const auto [level, index] = key;
    CAPTURE(level, index);
    CHECK(hash ==
          ReferenceRoot(Leaves(tree.leaves()).subspan(index << level, uint64_t{1} << level)));
  }
}

TEST_CASE("Frontier::Load reproduces the root and appends like the original") {
  REQUIRE(CryptoInit().ok());
  StoredTree full = TreeOfSize(kMaxBruteForceSize);
  StoredTree growing;
  for (uint64_t size = 0; size <= kMaxBruteForceSize; ++size) {
    CAPTURE(size);
    Result<Frontier> loaded = Frontier::Load(size, full.Source());
    REQUIRE(loaded);
    CHECK(loaded->size() == size);
    CHECK(loaded->Root() == growing.frontier().Root());
    CHECK(loaded->Root() == ReferenceRoot(Leaves(full.leaves()).first(size)));
    if (size == kMaxBruteForceSize) break;
    loaded->Append(full.leaves()[size], nullptr);
    growing.AppendLeafHash(full.leaves()[size]);
    CHECK(loaded->Root() == growing.frontier().Root());
  }
}

TEST_CASE("Frontier::Load and proofs fail when a stored node is missing") {
  REQUIRE(CryptoInit().ok());
  StoredTree tree = TreeOfSize(13);
  tree.nodes().erase({2, 2});  // leaves [8, 12)
  CHECK(CodeOf(Frontier::Load(13, tree.Source())) == StatusCode::kNotFound);
  CHECK(CodeOf(RootAt(12, tree.Source())) == StatusCode::kNotFound);
  CHECK(CodeOf(InclusionProof(3, 13, tree.Source())) == StatusCode::kNotFound);
  CHECK(CodeOf(ConsistencyProof(5, 13, tree.Source())) == StatusCode::kNotFound);
  CHECK(Frontier::Load(8, tree.Source()));
}

TEST_CASE("inclusion proofs for every leaf of trees up to 64 leaves verify and resist tampering") {
  REQUIRE(CryptoInit().ok());
  const std::vector<Hash256> roots = AllRoots(TreeOfSize(kMaxBruteForceSize));
  StoredTree tree;  // grows with n, so proofs can only read nodes that exist
  for (uint64_t n = 1; n <= kMaxBruteForceSize; ++n) {
    tree.AppendEntry(AsBytes("entry " + std::to_string(n - 1)));
    for (uint64_t m = 0; m < n; ++m) {
      CAPTURE(n, m);
      Result<std::vector<Hash256>> proof = InclusionProof(m, n, tree.Source());
      REQUIRE(proof);
      CHECK(*proof == ReferencePath(m, Leaves(tree.leaves()).first(n)));
      CHECK(VerifyInclusion(m, n, tree.leaves()[m], *proof, roots[n]).ok());
      CHECK(AcceptedInclusionForgeries(m, n, tree.leaves()[m], *proof, roots) == 0);
    }
  }
}

TEST_CASE("consistency proofs for every pair of sizes up to 64 verify and resist tampering") {
  REQUIRE(CryptoInit().ok());
  const std::vector<Hash256> roots = AllRoots(TreeOfSize(kMaxBruteForceSize));
  StoredTree tree;
  for (uint64_t n = 1; n <= kMaxBruteForceSize; ++n) {
    tree.AppendEntry(AsBytes("entry " + std::to_string(n - 1)));
    for (uint64_t m = 1; m <= n; ++m) {
      CAPTURE(n, m);
      Result<std::vector<Hash256>> proof = ConsistencyProof(m, n, tree.Source());
      REQUIRE(proof);
      CHECK(*proof == ReferenceSubproof(m, Leaves(tree.leaves()).first(n), true));
      CHECK(VerifyConsistency(m, n, roots[m], roots[n], *proof).ok());
      CHECK(AcceptedConsistencyForgeries(m, n, *proof, roots) == 0);
    }
  }
}

TEST_CASE("roots and proofs read O(log n) stored nodes") {
  REQUIRE(CryptoInit().ok());
  StoredTree tree = TreeOfSize(3001);
  for (uint64_t n : {1, 2, 3, 1000, 1023, 1024, 1025, 2999, 3001}) {
    const int depth = static_cast<int>(std::bit_width(n));
    const int bound = 2 * depth + 1;
    for (uint64_t m : {uint64_t{1}, n / 3 + 1, n / 2 + 1, n - 1, n}) {
      if (m == 0 || m > n) continue;
      CAPTURE(n, m);
      const int before_root = tree.reads();
      REQUIRE(RootAt(n, tree.Source()));
      CHECK(tree.reads() - before_root <= depth);
      const int before_inclusion = tree.reads();
      REQUIRE(InclusionProof(m - 1, n, tree.Source()));
      CHECK(tree.reads() - before_inclusion <= bound);
      const int before_consistency = tree.reads();
      REQUIRE(ConsistencyProof(m, n, tree.Source()));
      CHECK(tree.reads() - before_consistency <= bound);
    }
  }
}

TEST_CASE("proof requests outside the tree are invalid arguments") {
  REQUIRE(CryptoInit().ok());
  StoredTree tree = TreeOfSize(4);
  CHECK(CodeOf(InclusionProof(4, 4, tree.Source())) == StatusCode::kInvalidArgument);
  CHECK(CodeOf(InclusionProof(0, 0, tree.Source())) == StatusCode::kInvalidArgument);
  CHECK(CodeOf(ConsistencyProof(0, 4, tree.Source())) == StatusCode::kInvalidArgument);
  CHECK(CodeOf(ConsistencyProof(4, 3, tree.Source())) == StatusCode::kInvalidArgument);
}

TEST_CASE(
    "verification rejects impossible sizes and accepts only trivial proofs for trivial pairs") {
  REQUIRE(CryptoInit().ok());
  const std::vector<Hash256> roots = AllRoots(TreeOfSize(3));
  const Hash256 leaf = LeafHash(AsBytes("entry 0"));
  CHECK(VerifyInclusion(0, 0, leaf, {}, EmptyRoot()).code() == StatusCode::kDataLoss);
  CHECK(VerifyInclusion(1, 1, leaf, {}, roots[1]).code() == StatusCode::kDataLoss);
  CHECK(VerifyInclusion(0, 1, leaf, {}, roots[1]).ok());
  CHECK(VerifyConsistency(2, 1, roots[2], roots[1], {}).code() == StatusCode::kDataLoss);
  CHECK(VerifyConsistency(0, 3, EmptyRoot(), roots[3], {}).ok());
  CHECK_FALSE(VerifyConsistency(0, 3, roots[1], roots[3], {}).ok());
  CHECK_FALSE(VerifyConsistency(0, 3, EmptyRoot(), roots[3], std::vector<Hash256>{roots[3]}).ok());
  CHECK(VerifyConsistency(3, 3, roots[3], roots[3], {}).ok());
  CHECK_FALSE(VerifyConsistency(3, 3, roots[3], roots[2], {}).ok());
  CHECK_FALSE(VerifyConsistency(3, 3, roots[3], roots[3], std::vector<Hash256>{roots[3]}).ok());
  CHECK_FALSE(VerifyConsistency(1, 2, roots[1], roots[2], {}).ok());
}

}  // namespace
}  // namespace backpack::merkle
