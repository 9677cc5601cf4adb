// Reading events back from the log family: decoding, checking the
// signature where asked, decrypting the payload under the subject's key.
// Used by EventLog's Read and Replay.
#pragma once

#include <functional>
#include <span>

#include "core/crypto.h"
#include "core/data_keys.h"
#include "core/store.h"
#include "events/event.h"
#include "events/verified_events.h"

namespace backpack::log_reading {

// The stored bytes of event `seq` (as the log family holds them); kNotFound
// if absent.
Result<Bytes> ReadStored(Store& store, uint64_t seq);

// Event `seq`, its signature checked against `public_key`. kNotFound if
// absent; kDataLoss if its bytes, sequence number or signature are wrong. A
// shredded subject's event comes back marked shredded, without payload.
// With `verified` (checked against the same `public_key` only), stored bytes
// identical to ones whose signature was checked before are not checked again,
// and bytes that pass are remembered.
Result<LoggedEvent> ReadEvent(Store& store, DataKeyRing& data_keys,
                              const Ed25519PublicKey& public_key, uint64_t seq,
                              VerifiedEvents* verified = nullptr);

// Visits events [from, end) in order, in batches of up to `batch_size`
// (signatures are not checked: `backpack verify` does that); stops at the
// first error, from the store or from `visit`, which may move the events
// out of the span.
Status ReplayEvents(Store& store, DataKeyRing& data_keys, uint64_t from, uint64_t end,
                    size_t batch_size, const std::function<Status(std::span<LoggedEvent>)>& visit);

}  // namespace backpack::log_reading
