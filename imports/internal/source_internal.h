// Shared pieces of imports/source.cc, source_zip.cc and source_folder.cc.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "imports/source.h"

namespace backpack::imports::internal {

// Why an archive entry name is refused (absolute, "..", backslash, empty or
// "." components), or nullopt if it is safe.
std::optional<std::string> CheckEntryName(std::string_view name);

// `text` made safe to quote in an error: printable ASCII kept, other bytes as
// \xHH, at most 80 bytes.
std::string Printable(std::string_view text);

// Appends up to `*budget` bytes from `read` (a function filling a buffer and
// returning the count, 0 at the end, negative on error) to `*out`, decreasing
// `*budget`. Returns "limit" if the input holds more than the budget, another
// message on a read error, or nullopt.
template <typename ReadFn>
std::optional<std::string> ReadBounded(ReadFn read, uint64_t* budget, std::string* out) {
  char buffer[64 * 1024];
  while (true) {
    int64_t n = read(buffer, sizeof buffer);
    if (n < 0) return std::string("read error");
    if (n == 0) return std::nullopt;
    if (static_cast<uint64_t>(n) > *budget) return std::string("limit");
    out->append(buffer, static_cast<size_t>(n));
    *budget -= static_cast<uint64_t>(n);
  }
}

std::string TooLargeMessage(const ImportLimits& limits);

tl::expected<FileSet, ImportErrors> ReadZipFile(const std::filesystem::path& path,
                                                const ImportLimits& limits);
tl::expected<FileSet, ImportErrors> ReadFolder(const std::filesystem::path& path,
                                               const ImportLimits& limits);

}  // namespace backpack::imports::internal
