#include "projections/projection.h"

#include <algorithm>

#include "core/key_order.h"
#include "projections/sealed.h"

namespace backpack {

ProjectionTxn::ProjectionTxn(Store& store, DataKeyRing& data_keys, WriteBatch& batch, ReadView view)
    : store_(store), data_keys_(data_keys), batch_(batch), view_(view) {}

size_t ProjectionTxn::StagedSize(const Staged& s) {
  // The write itself, its key's end in FamilyStage::keys, and its bytes.
  return sizeof(Staged) + sizeof(size_t) + s.bytes.size() + (s.sealed ? s.sealed->size() : 0);
}

void ProjectionTxn::Supersede(FamilyStage& stage, uint32_t position) {
  // The write keeps its key (and its memory counted) until Finish.
  Staged& replaced = stage.writes[position];
  const size_t before = StagedSize(replaced);
  replaced = Staged();  // reads as deleted; Finish seals nothing for it
  staged_bytes_ -= before - StagedSize(replaced);
}

void ProjectionTxn::Index(FamilyStage& stage) {
  for (uint32_t i = 0; i < stage.writes.size(); ++i) {
    if (auto replaced = stage.last.Set(i, stage.keys.key_at())) Supersede(stage, *replaced);
  }
  stage.indexed = true;
}

void ProjectionTxn::Fold(FamilyStage& stage) {
  for (size_t i = 0; i < stage.writes.size(); ++i) {
    const std::string_view key = stage.keys[i];
    // One descent of the tree, whether the key is new (most are) or not.
    auto it = stage.ordered->lower_bound(key);
    if (it != stage.ordered->end() && it->first == key) {
      staged_bytes_ -= key.size() + StagedSize(it->second);
      it->second = std::move(stage.writes[i]);
    } else {
      stage.ordered->emplace_hint(it, std::string(key), std::move(stage.writes[i]));
    }
  }
  stage.writes.clear();
  stage.keys.Clear();
}

ProjectionTxn::FamilyWrites& ProjectionTxn::Ordered(FamilyStage& stage) {
  if (!stage.ordered) {
    stage.ordered.emplace();
    stage.last.Clear();
    stage.indexed = false;
  }
  Fold(stage);
  return *stage.ordered;
}

ProjectionTxn::Staged* ProjectionTxn::Find(std::string_view family, std::string_view key) {
  auto it = staged_.find(family);
  if (it == staged_.end()) return nullptr;
  FamilyStage& stage = it->second;
  if (stage.ordered) {
    Fold(stage);
    auto found = stage.ordered->find(key);
    return found == stage.ordered->end() ? nullptr : &found->second;
  }
  if (!stage.indexed) Index(stage);
  auto position = stage.last.Find(key, stage.keys.key_at());
  return position ? &stage.writes[*position] : nullptr;
}

ProjectionTxn::Staged& ProjectionTxn::Stage(std::string_view family, std::string_view key) {
  if (disallowed_write_.ok()) disallowed_write_ = CheckAllowed(family);
  auto it = staged_.find(family);
  if (it == staged_.end()) it = staged_.emplace(std::string(family), FamilyStage()).first;
  FamilyStage& stage = it->second;
  stage.keys.Append(key);
  stage.writes.emplace_back();
  staged_bytes_ += key.size() + StagedSize(stage.writes.back());
  if (stage.indexed) {
    const auto position = static_cast<uint32_t>(stage.writes.size() - 1);
    if (auto replaced = stage.last.Set(position, stage.keys.key_at())) Supersede(stage, *replaced);
  }
  return stage.writes.back();
}

Result<const Bytes*> ProjectionTxn::StoredBytes(std::string_view family, std::string_view key,
                                                Staged& s) {
  if (s.kind == Staged::Kind::kPlain && !s.sealed) {
    const std::string& owner = owners_[s.owner];
    ASSIGN_OR_RETURN(AeadKey data_key, data_keys_.Get(owner));
    s.sealed = std::make_unique<Bytes>(SealValue(data_key, owner, family, AsBytes(key), s.bytes));
    SecureWipe(data_key);
    staged_bytes_ += s.sealed->size();
  }
  return s.kind == Staged::Kind::kPlain ? s.sealed.get() : &s.bytes;
}

Status ProjectionTxn::SealForWriteOut(std::string_view family, std::string_view key, Staged& s) {
  if (s.kind != Staged::Kind::kPlain) return OkStatus();  // deleted or not personal
  if (s.sealed) {
    s.bytes = std::move(*s.sealed);
  } else {
    const std::string& owner = owners_[s.owner];
    ASSIGN_OR_RETURN(AeadKey data_key, data_keys_.Get(owner));
    SealValueInPlace(data_key, owner, family, AsBytes(key), s.bytes);
    SecureWipe(data_key);
  }
  s.sealed.reset();
  s.kind = Staged::Kind::kValue;
  return OkStatus();
}

Status ProjectionTxn::CheckAllowed(std::string_view family) const {
  if (!allowed_ || std::find(allowed_->begin(), allowed_->end(), family) != allowed_->end()) {
    return OkStatus();
  }
  return FailedPreconditionError("a projection touched the column family '" + std::string(family) +
                                 "', which is not one of its own");
}

Result<std::optional<Bytes>> ProjectionTxn::Get(std::string_view family, ByteView key) {
  RETURN_IF_ERROR(CheckAllowed(family));
  Staged* s = Find(family, AsChars(key));
  if (!s) return store_.Get(family, key, view_);
  if (s->deleted()) return std::optional<Bytes>();
  ASSIGN_OR_RETURN(const Bytes* value, StoredBytes(family, AsChars(key), *s));
  return std::optional<Bytes>(*value);
}

bool ProjectionTxn::Ignored(std::string_view family) const {
  return !ignored_.empty() && std::find(ignored_.begin(), ignored_.end(), family) != ignored_.end();
}

void ProjectionTxn::Put(std::string_view family, ByteView key, ByteView value) {
  if (Ignored(family)) return;
  Staged& s = Stage(family, AsChars(key));
  s.kind = Staged::Kind::kValue;
  s.bytes.assign(value.begin(), value.end());
  staged_bytes_ += value.size();
}

void ProjectionTxn::Delete(std::string_view family, ByteView key) {
  if (Ignored(family)) return;
  Stage(family, AsChars(key));  // staged as deleted
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
  auto stage = staged_.find(family);
  FamilyWrites& writes = stage != staged_.end() ? Ordered(stage->second) : none;
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
        ASSIGN_OR_RETURN(const Bytes* value, StoredBytes(family, staged->first, staged->second));
        keep_going = visit(AsBytes(staged->first), *value);
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
  if (Ignored(family)) return OkStatus();
  ASSIGN_OR_RETURN(uint32_t owner_position, OwnerPosition(owner));
  Staged& s = Stage(family, AsChars(key));
  s.kind = Staged::Kind::kPlain;
  s.owner = owner_position;
  // Room for sealing it in place at Finish (SealForWriteOut).
  s.bytes.reserve(plaintext.size() + SealedOverhead(owner));
  s.bytes.assign(plaintext.begin(), plaintext.end());
  staged_bytes_ += plaintext.size();
  return OkStatus();
}

Result<uint32_t> ProjectionTxn::OwnerPosition(const std::string& owner) {
  auto owner_at = [this](uint32_t i) { return std::string_view(owners_[i]); };
  if (auto known = owner_index_.Find(owner, owner_at)) return *known;
  // A new key goes into the batch with the first value sealed under it; a
  // shred after that makes Finish fail, since sealing needs the key.
  ASSIGN_OR_RETURN(DataKey data_key, data_keys_.GetOrCreate(owner));
  SecureWipe(data_key.key);
  if (data_key.wrapped_to_persist) {
    batch_.Put(cf::kDataKeys, AsBytes(owner), *data_key.wrapped_to_persist);
    new_key_subjects_.insert(owner);
  }
  const auto position = static_cast<uint32_t>(owners_.size());
  owners_.push_back(owner);
  owner_index_.Set(position, owner_at);
  return position;
}

Result<std::optional<Bytes>> ProjectionTxn::GetSealed(std::string_view family, ByteView key) {
  Staged* s = Find(family, AsChars(key));
  if (s && s->kind == Staged::Kind::kPlain) return std::optional<Bytes>(s->bytes);
  ASSIGN_OR_RETURN(auto sealed, Get(family, key));
  if (!sealed) return std::optional<Bytes>();
  ASSIGN_OR_RETURN(Bytes plain, OpenSealed(family, key, *sealed));
  return std::optional<Bytes>(std::move(plain));
}

Result<Bytes> ProjectionTxn::OpenSealed(std::string_view family, ByteView key, ByteView sealed) {
  // A value this transaction sealed (handed out by Scan) opens to the
  // plaintext it was sealed from.
  Staged* s = Find(family, AsChars(key));
  if (s && s->kind == Staged::Kind::kPlain && s->sealed && s->sealed->data() == sealed.data()) {
    return s->bytes;
  }
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
  for (auto& [family, stage] : staged_) {
    if (stage.ordered) Fold(stage);
    if (stage.ordered) {
      for (auto& [key, s] : *stage.ordered) RETURN_IF_ERROR(SealForWriteOut(family, key, s));
    }
    for (size_t i = 0; i < stage.writes.size(); ++i) {
      RETURN_IF_ERROR(SealForWriteOut(family, stage.keys[i], stage.writes[i]));
    }
  }
  for (auto& [family, stage] : staged_) WriteOut(family, stage);
  staged_.clear();
  staged_bytes_ = 0;
  return OkStatus();
}

void ProjectionTxn::WriteOut(std::string_view family, FamilyStage& stage) {
  // The batch takes each value over: staged values are dropped next.
  auto put = [&](std::string_view key, Staged& s) {
    if (s.deleted()) {
      batch_.Delete(family, AsBytes(key));
    } else {
      batch_.PutOwned(family, AsBytes(key), std::move(s.bytes));
    }
  };
  // An ordered family has everything in its map (Finish folded it).
  if (stage.ordered) {
    while (!stage.ordered->empty()) {
      auto node = stage.ordered->extract(stage.ordered->begin());
      put(node.key(), node.mapped());
    }
  }
  // Otherwise the writes sorted by key, later writes to a key after earlier
  // ones, and only the last one put.
  const std::vector<KeyRank> order =
      OrderByKey(static_cast<uint32_t>(stage.writes.size()), stage.keys.key_at());
  for (size_t i = 0; i < order.size(); ++i) {
    if (i + 1 < order.size() && order[i + 1].repeats_previous) continue;
    const uint32_t position = order[i].position;
    put(stage.keys[position], stage.writes[position]);
  }
  stage.writes.clear();
  stage.keys.Clear();
  stage.last.Clear();
  stage.indexed = false;
  stage.ordered.reset();
}

Projector::Projector(Store& store, DataKeyRing& data_keys) : store_(store), data_keys_(data_keys) {}

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
  std::vector<std::string> new_keys(txn.new_key_subjects().begin(), txn.new_key_subjects().end());
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

Status Projector::OnGroupRefused() {
  for (auto* p : projections_) p->ForgetUnwritten();
  return OkStatus();
}

}  // namespace backpack
