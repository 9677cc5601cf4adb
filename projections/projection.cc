#include "projections/projection.h"

#include <algorithm>

#include "projections/sealed.h"

namespace backpack {

ProjectionTxn::ProjectionTxn(Store& store, DataKeyRing& data_keys, WriteBatch& batch,
                             ReadView view)
    : store_(store), data_keys_(data_keys), batch_(batch), view_(view) {}

namespace {

// Memory a staged entry holds beyond its key (map node and strings).
size_t StagedSize(const std::optional<std::string>& value, const std::optional<Bytes>& plain) {
  return 96 + (value ? value->size() : 0) + (plain ? plain->size() : 0);
}

}  // namespace

ProjectionTxn::FamilyWrites& ProjectionTxn::Writes(std::string_view family) {
  auto it = staged_.find(family);
  if (it == staged_.end()) it = staged_.emplace(std::string(family), FamilyWrites()).first;
  return it->second;
}

ProjectionTxn::Staged* ProjectionTxn::Find(std::string_view family, std::string_view key) {
  auto writes = staged_.find(family);
  if (writes == staged_.end()) return nullptr;
  auto it = writes->second.find(key);
  return it == writes->second.end() ? nullptr : &it->second;
}

Status ProjectionTxn::CheckAllowed(std::string_view family) const {
  if (!allowed_ || std::find(allowed_->begin(), allowed_->end(), family) != allowed_->end()) {
    return OkStatus();
  }
  return FailedPreconditionError("a projection touched the column family '" + std::string(family) +
                                 "', which is not one of its own");
}

ProjectionTxn::Staged& ProjectionTxn::Stage(std::string_view family, std::string_view key) {
  if (disallowed_write_.ok()) disallowed_write_ = CheckAllowed(family);
  FamilyWrites& writes = Writes(family);
  // One descent of the tree, whether the key is new (most are) or not.
  auto it = writes.lower_bound(key);
  if (it == writes.end() || it->first != key) {
    it = writes.emplace_hint(it, std::string(key), Staged());
    staged_bytes_ += key.size();
  } else {
    staged_bytes_ -= StagedSize(it->second.value, it->second.plain);
  }
  return it->second;
}

Result<const std::string*> ProjectionTxn::Sealed(std::string_view family, std::string_view key,
                                                 Staged& s) {
  if (!s.value && s.plain) {
    ASSIGN_OR_RETURN(AeadKey data_key, data_keys_.Get(s.owner));
    Bytes sealed = SealValue(data_key, s.owner, family, AsBytes(key), *s.plain);
    SecureWipe(data_key);
    s.value = std::string(AsChars(sealed));
    staged_bytes_ += s.value->size();
  }
  return &*s.value;
}

Result<std::optional<Bytes>> ProjectionTxn::Get(std::string_view family, ByteView key) {
  RETURN_IF_ERROR(CheckAllowed(family));
  Staged* s = Find(family, AsChars(key));
  if (!s) return store_.Get(family, key, view_);
  if (s->deleted()) return std::optional<Bytes>();
  ASSIGN_OR_RETURN(const std::string* value, Sealed(family, AsChars(key), *s));
  return std::optional<Bytes>(Bytes(value->begin(), value->end()));
}

void ProjectionTxn::Put(std::string_view family, ByteView key, ByteView value) {
  Staged& s = Stage(family, AsChars(key));
  s.value = std::string(AsChars(value));
  s.plain.reset();
  s.owner.clear();
  staged_bytes_ += StagedSize(s.value, s.plain);
}

void ProjectionTxn::Delete(std::string_view family, ByteView key) {
  Staged& s = Stage(family, AsChars(key));
  s.value.reset();
  s.plain.reset();
  s.owner.clear();
  staged_bytes_ += StagedSize(s.value, s.plain);
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
  RETURN_IF_ERROR(CheckAllowed(family));
  std::string_view prefix_text = AsChars(prefix);
  auto in_prefix = [&](std::string_view key) {
    return key.substr(0, prefix_text.size()) == prefix_text;
  };
  ASSIGN_OR_RETURN(auto stored, store_.NewIterator(family, view_));
  stored->Seek(start);
  // A read stages nothing: a family without staged writes walks an empty map.
  FamilyWrites none;
  auto found = staged_.find(family);
  FamilyWrites& writes = found == staged_.end() ? none : found->second;
  auto staged = writes.lower_bound(AsChars(start));
  auto staged_valid = [&] { return staged != writes.end() && in_prefix(staged->first); };
  while (true) {
    bool have_stored = stored->Valid() && in_prefix(AsChars(stored->key()));
    bool have_staged = staged_valid();
    if (!have_stored && !have_staged) break;
    int order = !have_stored   ? 1
                : !have_staged ? -1
                               : AsChars(stored->key()).compare(staged->first);
    bool keep_going = true;
    if (order < 0) {
      keep_going = visit(stored->key(), stored->value());
      stored->Next();
    } else {
      if (!staged->second.deleted()) {
        ASSIGN_OR_RETURN(const std::string* value, Sealed(family, staged->first, staged->second));
        keep_going = visit(AsBytes(staged->first), AsBytes(*value));
      }
      if (order == 0) stored->Next();
      ++staged;
    }
    if (!keep_going) return OkStatus();
  }
  return stored->status();
}

Status ProjectionTxn::PutSealed(std::string_view family, ByteView key, const std::string& owner,
                                ByteView plaintext) {
  // A new key goes into the batch with the first value sealed under it; a
  // shred after that makes Finish fail, since sealing needs the key.
  if (!new_key_subjects_.contains(owner)) {
    ASSIGN_OR_RETURN(DataKey data_key, data_keys_.GetOrCreate(owner));
    SecureWipe(data_key.key);
    if (data_key.wrapped_to_persist) {
      batch_.Put(cf::kDataKeys, AsBytes(owner), *data_key.wrapped_to_persist);
      new_key_subjects_.insert(owner);
    }
  }
  Staged& s = Stage(family, AsChars(key));
  s.value.reset();
  s.plain = Bytes(plaintext.begin(), plaintext.end());
  s.owner = owner;
  staged_bytes_ += StagedSize(s.value, s.plain);
  return OkStatus();
}

Result<std::optional<Bytes>> ProjectionTxn::GetSealed(std::string_view family, ByteView key) {
  Staged* s = Find(family, AsChars(key));
  if (s && s->plain) return std::optional<Bytes>(*s->plain);
  ASSIGN_OR_RETURN(auto sealed, Get(family, key));
  if (!sealed) return std::optional<Bytes>();
  ASSIGN_OR_RETURN(Bytes plain, OpenSealed(family, key, *sealed));
  return std::optional<Bytes>(std::move(plain));
}

Result<Bytes> ProjectionTxn::OpenSealed(std::string_view family, ByteView key, ByteView sealed) {
  // A value this transaction sealed (handed out by Scan) opens to the
  // plaintext it was sealed from.
  Staged* s = Find(family, AsChars(key));
  if (s && s->plain && s->value && AsBytes(*s->value).data() == sealed.data()) return *s->plain;
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

Status ProjectionTxn::Finish() {
  RETURN_IF_ERROR(disallowed_write_);
  // Seal everything first, so that a failure leaves the batch untouched.
  for (auto& [family, writes] : staged_) {
    for (auto& [key, s] : writes) {
      if (s.deleted()) continue;
      auto sealed = Sealed(family, key, s);
      if (!sealed) return sealed.error();
    }
  }
  for (auto& [family, writes] : staged_) {
    while (!writes.empty()) {
      auto node = writes.extract(writes.begin());
      if (node.mapped().deleted()) batch_.Delete(family, AsBytes(node.key()));
      else batch_.Put(family, AsBytes(node.key()), AsBytes(*node.mapped().value));
    }
  }
  staged_.clear();
  staged_bytes_ = 0;
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

Status ProjectionError(std::string_view projection, const LoggedEvent& event,
                       const Status& failed) {
  return Status(failed.code(), std::string(projection) + " projection, event " +
                                   std::to_string(event.header.seq) + ": " + failed.message());
}

namespace {

Status ApplyEvent(Projection& projection, const LoggedEvent& event, ProjectionTxn& txn) {
  Status s = projection.Apply(event, txn);
  return s.ok() ? s : ProjectionError(projection.name(), event, s);
}

}  // namespace

Status ApplyEvents(Projection& projection, std::span<const LoggedEvent> events,
                   ProjectionTxn& txn) {
  for (const LoggedEvent& event : events) {
    if (!event.shredded) RETURN_IF_ERROR(ApplyEvent(projection, event, txn));
  }
  return OkStatus();
}

Status Projector::ApplyAll(std::span<const LoggedEvent> events, ProjectionTxn& txn) {
  for (const LoggedEvent& event : events) {
    if (event.shredded) continue;
    for (auto* p : projections_) RETURN_IF_ERROR(ApplyEvent(*p, event, txn));
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

Result<std::function<void()>> Projector::OnGroup(std::span<const LoggedEvent> events,
                                                 WriteBatch& batch) {
  ProjectionTxn txn(store_, data_keys_, batch);
  Status applied = ApplyAll(events, txn);
  std::function<void()> staged = TakeAllStaged(projections_);
  if (!applied.ok()) return Err(applied);
  RETURN_IF_ERROR(txn.Finish());
  std::vector<std::string> new_keys(txn.new_key_subjects().begin(),
                                    txn.new_key_subjects().end());
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
