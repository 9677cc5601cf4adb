#include "projections/audit/internal/reading.h"

#include "projections/roster/roster.h"

namespace backpack::audit_internal {
namespace json = boost::json;

bool SeqScan::Cursor::Valid() const {
  if (!it->Valid()) return false;
  ByteView key = it->key();
  return key.size() == prefix.size() + 8 && AsChars(key).substr(0, prefix.size()) == prefix;
}

Result<SeqScan> SeqScan::Open(Store& store, std::string_view family,
                              const std::vector<std::string>& prefixes,
                              std::optional<uint64_t> below) {
  SeqScan scan;
  if (below && *below == 0) return scan;  // nothing is below seq 0
  for (const auto& prefix : prefixes) {
    ASSIGN_OR_RETURN(auto it, store.NewIterator(family));
    // ~seq ascends as seq descends: start at the newest allowed seq.
    it->Seek(AsBytes(below ? prefix + SeqKey(*below - 1) : prefix));
    RETURN_IF_ERROR(it->status());
    scan.cursors_.push_back(Cursor{std::move(it), prefix});
  }
  scan.Pick();
  return scan;
}

void SeqScan::Pick() {
  current_ = -1;
  uint64_t newest = 0;
  for (size_t i = 0; i < cursors_.size(); ++i) {
    if (!cursors_[i].Valid()) continue;
    uint64_t seq = SeqFromKeySuffix(cursors_[i].it->key());
    if (current_ < 0 || seq > newest) {
      current_ = static_cast<int>(i);
      newest = seq;
    }
  }
}

bool SeqScan::Valid() const { return current_ >= 0; }

uint64_t SeqScan::seq() const { return SeqFromKeySuffix(cursors_[current_].it->key()); }

Status SeqScan::Next() {
  uint64_t done = seq();
  // Advance every cursor at this seq, so that merged prefixes never repeat it.
  for (auto& cursor : cursors_) {
    if (cursor.Valid() && SeqFromKeySuffix(cursor.it->key()) == done) {
      cursor.it->Next();
      RETURN_IF_ERROR(cursor.it->status());
    }
  }
  Pick();
  return OkStatus();
}

Status SeqScan::ForEach(const std::function<Result<bool>(uint64_t seq)>& visit) {
  while (Valid()) {
    ASSIGN_OR_RETURN(bool more, visit(seq()));
    if (!more) break;
    RETURN_IF_ERROR(Next());
  }
  return OkStatus();
}

Result<std::optional<AccessEntry>> LoadEntry(Store& store, uint64_t seq) {
  ASSIGN_OR_RETURN(auto value, store.Get(kEventsFamily, AsBytes(SeqKey(seq))));
  if (!value) return std::optional<AccessEntry>();
  ASSIGN_OR_RETURN(AccessEntry entry, DecodeEntry(*value));
  return std::optional<AccessEntry>(std::move(entry));
}

const json::object& ActorJson(const Services& services, const std::string& actor_id,
                              std::map<std::string, json::object>& cache) {
  auto found = cache.find(actor_id);
  if (found != cache.end()) return found->second;
  json::object actor{{"id", actor_id}, {"username", ""}, {"role", ""}};
  if (services.roster) {
    if (auto user = services.roster->FindUser(actor_id)) {
      actor["username"] = user->username;
      actor["role"] = RoleName(user->role);
    }
  }
  return cache.emplace(actor_id, std::move(actor)).first->second;
}

}  // namespace backpack::audit_internal
