// ForwardingStore: a Store that passes every call to a real one, for tests
// to override the calls whose failure or timing they want to control.
#pragma once

#include "core/store.h"

namespace backpack::testing {

class ForwardingStore : public Store {
 public:
  // `real` must outlive this store.
  explicit ForwardingStore(Store& real) : real_(real) {}

  Result<std::optional<Bytes>> Get(std::string_view family, ByteView key, ReadView view) override {
    return real_.Get(family, key, view);
  }
  Status Write(WriteBatch& batch, bool sync) override { return real_.Write(batch, sync); }
  Status WriteUnlogged(WriteBatch& batch) override { return real_.WriteUnlogged(batch); }
  Status FlushUnlogged() override { return real_.FlushUnlogged(); }
  Status SyncWal() override { return real_.SyncWal(); }
  Result<std::unique_ptr<StoreIterator>> NewIterator(std::string_view family, ReadView view,
                                                     ScanExtent extent) override {
    return real_.NewIterator(family, view, extent);
  }
  Status EnsureColumnFamilies(const std::vector<std::string>& names) override {
    return real_.EnsureColumnFamilies(names);
  }
  Status ResetColumnFamilies(const std::vector<std::string>& names) override {
    return real_.ResetColumnFamilies(names);
  }
  std::vector<std::string> ColumnFamilyNames() const override { return real_.ColumnFamilyNames(); }
  Status FlushAndCompact(std::string_view name) override { return real_.FlushAndCompact(name); }
  Result<size_t> CountVersions(std::string_view family, ByteView key) override {
    return real_.CountVersions(family, key);
  }
  Status Resume() override { return real_.Resume(); }
  Status CheckSpaceFor(const WriteBatch& batch) const override {
    return real_.CheckSpaceFor(batch);
  }
  Status Writable() const override { return real_.Writable(); }
  std::optional<uint64_t> FreeBytes() const override { return real_.FreeBytes(); }
  const std::string& path() const override { return real_.path(); }

 private:
  Store& real_;
};

}  // namespace backpack::testing
