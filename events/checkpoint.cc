#include "events/checkpoint.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace backpack {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr uint8_t kAlgEd25519 = 0x01;
constexpr size_t kKeyHashSize = 4;
// As Go's golang.org/x/mod/sumdb/note: refuse to spend long on hostile notes.
constexpr size_t kMaxSignatureLines = 100;

Status Malformed(std::string why) {
  return InvalidArgumentError("malformed checkpoint: " + std::move(why));
}

// Decodes one UTF-8 code point at the front of `text`; nullopt if the bytes
// there are not well-formed UTF-8 (overlong, surrogate, out of range).
std::optional<char32_t> DecodeUtf8(std::string_view text, size_t& length) {
  struct Form {
    uint8_t lead_mask, lead_bits;
    size_t length;
    char32_t min;
  };
  static constexpr Form kForms[] = {{0x80, 0x00, 1, 0x0},
                                    {0xE0, 0xC0, 2, 0x80},
                                    {0xF0, 0xE0, 3, 0x800},
                                    {0xF8, 0xF0, 4, 0x10000}};
  const auto lead = static_cast<uint8_t>(text[0]);
  for (const Form& form : kForms) {
    if ((lead & form.lead_mask) != form.lead_bits) continue;
    if (text.size() < form.length) return std::nullopt;
    char32_t cp = lead & static_cast<uint8_t>(~form.lead_mask);
    for (size_t i = 1; i < form.length; ++i) {
      const auto byte = static_cast<uint8_t>(text[i]);
      if ((byte & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (byte & 0x3F);
    }
    if (cp < form.min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    length = form.length;
    return cp;
  }
  return std::nullopt;
}

// Unicode White_Space code points (Go's unicode.IsSpace).
bool IsUnicodeSpace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// Signed notes are valid UTF-8 with no control characters but newline.
bool IsWellFormedNoteText(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t length = 0;
    std::optional<char32_t> cp = DecodeUtf8(text.substr(i), length);
    if (!cp || (*cp < 0x20 && *cp != '\n')) return false;
    i += length;
  }
  return true;
}

// Key names are non-empty UTF-8 without Unicode spaces or '+'.
bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    size_t length = 0;
    std::optional<char32_t> cp = DecodeUtf8(name.substr(i), length);
    if (!cp || *cp < 0x20 || *cp == '+' || IsUnicodeSpace(*cp)) return false;
    i += length;
  }
  return true;
}

// Splits `text` (which must end in '\n') into its lines, without newlines.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

// Standard base64 that re-encodes to exactly `text` (no lenient decodings).
Result<Bytes> DecodeCanonicalBase64(std::string_view text) {
  ASSIGN_OR_RETURN(Bytes bytes, FromBase64(text));
  if (ToBase64(bytes) != text) return Err(InvalidArgumentError("non-canonical base64"));
  return bytes;
}

// ASCII decimal without sign or leading zeros, fitting in 64 bits.
Result<uint64_t> ParseTreeSize(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) {
    return Err(Malformed("tree size must be decimal without leading zeros"));
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Err(Malformed("tree size must be decimal"));
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return Err(Malformed("tree size overflows"));
    value = value * 10 + digit;
  }
  return value;
}

// Parses the note text: exactly origin, size and root lines. Extension lines
// are refused: Backpack writes none, and Checkpoint could not carry them.
Result<Checkpoint> ParseCheckpointText(std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.size() != 3) return Err(Malformed("note text must have exactly three lines"));
  Checkpoint checkpoint;
  if (lines[0].empty()) return Err(Malformed("origin line is empty"));
  checkpoint.origin = std::string(lines[0]);
  ASSIGN_OR_RETURN(checkpoint.size, ParseTreeSize(lines[1]));
  Result<Bytes> root = DecodeCanonicalBase64(lines[2]);
  if (!root) return Err(Malformed("root hash is not base64"));
  if (root->size() != checkpoint.root.size()) return Err(Malformed("root hash is not 32 bytes"));
  std::copy(root->begin(), root->end(), checkpoint.root.begin());
  return checkpoint;
}

