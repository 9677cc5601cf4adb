// Bounds on what an import may make Backpack read and keep in memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace backpack::imports {

struct ImportLimits {
  // Uncompressed bytes of all files read, from a zip or a folder. Checked
  // against declared sizes first, then against the bytes actually read.
  uint64_t max_total_bytes = 64ull << 20;
  // Entries a zip may hold (files, directories and ignored extras alike), and
  // entries examined in a folder.
  size_t max_entries = 1000;
  size_t max_field_bytes = 64 << 10;
  size_t max_fields_per_record = 256;
  size_t max_rows_per_file = 2'000'000;
  // Errors reported in full; later ones are only counted.
  size_t max_errors = 1000;
};

}  // namespace backpack::imports
