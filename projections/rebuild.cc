#include "projections/rebuild.h"

#include <chrono>

namespace backpack {
namespace {

constexpr size_t kReplayBatch = 20'000;

std::string Printable(ByteView key) {
  std::string out;
  for (uint8_t c : key) {
    if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += "\\x" + ToHex(ByteView(&c, 1));
  }
  return out;
}

}  // namespace

Result<RebuildStats> ReplayInto(Store& target, DataKeyRing& data_keys, EventLog& log,
                                Projector& projector) {
  auto started = std::chrono::steady_clock::now();
  for (const auto& family : projector.ColumnFamilies()) {
    RETURN_IF_ERROR(target.ResetColumnFamily(family));
  }
  RebuildStats stats;
  RETURN_IF_ERROR(log.Replay(0, kReplayBatch, [&](std::span<const LoggedEvent> events) -> Status {
    WriteBatch batch;
    ProjectionTxn txn(target, data_keys, batch);
    RETURN_IF_ERROR(projector.ApplyAll(events, txn));
    RETURN_IF_ERROR(target.Write(batch, /*sync=*/false));
    projector.RunStaged();
    stats.events += events.size();
    return OkStatus();
  }));
  WriteBatch empty;
  RETURN_IF_ERROR(target.Write(empty, /*sync=*/true));
  stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

Result<std::optional<std::string>> FirstDifference(Store& a, Store& b,
                                                   const std::vector<std::string>& families) {
  for (const auto& family : families) {
    ASSIGN_OR_RETURN(auto ia, a.NewIterator(family));
    ASSIGN_OR_RETURN(auto ib, b.NewIterator(family));
    ia->SeekToFirst();
    ib->SeekToFirst();
    for (; ia->Valid() && ib->Valid(); ia->Next(), ib->Next()) {
      if (!std::equal(ia->key().begin(), ia->key().end(), ib->key().begin(), ib->key().end())) {
        return std::optional<std::string>(family + ": key " + Printable(ia->key()) + " vs " +
                                          Printable(ib->key()));
      }
      if (!std::equal(ia->value().begin(), ia->value().end(), ib->value().begin(),
                      ib->value().end())) {
        return std::optional<std::string>(family + ": value of key " + Printable(ia->key()) +
                                          " differs");
      }
    }
    RETURN_IF_ERROR(ia->status());
    RETURN_IF_ERROR(ib->status());
    if (ia->Valid() || ib->Valid()) {
      auto& extra = ia->Valid() ? ia : ib;
      return std::optional<std::string>(family + ": key " + Printable(extra->key()) +
                                        " exists on one side only");
    }
  }
  return std::optional<std::string>();
}

}  // namespace backpack