struct NoteSignature {
  std::string_view key_name;
  Bytes key_hash_and_signature;  // at least kKeyHashSize + 1 bytes
};

// Parses "— <name> <base64>" (newline already stripped).
Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) return Err(Malformed("signature line lacks em dash"));
  line.remove_prefix(kSignaturePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return Err(Malformed("signature line lacks a key name"));
  NoteSignature signature{line.substr(0, space), {}};
  if (!IsValidKeyName(signature.key_name)) return Err(Malformed("invalid key name"));
  Result<Bytes> bytes = DecodeCanonicalBase64(line.substr(space + 1));
  if (!bytes || bytes->size() <= kKeyHashSize) return Err(Malformed("bad signature encoding"));
  signature.key_hash_and_signature = std::move(*bytes);
  return signature;
}

// Splits the note at its last blank line into text (with its final newline)
// and signature lines.
Status SplitNote(std::string_view note, std::string_view& text,
                 std::vector<std::string_view>& signature_lines) {
  if (!IsWellFormedNoteText(note)) return Malformed("not UTF-8 text without control characters");
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before signatures");
  text = note.substr(0, split + 1);
  std::string_view signatures = note.substr(split + 2);
  if (signatures.empty() || signatures.back() != '\n') {
    return Malformed("signature block must end with a newline");
  }
  signature_lines = SplitLines(signatures);
  if (signature_lines.size() > kMaxSignatureLines) return Malformed("too many signatures");
  return OkStatus();
}

// Checks every signature by (key_name, public_key); ok if there is at least
// one and all of them verify. Others' signatures are ignored.
Status CheckSignatures(std::string_view text, const std::vector<NoteSignature>& signatures,
                       std::string_view key_name, const Ed25519PublicKey& public_key) {
  const std::array<uint8_t, kKeyHashSize> key_hash = NoteKeyHash(key_name, public_key);
  bool verified = false;
  for (const NoteSignature& signature : signatures) {
    ByteView bytes = signature.key_hash_and_signature;
    if (signature.key_name != key_name ||
        !std::equal(key_hash.begin(), key_hash.end(), bytes.begin())) {
      continue;
    }
    if (!VerifyEd25519(public_key, AsBytes(text), bytes.subspan(kKeyHashSize))) {
      return DataLossError("checkpoint signature by " + std::string(key_name) + " is invalid");
    }
    verified = true;
  }
  if (!verified) return DataLossError("checkpoint has no signature by " + std::string(key_name));
  return OkStatus();
}

}  // namespace

std::string CheckpointText(const Checkpoint& checkpoint) {
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
         ToBase64(checkpoint.root) + "\n";
}

std::string SignCheckpoint(const Checkpoint& checkpoint, std::string_view key_name,
                           const SigningKey& key) {
  const std::string text = CheckpointText(checkpoint);
  Bytes blob;
  blob.reserve(kKeyHashSize + kEd25519SignatureSize);
  const std::array<uint8_t, kKeyHashSize> key_hash = NoteKeyHash(key_name, key.public_key());
  blob.insert(blob.end(), key_hash.begin(), key_hash.end());
  const Ed25519Signature signature = key.Sign(AsBytes(text));
  blob.insert(blob.end(), signature.begin(), signature.end());
  std::string note = text;
  note += "\n";
  note += kSignaturePrefix;
  note += key_name;
  note += " ";
  note += ToBase64(blob);
  note += "\n";
  return note;
}

