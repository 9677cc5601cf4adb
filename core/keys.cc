#include "core/keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace backpack {
namespace {

constexpr const char* kSigningFile = "signing.key";
constexpr const char* kKekFile = "kek.key";

// Creates `path` exclusively with mode 0600 and writes `text`.
Status WriteSecretFile(const std::filesystem::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExistsError(path.string() + " already exists");
    return UnavailableError("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return UnavailableError("cannot write " + path.string());
  return OkStatus();
}

Result<std::string> ReadSecretFile(const std::filesystem::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Err(NotFoundError("missing key file " + path.string() + " (run `backpack init`)"));
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    return Err(PermissionDeniedError("key file " + path.string() +
                                     " is readable by group or others; run chmod 600 on it"));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Err(UnavailableError("cannot read " + path.string()));
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

AeadKey DeriveIndexKey(const AeadKey& kek) {
  return KeyedHash(kek, AsBytes("backpack index key v1"));
}

}  // namespace

std::string SigningKeyId(const Ed25519PublicKey& public_key) {
  Hash256 digest = Sha256(public_key);
  return ToHex(ByteView(digest.data(), 8));
}

Status CreateKeyFiles(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return UnavailableError("cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  if (std::filesystem::exists(dir / kSigningFile) || std::filesystem::exists(dir / kKekFile)) {
    return AlreadyExistsError("keys already exist in " + dir.string());
  }
  SigningKey signing = SigningKey::Generate();
  AeadKey kek;
  RandomFill(kek);
  RETURN_IF_ERROR(WriteSecretFile(dir / kSigningFile, ToHex(signing.secret()) + "\n"));
  Status s = WriteSecretFile(dir / kKekFile, ToHex(kek) + "\n");
  SecureWipe(kek);
  return s;
}

Result<StoreKeys> LoadKeyFiles(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(std::string signing_hex, ReadSecretFile(dir / kSigningFile));
  ASSIGN_OR_RETURN(std::string kek_hex, ReadSecretFile(dir / kKekFile));
  auto signing_bytes = FromHex(signing_hex);
  auto kek_bytes = FromHex(kek_hex);
  if (!signing_bytes || !kek_bytes || kek_bytes->size() != kAeadKeySize) {
    return Err(DataLossError("malformed key file in " + dir.string()));
  }
  ASSIGN_OR_RETURN(SigningKey signing, SigningKey::FromSecret(*signing_bytes));
  SecureWipe(*signing_bytes);
  StoreKeys keys{std::move(signing), {}, {}, {}};
  std::memcpy(keys.kek.data(), kek_bytes->data(), kAeadKeySize);
  SecureWipe(*kek_bytes);
  keys.index_key = DeriveIndexKey(keys.kek);
  keys.signing_key_id = SigningKeyId(keys.signing.public_key());
  return keys;
}

}  // namespace backpack
