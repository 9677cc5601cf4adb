// Readable content of event payloads: any payload table of
// events/schema/payloads.fbs as a JSON object, generated from the schema
// itself (embedded at build time), so every event type, present and future,
// has a faithful rendering. Used by history exports and by their offline
// verifier, which regenerates the content from the signed bytes and compares.
//
// Thread-safety: all functions are safe to call concurrently.
#pragma once

#include <boost/json/object.hpp>

#include "core/bytes.h"
#include "core/status.h"
#include "events/event.h"

namespace backpack::family {

// True if `payload` passes the FlatBuffers verifier as the payload table of
// `type`. False for types without a payload table.
bool VerifyPayload(EventType type, ByteView payload);

// The payload as JSON: field names as in the schema, enum values by name,
// scalars at their default included, absent strings and tables omitted.
// kDataLoss if the bytes do not verify; kInvalidArgument for an unknown type.
Result<boost::json::object> PayloadToJson(EventType type, ByteView payload);

}  // namespace backpack::family
