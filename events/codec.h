// Encoding and decoding of stored log entries (SignedEvent, EventBody).
// Internal to events/: other folders read events through EventLog.
//
// Untrusted bytes are checked once here with the FlatBuffers verifier.
#pragma once

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"
#include "events/event.h"

namespace backpack::codec {

// Associated data binding a payload ciphertext to its event: the type,
// actor, subject and request id (length-prefixed). Seq and time are not
// included because they are assigned after encryption; the signature binds
// those.
Bytes PayloadAssociatedData(const EventHeader& header);

// Serialises an EventBody.
Bytes EncodeBody(const EventHeader& header, std::string_view key_id, const Hash256& prev_hash,
                 ByteView payload);
// Wraps a body and its signature into the stored SignedEvent bytes.
Bytes EncodeSignedEvent(ByteView body, const Ed25519Signature& signature);

// A stored entry split into its parts, after the FlatBuffers verifier ran on
// both the envelope and the nested body. Views point into the input bytes.
struct DecodedEvent {
  EventHeader header;
  std::string_view key_id;
  ByteView body;
  ByteView signature;
  ByteView prev_hash;
  ByteView payload;
};
// kDataLoss if `stored` is not a well-formed SignedEvent. `stored` must be
// 8-byte aligned (FlatBuffers reads its fields in place), else kInternal: a
// heap buffer is, bytes inside a RocksDB block (an iterator's value) are not,
// so copy those.
Result<DecodedEvent> DecodeSignedEvent(ByteView stored);

// Whether `stored` is exactly what EncodeSignedEvent makes of the body and
// signature DecodeSignedEvent found in it. The signature covers the body
// only, while the Merkle leaf covers every stored byte: an envelope written
// any other way (padding, another field order) changes the leaf without the
// signing key, so a verifier must refuse it.
bool IsCanonicalSignedEvent(ByteView stored, const DecodedEvent& decoded);

}  // namespace backpack::codec
