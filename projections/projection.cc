#include "projections/projection.h"

#include "projections/sealed.h"

namespace backpack {

ProjectionTxn::ProjectionTxn(Store& store, DataKeyRing& data_keys, WriteBatch& batch,
                             ReadView view)
    : store_(store), data_keys_(data_keys), batch_(batch), view_(view) {}

Result<std::optional<Bytes>> ProjectionTxn::Get(std::string_view family, ByteView key) {
  auto it = staged_.find(Slot(family, AsChars(key)));
  if (it != staged_.end()) {
    if (!it->second) return std::optional<Bytes>();
    return std::optional<Bytes>(Bytes(it->second->begin(), it->second->end()));
  }
  return store_.Get(family, key, view_);
}

void ProjectionTxn::Put(std::string_view family, ByteView key, ByteView value) {
  staged_[Slot(family, AsChars(key))] = std::string(AsChars(value));
  batch_.Put(family, key, value);
}

void ProjectionTxn::Delete(std::string_view family, ByteView key) {
  staged_[Slot(family, AsChars(key))] = std::nullopt;
  batch_.Delete(family, key);
}

Status ProjectionTxn::Scan(std::string_view family, ByteView prefix,
                           const std::function<bool(ByteView, ByteView)>& visit) {
  return ScanFrom(family, prefix, prefix, visit);
}

Status ProjectionTxn::ScanFrom(std::string_view family, ByteView prefix, ByteView start,
                               const std::function<bool(ByteView, ByteView)>& visit) {
  // Walks the store and the staged writes side by side, in key order; a
  // staged write hides the stored value under the same key. Reads only as
  // far as `visit` wants.
  std::string_view prefix_text = AsChars(prefix);
  auto in_prefix = [&](std::string_view key) {
    return key.substr(0, prefix_text.size()) == prefix_text;
  };
  ASSIGN_OR_RETURN(auto stored, store_.NewIterator(family, view_));
  stored->Seek(start);
  auto staged = staged_.lower_bound(Slot(family, AsChars(start)));
  auto staged_valid = [&] {
    return staged != staged_.end() && staged->first.first == family &&
           in_prefix(staged->first.second);
  };
  while (true) {
    bool have_stored = stored->Valid() && in_prefix(AsChars(stored->key()));
    bool have_staged = staged_valid();
    if (!have_stored && !have_staged) break;
    int order = !have_stored   ? 1
                : !have_staged ? -1
                               : AsChars(stored->key()).compare(staged->first.second);
    bool keep_going = true;
    if (order < 0) {
      keep_going = visit(stored->key(), stored->value());
      stored->Next();
    } else {
      if (staged->second)
        keep_going = visit(AsBytes(staged->first.second), AsBytes(*staged->second));
      if (order == 0) stored->Next();
      ++staged;
    }
    if (!keep_going) return OkStatus();
  }
  return stored->status();
}

Status ProjectionTxn::PutSealed(std::string_view family, ByteView key, const std::string& owner,
                                ByteView plaintext) {
  ASSIGN_OR_RETURN(DataKey data_key, data_keys_.GetOrCreate(owner));
  if (data_key.wrapped_to_persist) {
    batch_.Put(cf::kDataKeys, AsBytes(owner), *data_key.wrapped_to_persist);
    new_key_subjects_.push_back(owner);
  }
  Put(family, key, SealValue(data_key.key, owner, family, key, plaintext));
  SecureWipe(data_key.key);
  return OkStatus();
}

Result<std::optional<Bytes>> ProjectionTxn::GetSealed(std::string_view family, ByteView key) {
  ASSIGN_OR_RETURN(auto sealed, Get(family, key));
  if (!sealed) return std::optional<Bytes>();
  ASSIGN_OR_RETURN(Bytes plain, OpenSealed(family, key, *sealed));
  return std::optional<Bytes>(std::move(plain));
}

Result<Bytes> ProjectionTxn::OpenSealed(std::string_view family, ByteView key, ByteView sealed) {
  ASSIGN_OR_RETURN(std::string_view owner, SealedOwner(sealed));
  ASSIGN_OR_RETURN(AeadKey data_key, data_keys_.Get(std::string(owner)));
  auto plain = OpenValue(data_key, family, key, sealed);
  SecureWipe(data_key);
  return plain;
}

Status ProjectionTxn::DeleteOwnedBy(std::string_view family, const std::string& owner) {
  std::vector<std::string> doomed;
  RETURN_IF_ERROR(Scan(family, {}, [&](ByteView key, ByteView value) {
    auto value_owner = SealedOwner(value);
    if (value_owner && *value_owner == owner) doomed.emplace_back(AsChars(key));
    return true;
  }));
  for (const auto& key : doomed) Delete(family, AsBytes(key));
  return OkStatus();
}

Projector::Projector(Store& store, DataKeyRing& data_keys)
    : store_(store), data_keys_(data_keys) {}

void Projector::Add(Projection* projection) { projections_.push_back(projection); }

std::vector<std::string> Projector::ColumnFamilies() const {
  std::vector<std::string> all;
  for (auto* p : projections_) {
    for (auto& family : p->ColumnFamilies()) all.push_back(family);
  }
  return all;
}

Status Projector::ApplyAll(std::span<const LoggedEvent> events, ProjectionTxn& txn) {
  for (const LoggedEvent& event : events) {
    if (event.shredded) continue;
    for (auto* p : projections_) {
      Status s = p->Apply(event, txn);
      if (!s.ok()) {
        return Status(s.code(), std::string(p->name()) + " projection, event " +
                                    std::to_string(event.header.seq) + ": " + s.message());
      }
    }
  }
  return OkStatus();
}

// Collects what every projection staged, whether or not ApplyAll succeeded,
// so that a failed group leaves nothing behind.
std::function<void()> TakeAllStaged(const std::vector<Projection*>& projections) {
  std::vector<std::function<void()>> staged;
  for (auto* p : projections) {
    if (auto action = p->TakeStaged()) staged.push_back(std::move(action));
  }
  if (staged.empty()) return {};
  return [staged = std::move(staged)] {
    for (const auto& action : staged) action();
  };
}

void Projector::RunStaged() {
  if (auto staged = TakeAllStaged(projections_)) staged();
}

Result<std::function<void()>> Projector::OnGroup(std::span<const LoggedEvent> events,
                                                 WriteBatch& batch) {
  ProjectionTxn txn(store_, data_keys_, batch);
  Status applied = ApplyAll(events, txn);
  std::function<void()> staged = TakeAllStaged(projections_);
  if (!applied.ok()) return Err(applied);
  std::vector<std::string> new_keys = txn.new_key_subjects();
  if (new_keys.empty()) return staged;
  return [this, new_keys = std::move(new_keys), staged = std::move(staged)] {
    for (const auto& subject : new_keys) data_keys_.MarkDurable(subject);
    if (staged) staged();
  };
}

Status Projector::OnStoreRecovered() {
  for (auto* p : projections_) RETURN_IF_ERROR(p->Load(store_, data_keys_));
  return OkStatus();
}

}  // namespace backpack
