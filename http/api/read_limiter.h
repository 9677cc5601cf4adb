// ReadLimiter: how many expensive reads (a record's history, a search, an
// audit page or report: reads whose cost grows with the stored data) one
// account may have in progress at once, so that one account cannot fill the
// read pool that every account's such reads share.
//
// Thread-safety: safe to call concurrently; a slot may be released on any
// thread.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace backpack::api {

// A read in progress: the account's slot is released when the last copy
// goes. Copyable, so that completions (std::function) can hold it.
using ReadSlot = std::shared_ptr<const void>;

class ReadLimiter : public std::enable_shared_from_this<ReadLimiter> {
 public:
  // `per_account` reads in progress at most (at least 1). Owned through a
  // shared_ptr (Create): a slot keeps its limiter alive.
  static std::shared_ptr<ReadLimiter> Create(size_t per_account);
  ReadLimiter(const ReadLimiter&) = delete;
  ReadLimiter& operator=(const ReadLimiter&) = delete;

  // A slot for one more read by `account`, or nullptr if it already has
  // per_account() in progress.
  ReadSlot TryAcquire(std::string_view account);
  size_t per_account() const { return per_account_; }
  // Reads in progress for `account`.
  size_t InProgress(std::string_view account);

 private:
  explicit ReadLimiter(size_t per_account);
  void Release(const std::string& account);

  const size_t per_account_;
  std::mutex mu_;
  std::unordered_map<std::string, size_t> in_progress_;  // guarded by mu_; no zero counts
};

}  // namespace backpack::api
