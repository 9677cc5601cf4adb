// Read-side helpers of the audit queries: newest-first index scans over
// committed data, entry lookups and actor descriptions. Internal.
//
// Thread-safety: a SeqScan belongs to one thread; the functions are safe to
// call concurrently.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/store.h"
#include "projections/audit/internal/layout.h"
#include "projections/services.h"

namespace backpack::audit_internal {

// The seqs of one or more index prefixes, newest first (a merge when there
// are several), restricted to seqs below `below` when given.
class SeqScan {
 public:
  static Result<SeqScan> Open(Store& store, std::string_view family,
                              const std::vector<std::string>& prefixes,
                              std::optional<uint64_t> below);
  bool Valid() const;
  uint64_t seq() const;  // requires Valid()
  Status Next();
  // Visits each remaining seq, newest first, until `visit` returns false or
  // an error (which is returned).
  Status ForEach(const std::function<Result<bool>(uint64_t seq)>& visit);

 private:
  struct Cursor {
    std::unique_ptr<StoreIterator> it;
    std::string prefix;
    bool Valid() const;
  };
  std::vector<Cursor> cursors_;
  int current_ = -1;  // index of the cursor holding the newest seq, or -1
  void Pick();
};

// The a_events entry of `seq`; nullopt if absent.
Result<std::optional<AccessEntry>> LoadEntry(Store& store, uint64_t seq);

// {"id","username","role"} for an actor id, from the roster when it knows
// the user ("" otherwise). Memoised in `cache` for one request.
const boost::json::object& ActorJson(const Services& services, const std::string& actor_id,
                                     std::map<std::string, boost::json::object>& cache);

}  // namespace backpack::audit_internal
