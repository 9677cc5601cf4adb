// Reads of the committed family projection. Internal to projections/family/.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/data_keys.h"
#include "core/store.h"
#include "projections/family/family.h"
#include "projections/family/internal/layout.h"
#include "projections/family/internal/records.h"

namespace backpack::family {

// The subject's index entries with seq < `below_seq`, oldest first.
Result<std::vector<IndexEntry>> ReadSubjectIndex(Store& store, std::string_view subject,
                                                 uint64_t below_seq);
// True if a RecordShredded about `student` is committed.
Result<bool> ReadShredded(Store& store, std::string_view student);
// The student's requests (kind and status only), keyed by request id.
Result<std::vector<std::pair<std::string, RequestState>>> ReadRequestStates(
    Store& store, std::string_view student);
// Every request of every student whose state passes `wanted`, as request
// ids, in key order (by student).
Result<std::vector<std::string>> FindRequestIds(
    Store& store, const std::function<bool(const RequestState&)>& wanted);
// One request; nullopt if absent. kGone if its student was shredded.
Result<std::optional<FamilyRequest>> ReadRequest(Store& store, DataKeyRing& data_keys,
                                                 std::string_view request_id);
// The student of `request_id` if a shred made the request unreadable;
// nullopt otherwise.
Result<std::optional<std::string>> ReadShreddedRequest(Store& store, std::string_view request_id);
// Every request a shred made unreadable, as (request id, student id), by id.
Result<std::vector<std::pair<std::string, std::string>>> ReadShreddedRequests(Store& store);
// The student's shred marker; nullopt if the student was not shredded.
Result<std::optional<ShredMarker>> ReadShredMarker(Store& store, std::string_view student);
// True if the shred of `student` listed `user_id` among their guardians.
Result<bool> ReadShreddedGuardian(Store& store, std::string_view student, std::string_view user_id);
// The student's disclosure record, oldest first.
Result<std::vector<Disclosure>> ReadDisclosures(Store& store, DataKeyRing& data_keys,
                                                std::string_view student);

}  // namespace backpack::family
