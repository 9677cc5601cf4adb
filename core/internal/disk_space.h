// The store's free-space rules: how much room a write and an open need
// before RocksDB may see them (RocksDB cannot go on writing after ENOSPC,
// and an open that runs out of room leaves table files behind). The checks
// are pure; the two probes read the filesystem. Only core/store.cc uses this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"

namespace backpack::disk_space {

// Bytes an unprivileged writer may still use on the filesystem holding
// `path`, or its nearest existing ancestor; nullopt if that cannot be read.
std::optional<uint64_t> FreeBytes(const std::string& path);

// The total size of the write-ahead log files (`*.log`) in the database
// directory `dir`; 0 if it has none or does not exist.
uint64_t WalBytes(const std::string& dir);

// A write of `batch_bytes` needs `min_free_bytes` plus twice the batch: its
// write-ahead log record, then the table file a flush copies it into.
// kUnavailable saying so if `free_bytes` is less. `min_free_bytes` 0: no check.
Status CheckWriteSpace(uint64_t free_bytes, uint64_t min_free_bytes, uint64_t batch_bytes);

// Opening a database replays its write-ahead log (`wal_bytes`) into new table
// files before it can delete the log, so it needs that much free beyond
// `min_free_bytes`. kUnavailable saying so if `free_bytes` is less, ending
// with `advice`. `min_free_bytes` 0: no check.
Status CheckOpenSpace(uint64_t free_bytes, uint64_t min_free_bytes, uint64_t wal_bytes,
                      const std::string& advice);

}  // namespace backpack::disk_space
