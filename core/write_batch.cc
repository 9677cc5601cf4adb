// WriteBatch (core/store.h): writes collected for one atomic Store::Write.
#include <algorithm>
#include <optional>

#include "core/store.h"

namespace backpack {

// Every key and value of a batch lives in one buffer, so that building and
// dropping a batch of a million writes costs a few allocations, not three per
// write. Writes name their family by index into a short list of names, and
// are bound to handles at Write time, so a batch never holds a handle that
// ResetColumnFamilies could invalidate.
struct WriteBatch::Rep {
  struct Op {
    uint32_t family;  // index into `families`
    uint32_t key_size;
    uint32_t value_size;
    bool is_delete;
    size_t key_at;  // offset into `data`; the value follows the key
  };
  std::vector<std::string> families;
  std::string data;
  std::vector<Op> ops;

  uint32_t FamilyIndex(std::string_view family) {
    // Consecutive writes usually share a family; there are only a few.
    if (!ops.empty() && families[ops.back().family] == family) return ops.back().family;
    for (uint32_t i = 0; i < families.size(); ++i) {
      if (families[i] == family) return i;
    }
    families.emplace_back(family);
    return static_cast<uint32_t>(families.size() - 1);
  }
  void Add(std::string_view family, ByteView key, std::optional<ByteView> value) {
    Op op{FamilyIndex(family), static_cast<uint32_t>(key.size()),
          static_cast<uint32_t>(value ? value->size() : 0), !value, data.size()};
    data.append(AsChars(key));
    if (value) data.append(AsChars(*value));
    ops.push_back(op);
  }
  std::string_view Key(const Op& op) const { return {data.data() + op.key_at, op.key_size}; }
  std::string_view Value(const Op& op) const {
    return {data.data() + op.key_at + op.key_size, op.value_size};
  }
};

WriteBatch::WriteBatch() : rep_(std::make_unique<Rep>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(std::string_view family, ByteView key, ByteView value) {
  rep_->Add(family, key, value);
}

void WriteBatch::Delete(std::string_view family, ByteView key) {
  rep_->Add(family, key, std::nullopt);
}

size_t WriteBatch::Count() const { return rep_->ops.size(); }
size_t WriteBatch::ByteSize() const { return rep_->data.size(); }
void WriteBatch::Clear() {
  rep_->families.clear();
  rep_->data.clear();
  rep_->ops.clear();
}

// Sorted writes reach RocksDB's memtables in key order, so each insert
// starts where the previous one ended instead of descending the skip list
// from the top (several times cheaper for the scattered keys projections
// write). Writes are grouped by family first; a family whose writes were
// made in key order (the log, a projection transaction's Finish) is not
// sorted again. A stable sort keeps writes to the same key in order: the
// last wins.
Status WriteBatch::AppendSortedTo(
    const std::function<Status(std::string_view family, std::string_view key,
                               std::optional<std::string_view> value)>& append) const {
  const Rep& rep = *rep_;
  std::vector<std::vector<const Rep::Op*>> by_family(rep.families.size());
  for (const auto& op : rep.ops) by_family[op.family].push_back(&op);
  std::vector<uint32_t> family_order(rep.families.size());
  for (uint32_t i = 0; i < family_order.size(); ++i) family_order[i] = i;
  std::sort(family_order.begin(), family_order.end(),
            [&](uint32_t a, uint32_t b) { return rep.families[a] < rep.families[b]; });
  auto by_key = [&](const Rep::Op* a, const Rep::Op* b) { return rep.Key(*a) < rep.Key(*b); };
  for (uint32_t family : family_order) {
    auto& ops = by_family[family];
    if (!std::is_sorted(ops.begin(), ops.end(), by_key)) {
      std::stable_sort(ops.begin(), ops.end(), by_key);
    }
    for (const Rep::Op* op : ops) {
      RETURN_IF_ERROR(append(rep.families[family], rep.Key(*op),
                             op->is_delete ? std::nullopt
                                           : std::optional<std::string_view>(rep.Value(*op))));
    }
  }
  return OkStatus();
}

}  // namespace backpack