namespace {

struct ParsedNote {
  std::string_view text;  // the signed note text
  Checkpoint checkpoint;
  std::vector<NoteSignature> signatures;
};

Result<ParsedNote> ParseNote(std::string_view note) {
  ParsedNote parsed;
  std::vector<std::string_view> signature_lines;
  RETURN_IF_ERROR(SplitNote(note, parsed.text, signature_lines));
  ASSIGN_OR_RETURN(parsed.checkpoint, ParseCheckpointText(parsed.text));
  for (std::string_view line : signature_lines) {
    ASSIGN_OR_RETURN(NoteSignature signature, ParseSignatureLine(line));
    parsed.signatures.push_back(std::move(signature));
  }
  return parsed;
}

}  // namespace

Result<Checkpoint> ParseCheckpoint(std::string_view note) {
  ASSIGN_OR_RETURN(ParsedNote parsed, ParseNote(note));
  return std::move(parsed.checkpoint);
}

Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view key_name,
                                    const Ed25519PublicKey& public_key) {
  ASSIGN_OR_RETURN(ParsedNote parsed, ParseNote(note));
  RETURN_IF_ERROR(CheckSignatures(parsed.text, parsed.signatures, key_name, public_key));
  return std::move(parsed.checkpoint);
}

Result<std::vector<std::array<uint8_t, 4>>> NoteSignerKeyHashes(std::string_view note,
                                                                std::string_view key_name) {
  std::string_view text;
  std::vector<std::string_view> signature_lines;
  RETURN_IF_ERROR(SplitNote(note, text, signature_lines));
  std::vector<std::array<uint8_t, kKeyHashSize>> hashes;
  for (std::string_view line : signature_lines) {
    ASSIGN_OR_RETURN(NoteSignature signature, ParseSignatureLine(line));
    if (signature.key_name != key_name) continue;
    std::array<uint8_t, kKeyHashSize> hash;
    std::copy_n(signature.key_hash_and_signature.begin(), kKeyHashSize, hash.begin());
    hashes.push_back(hash);
  }
  return hashes;
}

std::array<uint8_t, 4> NoteKeyHash(std::string_view key_name, const Ed25519PublicKey& public_key) {
  const Hash256 digest = Sha256Builder()
                             .Add(AsBytes(key_name))
                             .Add(uint8_t{'\n'})
                             .Add(kAlgEd25519)
                             .Add(public_key)
                             .Finish();
  std::array<uint8_t, 4> key_hash;
  std::copy_n(digest.begin(), key_hash.size(), key_hash.begin());
  return key_hash;
}

Result<VerifierKey> ParseNoteVerifierKey(std::string_view text) {
  // A key name holds no '+' (C2SP signed-note), the base64 key may.
  const size_t middle = text.find('+');
  const size_t last = middle == std::string_view::npos ? middle : text.find('+', middle + 1);
  if (last == std::string_view::npos || middle == 0) {
    return Err(InvalidArgumentError("a verifier key is NAME+HASH+KEY"));
  }
  VerifierKey key;
  key.key_name = std::string(text.substr(0, middle));
  auto encoded = FromBase64(text.substr(last + 1));
  if (!encoded || encoded->size() != 1 + kEd25519PublicKeySize || (*encoded)[0] != kAlgEd25519) {
    return Err(InvalidArgumentError("the verifier key does not hold an Ed25519 public key"));
  }
  std::copy(encoded->begin() + 1, encoded->end(), key.public_key.begin());
  if (text.substr(middle + 1, last - middle - 1) !=
      ToHex(NoteKeyHash(key.key_name, key.public_key))) {
    return Err(InvalidArgumentError("the verifier key's hash does not match its name and key"));
  }
  return key;
}

std::string NoteVerifierKey(std::string_view key_name, const Ed25519PublicKey& public_key) {
  Bytes encoded_key;
  encoded_key.push_back(kAlgEd25519);
  encoded_key.insert(encoded_key.end(), public_key.begin(), public_key.end());
  return std::string(key_name) + "+" + ToHex(NoteKeyHash(key_name, public_key)) + "+" +
         ToBase64(encoded_key);
}

}  // namespace backpack
