#include "core/keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/files.h"

namespace backpack {
namespace {

// Far more than a key's hex takes; a larger file is not read further.
constexpr size_t kMaxKeyFileBytes = 4096;

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

// Reads a key file, refusing one that group or others may read. The mode is
// checked on the file opened (a symlink is followed: secret mounts use them),
// so it cannot be swapped between the check and the read.
Result<std::string> ReadSecretFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Err(NotFoundError("missing key file " + path.string()));
    return Err(UnavailableError("cannot open " + path.string() + ": " + std::strerror(errno)));
  }
  struct stat st;
  std::string text;
  Status status = OkStatus();
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    status = UnavailableError("key file " + path.string() + " is not a regular file");
  } else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    status = PermissionDeniedError("key file " + path.string() +
                                   " is readable by group or others; run chmod 600 on it");
  } else {
    // Reserved up front, so that no reallocation leaves a copy of the key behind.
    text.reserve(2 * kMaxKeyFileBytes);
    std::array<char, kMaxKeyFileBytes> chunk;
    ssize_t got;
    while ((got = ::read(fd, chunk.data(), chunk.size())) > 0 && text.size() < kMaxKeyFileBytes) {
      text.append(chunk.data(), static_cast<size_t>(got));
    }
    if (got < 0) status = UnavailableError("cannot read " + path.string());
    SecureWipe(std::span(reinterpret_cast<uint8_t*>(chunk.data()), chunk.size()));
  }
  ::close(fd);
  if (!status.ok()) {
    SecureWipe(text);
    return Err(status);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Refuses a key directory that someone else may change: they could replace
// the keys with their own. It must belong to this user or root, and group or
// others may write to it only if it is sticky (they cannot then remove or
// rename our files) or read-only, as secret volumes are mounted.
Status CheckKeyDirectory(const std::filesystem::path& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return NotFoundError("missing key directory " + dir.string() + " (run `backpack init`)");
    }
    return UnavailableError("cannot open key directory " + dir.string() + ": " +
                            std::strerror(errno));
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return PermissionDeniedError("key directory " + dir.string() +
                                 " belongs to another user, who could replace the keys");
  }
  struct statvfs fs;
  const bool read_only = ::statvfs(dir.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX) && !read_only) {
    return PermissionDeniedError("key directory " + dir.string() +
                                 " is writable by group or others, who could replace the keys; "
                                 "run chmod go-w on it");
  }
  return OkStatus();
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
  const bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return UnavailableError("cannot create " + dir.string() + ": " + ec.message());
  // A directory made here is its owner's alone; one that existed keeps its
  // mode (it may be a home directory), unless others could change it.
  if (created) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    if (ec) return UnavailableError("cannot restrict " + dir.string() + ": " + ec.message());
  }
  RETURN_IF_ERROR(CheckKeyDirectory(dir));
  ASSIGN_OR_RETURN(KeyFiles present, FindKeyFiles(dir));
  if (present != KeyFiles::kNone)
    return AlreadyExistsError("keys already exist in " + dir.string());
  SigningKey signing = SigningKey::Generate();
  AeadKey kek;
  RandomFill(kek);
  std::string signing_hex = ToHex(signing.secret()) + "\n";
  std::string kek_hex = ToHex(kek) + "\n";
  WipedAtExit wipe_signing_hex(signing_hex), wipe_kek_hex(kek_hex);
  SecureWipe(kek);
  RETURN_IF_ERROR(WriteSecretFile(dir / kSigningKeyFile, signing_hex));
  RETURN_IF_ERROR(WriteSecretFile(dir / kKekFile, kek_hex));
  return SyncDirectory(dir);
}

Result<KeyFiles> FindKeyFiles(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(bool dir_exists, PathExists(dir));
  if (!dir_exists) return KeyFiles::kNone;
  ASSIGN_OR_RETURN(bool signing, PathExists(dir / kSigningKeyFile));
  ASSIGN_OR_RETURN(bool kek, PathExists(dir / kKekFile));
  if (signing && kek) return KeyFiles::kBoth;
  if (!signing && !kek) return KeyFiles::kNone;
  const std::string held(signing ? kSigningKeyFile : kKekFile);
  const std::string lacking(signing ? kKekFile : kSigningKeyFile);
  return Err(FailedPreconditionError(
      "key directory " + dir.string() + " holds " + held + " but not " + lacking + ": restore " +
      lacking + " from your backup of the keys, or use another --keys directory"));
}

Result<StoreKeys> LoadKeyFiles(const std::filesystem::path& dir) {
  RETURN_IF_ERROR(CheckKeyDirectory(dir));
  ASSIGN_OR_RETURN(KeyFiles present, FindKeyFiles(dir));
  if (present == KeyFiles::kNone) {
    return Err(NotFoundError("no key files in " + dir.string() + " (run `backpack init`)"));
  }
  ASSIGN_OR_RETURN(std::string signing_hex, ReadSecretFile(dir / kSigningKeyFile));
  WipedAtExit wipe_signing_hex(signing_hex);
  ASSIGN_OR_RETURN(std::string kek_hex, ReadSecretFile(dir / kKekFile));
  WipedAtExit wipe_kek_hex(kek_hex);
  auto signing_bytes = FromHex(signing_hex);
  auto kek_bytes = FromHex(kek_hex);
  if (!signing_bytes || !kek_bytes || kek_bytes->size() != kAeadKeySize) {
    if (signing_bytes) SecureWipe(*signing_bytes);
    if (kek_bytes) SecureWipe(*kek_bytes);
    return Err(DataLossError("malformed key file in " + dir.string()));
  }
  WipedAtExit wipe_signing_bytes(*signing_bytes), wipe_kek_bytes(*kek_bytes);
  ASSIGN_OR_RETURN(SigningKey signing, SigningKey::FromSecret(*signing_bytes));
  StoreKeys keys(std::move(signing));
  std::memcpy(keys.kek.data(), kek_bytes->data(), kAeadKeySize);
  keys.index_key = DeriveIndexKey(keys.kek);
  keys.signing_key_id = SigningKeyId(keys.signing.public_key());
  return keys;
}

}  // namespace backpack
