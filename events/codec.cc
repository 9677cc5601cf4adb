#include "events/codec.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>

#include "events/schema/envelope_generated.h"

namespace backpack::codec {
namespace {

void AppendField(Bytes& out, std::string_view field) {
  auto length = EncodeBigEndian64(field.size());
  out.insert(out.end(), length.begin(), length.end());
  out.insert(out.end(), field.begin(), field.end());
}

std::string_view View(const flatbuffers::String* s) {
  return s ? std::string_view(s->data(), s->size()) : std::string_view();
}

ByteView View(const flatbuffers::Vector<uint8_t>* v) {
  return v ? ByteView(v->data(), v->size()) : ByteView();
}

}  // namespace

Bytes PayloadAssociatedData(const EventHeader& header) {
  constexpr std::string_view kContext = "backpack event v1";
  Bytes ad;
  // Five 8-byte length prefixes, the fields, the type's (at most 3) digits.
  ad.reserve(5 * 8 + kContext.size() + 3 + header.actor_id.size() + header.subject_id.size() +
             header.request_id.size());
  AppendField(ad, kContext);
  AppendField(ad, std::to_string(static_cast<int>(header.type)));
  AppendField(ad, header.actor_id);
  AppendField(ad, header.subject_id);
  AppendField(ad, header.request_id);
  return ad;
}

Bytes EncodeBody(const EventHeader& header, std::string_view key_id, const Hash256& prev_hash,
                 ByteView payload) {
  flatbuffers::FlatBufferBuilder fbb(256 + payload.size());
  auto actor = fbb.CreateString(header.actor_id);
  auto subject = fbb.CreateString(header.subject_id);
  auto request = fbb.CreateString(header.request_id);
  auto key = fbb.CreateString(key_id.data(), key_id.size());
  auto prev = fbb.CreateVector(prev_hash.data(), prev_hash.size());
  auto body_payload = fbb.CreateVector(payload.data(), payload.size());
  fb::EventBodyBuilder body(fbb);
  body.add_seq(header.seq);
  body.add_recorded_at_us(header.recorded_at_us);
  body.add_type(header.type);
  body.add_actor_id(actor);
  body.add_subject_id(subject);
  body.add_request_id(request);
  body.add_key_id(key);
  body.add_prev_hash(prev);
  body.add_payload_encrypted(header.payload_encrypted);
  body.add_payload(body_payload);
  fbb.Finish(body.Finish());
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

Bytes EncodeSignedEvent(ByteView body, const Ed25519Signature& signature) {
  flatbuffers::FlatBufferBuilder fbb(body.size() + 128);
  auto body_vec = fbb.CreateVector(body.data(), body.size());
  auto sig_vec = fbb.CreateVector(signature.data(), signature.size());
  fbb.Finish(fb::CreateSignedEvent(fbb, body_vec, sig_vec));
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

Result<DecodedEvent> DecodeSignedEvent(ByteView stored) {
  if (reinterpret_cast<uintptr_t>(stored.data()) % 8 != 0) {
    // Reading FlatBuffers fields in place from unaligned bytes is undefined
    // behaviour (UBSan found RocksDB's block bytes passed here).
    return Err(InternalError("an event to decode must be in 8-byte aligned memory"));
  }
  flatbuffers::Verifier outer_verifier(stored.data(), stored.size());
  if (!fb::VerifySignedEventBuffer(outer_verifier)) {
    return Err(DataLossError("stored bytes are not a valid SignedEvent"));
  }
  const fb::SignedEvent* signed_event = fb::GetSignedEvent(stored.data());
  ByteView body = View(signed_event->body());
  flatbuffers::Verifier body_verifier(body.data(), body.size());
  if (body.empty() || !body_verifier.VerifyBuffer<fb::EventBody>(nullptr)) {
    return Err(DataLossError("event body is not a valid EventBody"));
  }
  const fb::EventBody* b = flatbuffers::GetRoot<fb::EventBody>(body.data());
  DecodedEvent out;
  out.header.seq = b->seq();
  out.header.recorded_at_us = b->recorded_at_us();
  out.header.type = b->type();
  out.header.actor_id = std::string(View(b->actor_id()));
  out.header.subject_id = std::string(View(b->subject_id()));
  out.header.request_id = std::string(View(b->request_id()));
  out.header.payload_encrypted = b->payload_encrypted();
  out.key_id = View(b->key_id());
  out.body = body;
  out.signature = View(signed_event->signature());
  out.prev_hash = View(b->prev_hash());
  out.payload = View(b->payload());
  return out;
}

bool IsCanonicalSignedEvent(ByteView stored, const DecodedEvent& decoded) {
  if (decoded.signature.size() != kEd25519SignatureSize) return false;
  Ed25519Signature signature;
  std::copy(decoded.signature.begin(), decoded.signature.end(), signature.begin());
  Bytes canonical = EncodeSignedEvent(decoded.body, signature);
  return std::equal(canonical.begin(), canonical.end(), stored.begin(), stored.end());
}

}  // namespace backpack::codec
