// History export bundles (docs/history-export.md): the family's copy of
// every event about a student, verifiable offline against the store's
// public key, without access to the store.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/status.h"

namespace backpack {

// The bundles this version makes. Version 4 may hold payload fields appended
// after version 3 (the client address of a disclosure, an alert review or a
// shred; a shred's request ids), and version 5 one appended after version 4
// (a shred's note ids), and version 6 one appended after version 5 (a
// shred's guardian ids), which a verifier of an earlier version would find not
// matching the signed payload: the number tells it the bundle is newer than
// it. Bundles of versions 3, 4 and 5 still verify.
inline constexpr std::string_view kHistoryExportFormat = "backpack-history-export/6";
inline constexpr std::string_view kHistoryExportEarlierFormats[] = {
    "backpack-history-export/3", "backpack-history-export/4", "backpack-history-export/5"};
// An exported event's `withheld`: null, or why part of it is not shown.
inline constexpr std::string_view kWithheldRestrictedNote = "restricted_note";
inline constexpr std::string_view kWithheldOtherStudents = "other_students";
inline constexpr std::string_view kWithheldOtherGuardian = "other_guardian";
inline constexpr std::string_view kWithheldAuditInvestigation = "audit_investigation";
// In a guardian's bundle, a GuardianLinked of another of the student's
// guardians: its payload holds that guardian's email and phone numbers.
inline constexpr std::string_view kWithheldOtherGuardianContact = "other_guardian_contact";
// In a guardian's bundle, another adult's own words about the family: the
// text of another guardian's CorrectionRequested or DeletionRequested, and
// the reason of a GuardianUnlinked (why a guardian's link ended).
inline constexpr std::string_view kWithheldPrivateText = "private_text";

struct ExportVerification {
  std::string origin;
  std::string student_id;
  uint64_t events = 0;
  uint64_t tree_size = 0;  // of the signed checkpoint the proofs lead to
  bool shredded = false;
};

// Checks a bundle made by Family::ExportHistory: the checkpoint signature;
// every event's Ed25519 signature, seq, subject and envelope fields; every
// RFC 9162 inclusion proof against the checkpoint root; that each readable
// content is exactly what the signed payload says (decrypting encrypted
// payloads with their per-event opening key); and the store's signed
// manifest of which events the bundle holds and what it withholds of each
// (so an event dropped or re-marked after the export is caught).
// `public_key` is the key to verify with, obtained out of band (a bundle's
// own key only proves consistency); a bundle that names another is refused.
// Returns kDataLoss naming the first problem ("event 12: bad signature"),
// kInvalidArgument if `bundle` is not an export bundle at all.
Result<ExportVerification> VerifyExport(const boost::json::value& bundle,
                                        const std::optional<Ed25519PublicKey>& public_key = {});
// Parses `text` (at most 1 GiB of JSON) and verifies it.
Result<ExportVerification> VerifyExportText(std::string_view text,
                                            const std::optional<Ed25519PublicKey>& public_key = {});

}  // namespace backpack
