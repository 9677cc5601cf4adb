// WriteBatch (core/store.h): writes collected for one atomic Store::Write.
#include <algorithm>
#include <memory>
#include <optional>

#include "core/key_order.h"
#include "core/store.h"

namespace backpack {

// Keys and values live in a few large chunks, so that building and dropping
// a batch of a million writes costs a few dozen allocations, not three per
// write, and growing it never copies what it already holds (the chunks grow
// geometrically, from 4 KiB for the small batches of single appends to
// 16 MiB). Writes are listed per family (a bulk write gathers each family's
// on its own core), name their family only by name, and are bound to handles
// at Write time, so a batch never holds a handle that ResetColumnFamilies
// could invalidate.
struct WriteBatch::Rep {
  static constexpr size_t kFirstChunk = 4 << 10;
  static constexpr size_t kLargestChunk = 16 << 20;
  struct Op {
    uint32_t key_size;
    uint32_t value_size;
    bool is_delete;
    const char* key;    // in one of `chunks`
    const char* value;  // after the key, or in one of `owned`
  };
  std::vector<std::string> families;
  std::vector<std::vector<Op>> ops;  // each family's writes, as made
  size_t count = 0;
  uint32_t last_family = 0;          // the family of the latest write
  std::vector<std::unique_ptr<char[]>> chunks;
  std::vector<Bytes> owned;  // values handed over by PutOwned
  char* free_at = nullptr;  // the unused end of the last chunk
  size_t free_bytes = 0;
  size_t next_chunk = kFirstChunk;
  size_t byte_size = 0;  // keys and values

  uint32_t FamilyIndex(std::string_view family) {
    // Consecutive writes usually share a family; there are only a few.
    if (count > 0 && families[last_family] == family) return last_family;
    for (uint32_t i = 0; i < families.size(); ++i) {
      if (families[i] == family) return last_family = i;
    }
    families.emplace_back(family);
    ops.emplace_back();
    return last_family = static_cast<uint32_t>(families.size() - 1);
  }
  char* Allocate(size_t size) {
    if (size > free_bytes) {
      size_t chunk = std::max(size, next_chunk);
      chunks.push_back(std::make_unique_for_overwrite<char[]>(chunk));
      free_at = chunks.back().get();
      free_bytes = chunk;
      next_chunk = std::min(next_chunk * 2, kLargestChunk);
    }
    char* at = free_at;
    free_at += size;
    free_bytes -= size;
    return at;
  }
  void Add(std::string_view family, ByteView key, std::optional<ByteView> value) {
    const size_t value_size = value ? value->size() : 0;
    char* at = Allocate(key.size() + value_size);
    std::copy(key.begin(), key.end(), at);
    if (value) std::copy(value->begin(), value->end(), at + key.size());
    Push(family, key.size(), at, value_size, at + key.size(), !value);
  }
  void AddOwned(std::string_view family, ByteView key, Bytes value) {
    char* at = Allocate(key.size());
    std::copy(key.begin(), key.end(), at);
    owned.push_back(std::move(value));  // moving keeps the bytes where they are
    const Bytes& kept = owned.back();
    Push(family, key.size(), at, kept.size(), reinterpret_cast<const char*>(kept.data()), false);
  }
  void Push(std::string_view family, size_t key_size, const char* key, size_t value_size,
            const char* value, bool is_delete) {
    byte_size += key_size + value_size;
    ops[FamilyIndex(family)].push_back(Op{
        static_cast<uint32_t>(key_size), static_cast<uint32_t>(value_size), is_delete, key, value});
    ++count;
  }
  std::string_view Key(const Op& op) const { return {op.key, op.key_size}; }
  std::string_view Value(const Op& op) const { return {op.value, op.value_size}; }
};

WriteBatch::WriteBatch() : rep_(std::make_unique<Rep>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(std::string_view family, ByteView key, ByteView value) {
  rep_->Add(family, key, value);
}

void WriteBatch::PutOwned(std::string_view family, ByteView key, Bytes value) {
  rep_->AddOwned(family, key, std::move(value));
}

void WriteBatch::Delete(std::string_view family, ByteView key) {
  rep_->Add(family, key, std::nullopt);
}

size_t WriteBatch::Count() const { return rep_->count; }
size_t WriteBatch::ByteSize() const { return rep_->byte_size; }
void WriteBatch::Clear() { *rep_ = Rep(); }

const std::vector<std::string>& WriteBatch::Families() const { return rep_->families; }

WriteBatch::FamilyViews WriteBatch::FamilyWrites(size_t family) const {
  const Rep& rep = *rep_;
  FamilyViews views;
  views.family = rep.families[family];
  views.writes.reserve(rep.ops[family].size());
  for (const Rep::Op& op : rep.ops[family]) {
    std::optional<std::string_view> value;
    if (!op.is_delete) value = rep.Value(op);
    views.writes.push_back({rep.Key(op), value});
  }
  return views;
}

std::vector<WriteBatch::FamilyViews> WriteBatch::ByFamily() const {
  std::vector<FamilyViews> by_family;
  for (size_t i = 0; i < rep_->families.size(); ++i) by_family.push_back(FamilyWrites(i));
  std::sort(by_family.begin(), by_family.end(),
            [](const FamilyViews& a, const FamilyViews& b) { return a.family < b.family; });
  return by_family;
}

// A family whose writes were made in key order (the log, a projection
// transaction's Finish) is not sorted again. Writes to the same key keep
// their order (OrderByKey ranks equal keys by position): the last wins.
void WriteBatch::SortByKey(std::vector<View>& writes) {
  auto by_key = [](const View& a, const View& b) { return a.key < b.key; };
  if (std::is_sorted(writes.begin(), writes.end(), by_key)) return;
  const std::vector<KeyRank> order =
      OrderByKey(static_cast<uint32_t>(writes.size()), [&](uint32_t i) { return writes[i].key; });
  std::vector<View> sorted;
  sorted.reserve(writes.size());
  for (const KeyRank& rank : order) sorted.push_back(writes[rank.position]);
  writes = std::move(sorted);
}

// Sorted writes reach RocksDB's memtables in key order, so each insert
// starts where the previous one ended instead of descending the skip list
// from the top (several times cheaper for the scattered keys projections
// write).
Status WriteBatch::AppendSortedTo(
    const std::function<Status(std::string_view family, std::string_view key,
                               std::optional<std::string_view> value)>& append) const {
  for (FamilyViews& family : ByFamily()) {
    SortByKey(family.writes);
    for (const View& write : family.writes) {
      RETURN_IF_ERROR(append(family.family, write.key, write.value));
    }
  }
  return OkStatus();
}

}  // namespace backpack
