#include "projections/family/internal/reads.h"

#include <algorithm>

namespace backpack::family {
namespace {

bool HasPrefix(ByteView key, const Bytes& prefix) {
  return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

// Visits committed entries of `family` under `prefix` in key order.
Status ScanPrefix(Store& store, std::string_view family, const Bytes& prefix,
                  const std::function<Status(ByteView key, ByteView value)>& visit) {
  ASSIGN_OR_RETURN(auto it, store.NewIterator(family));
  for (it->Seek(prefix); it->Valid() && HasPrefix(it->key(), prefix); it->Next()) {
    RETURN_IF_ERROR(visit(it->key(), it->value()));
  }
  return it->status();
}

}  // namespace

Result<std::vector<IndexEntry>> ReadSubjectIndex(Store& store, std::string_view subject,
                                                 uint64_t below_seq) {
  std::vector<IndexEntry> entries;
  RETURN_IF_ERROR(ScanPrefix(store, kSubjectEvents, IdPrefix(subject),
                             [&](ByteView key, ByteView value) -> Status {
                               ASSIGN_OR_RETURN(uint64_t seq, SeqOfKey(key));
                               if (seq >= below_seq) return OkStatus();
                               ASSIGN_OR_RETURN(IndexEntry entry, DecodeIndexEntry(seq, value));
                               entries.push_back(entry);
                               return OkStatus();
                             }));
  return entries;
}

Result<bool> ReadShredded(Store& store, std::string_view student) {
  ASSIGN_OR_RETURN(auto marker, store.Get(kShredded, AsBytes(student)));
  return marker.has_value();
}

Result<std::vector<std::pair<std::string, RequestState>>> ReadRequestStates(
    Store& store, std::string_view student) {
  std::vector<std::pair<std::string, RequestState>> states;
  Bytes prefix = IdPrefix(student);
  RETURN_IF_ERROR(
      ScanPrefix(store, kStudentRequests, prefix, [&](ByteView key, ByteView value) -> Status {
        ASSIGN_OR_RETURN(RequestState state, ParseRequestState(value));
        states.emplace_back(SuffixOfKey(key, prefix.size()), state);
        return OkStatus();
      }));
  return states;
}

Result<std::vector<std::string>> FindRequestIds(
    Store& store, const std::function<bool(const RequestState&)>& wanted) {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(
      ScanPrefix(store, kStudentRequests, {}, [&](ByteView key, ByteView value) -> Status {
        ASSIGN_OR_RETURN(RequestState state, ParseRequestState(value));
        size_t zero = std::find(key.begin(), key.end(), uint8_t{0}) - key.begin();
        if (zero < key.size() && wanted(state)) ids.push_back(SuffixOfKey(key, zero + 1));
        return OkStatus();
      }));
  return ids;
}

Result<std::optional<FamilyRequest>> ReadRequest(Store& store, DataKeyRing& data_keys,
                                                 std::string_view request_id) {
  ASSIGN_OR_RETURN(auto plain, ReadSealed(store, data_keys, kRequests, AsBytes(request_id)));
  if (!plain) return std::optional<FamilyRequest>();
  ASSIGN_OR_RETURN(FamilyRequest request, ParseRequest(*plain));
  return std::optional<FamilyRequest>(std::move(request));
}

Result<std::optional<std::string>> ReadShreddedRequest(Store& store, std::string_view request_id) {
  ASSIGN_OR_RETURN(auto student, store.Get(kShreddedRequests, AsBytes(request_id)));
  if (!student) return std::optional<std::string>();
  return std::optional<std::string>(std::string(AsChars(*student)));
}

Result<std::vector<std::pair<std::string, std::string>>> ReadShreddedRequests(Store& store) {
  std::vector<std::pair<std::string, std::string>> out;
  RETURN_IF_ERROR(
      ScanPrefix(store, kShreddedRequests, {}, [&](ByteView key, ByteView student) -> Status {
        out.emplace_back(std::string(AsChars(key)), std::string(AsChars(student)));
        return OkStatus();
      }));
  return out;
}

Result<std::optional<ShredMarker>> ReadShredMarker(Store& store, std::string_view student) {
  ASSIGN_OR_RETURN(auto marker, store.Get(kShredded, AsBytes(student)));
  if (!marker) return std::optional<ShredMarker>();
  ASSIGN_OR_RETURN(ShredMarker parsed, ParseShredMarker(*marker));
  return std::optional<ShredMarker>(std::move(parsed));
}

Result<bool> ReadShreddedGuardian(Store& store, std::string_view student,
                                  std::string_view user_id) {
  ASSIGN_OR_RETURN(auto marker, store.Get(kShreddedGuardians, IdSuffixKey(student, user_id)));
  return marker.has_value();
}

Result<std::vector<Disclosure>> ReadDisclosures(Store& store, DataKeyRing& data_keys,
                                                std::string_view student) {
  std::vector<Disclosure> out;
  RETURN_IF_ERROR(ScanPrefix(
      store, kDisclosures, IdPrefix(student), [&](ByteView key, ByteView sealed) -> Status {
        ASSIGN_OR_RETURN(Bytes plain, OpenSealed(data_keys, kDisclosures, key, sealed));
        ASSIGN_OR_RETURN(Disclosure d, ParseDisclosure(plain));
        out.push_back(std::move(d));
        return OkStatus();
      }));
  return out;
}

}  // namespace backpack::family
