// The text of events/schema/payloads.fbs, embedded at configure time
// (payload_schema.cc.in). Internal to projections/family/.
#pragma once

namespace backpack::family {

extern const char* const kPayloadSchemaText;

}  // namespace backpack::family
