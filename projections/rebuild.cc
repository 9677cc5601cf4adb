#include "projections/rebuild.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "core/threads.h"
#include "projections/internal/rebuild_lanes.h"

namespace backpack {
namespace {

constexpr size_t kReplayBatch = 20'000;
// In the meta family while a rebuild is under way. Its value is kKeptPrefix
// and the kept families the rebuild leaves as they are, comma-separated.
constexpr std::string_view kRebuildMarker = "rebuild_incomplete";
constexpr std::string_view kKeptPrefix = "kept:";
constexpr std::string_view kProjectionsVersionKey = "projections_version";
// Staged projection writes held in memory before they are written out.
constexpr size_t kStagedBudget = 256u << 20;

std::string Printable(ByteView key) {
  std::string out;
  for (uint8_t c : key) {
    if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += "\\x" + ToHex(ByteView(&c, 1));
  }
  return out;
}

// The families the projections write but do not own (a rebuild keeps them,
// see Projection::TouchedFamilies) that already hold entries in `target`.
// Replaying would only rewrite, entry for entry, what the live projections
// wrote there. Into a store where such a family is empty (a scratch store
// for `rebuild --check`, or one upgraded to a version that added the family)
// the replay writes it. Asked once per rebuild (BeginRebuild).
Result<std::vector<std::string>> FilledKeptFamilies(Store& target,
                                                    const std::vector<Projection*>& projections) {
  std::vector<std::string> filled;
  for (const Projection* p : projections) {
    const std::vector<std::string> owned = p->ColumnFamilies();
    for (const std::string& family : p->TouchedFamilies()) {
      if (std::find(owned.begin(), owned.end(), family) != owned.end()) continue;
      ASSIGN_OR_RETURN(auto it, target.NewIterator(family));
      it->SeekToFirst();
      RETURN_IF_ERROR(it->status());
      if (it->Valid()) filled.push_back(family);
    }
  }
  return filled;
}

// Durably sets the interrupted-rebuild marker, recording the families the
// rebuild keeps (`kept`), or clears it; clearing it also records the version
// the projections were built by.
Status SetRebuildMarker(Store& target, bool under_way, const std::vector<std::string>& kept = {}) {
  WriteBatch batch;
  if (under_way) {
    std::string value(kKeptPrefix);
    for (size_t i = 0; i < kept.size(); ++i) value += (i ? "," : "") + kept[i];
    batch.Put(cf::kMeta, AsBytes(kRebuildMarker), AsBytes(value));
  } else {
    batch.Delete(cf::kMeta, AsBytes(kRebuildMarker));
    batch.Put(cf::kMeta, AsBytes(kProjectionsVersionKey), AsBytes(kProjectionsVersion));
  }
  return target.Write(batch, /*sync=*/true);
}

// The kept families a rebuild leaves as they are (FilledKeptFamilies),
// decided when it begins and recorded in its marker, which it sets. A rebuild
// resuming an interrupted one takes the decision the marker records: the
// replay's large unlogged writes are ingested as table files, which survive a
// crash, so a family the first attempt began to fill holds entries and yet
// is not complete. An older binary's marker ("1") records none: keep none.
Result<std::vector<std::string>> BeginRebuild(Store& target,
                                              const std::vector<Projection*>& projections) {
  ASSIGN_OR_RETURN(auto marker, target.Get(cf::kMeta, AsBytes(kRebuildMarker)));
  std::vector<std::string> kept;
  if (!marker) {
    ASSIGN_OR_RETURN(kept, FilledKeptFamilies(target, projections));
    RETURN_IF_ERROR(SetRebuildMarker(target, true, kept));
    return kept;
  }
  std::string_view value = AsChars(*marker);
  if (!value.starts_with(kKeptPrefix)) return kept;
  value.remove_prefix(kKeptPrefix.size());
  while (!value.empty()) {
    const size_t comma = std::min(value.find(','), value.size());
    kept.emplace_back(value.substr(0, comma));
    value.remove_prefix(std::min(comma + 1, value.size()));
  }
  return kept;
}

}  // namespace

Result<RebuildStats> ReplayInto(Store& target, DataKeyRing& data_keys, EventLog& log,
                                Projector& projector) {
  auto started = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(target.EnsureColumnFamily(cf::kMeta));
  ASSIGN_OR_RETURN(std::vector<std::string> kept, BeginRebuild(target, projector.projections()));
  RETURN_IF_ERROR(target.ResetColumnFamilies(projector.ColumnFamilies()));
  rebuild::ProjectionLanes lanes(target, data_keys, projector.projections(), kept);
  rebuild::SharedBatches batches(lanes.size());
  RebuildStats stats;
  std::vector<std::thread> reader;
  auto read_log = [&](size_t) {
    Status read;
    try {
      read = log.Replay(0, kReplayBatch, [&](std::span<LoggedEvent> events) {
        stats.events += events.size();
        return batches.Push(lanes.Assign(events));
      });
    } catch (...) {  // a partitioner's bug, std::bad_alloc: fails the rebuild, not the process
      read = CaughtError("reading the log for the rebuild");
    }
    batches.Finish(std::move(read));
  };
  RETURN_IF_ERROR(TryStartThreads("the rebuild's reader", reader, 1, read_log, [](size_t) {}));
  // Lanes return once the reader has finished, or after one failed (or could
  // not be started) and closed the batches, which stops the reader too.
  Status applied = lanes.ApplyAll(batches, kStagedBudget, data_keys);
  reader[0].join();
  RETURN_IF_ERROR(applied);
  RETURN_IF_ERROR(batches.status());
  RETURN_IF_ERROR(target.FlushUnlogged());
  RETURN_IF_ERROR(SetRebuildMarker(target, false));
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

size_t RebuildLaneCount() { return std::clamp<size_t>(CoreCount(), 2, 8); }

size_t RebuildLaneOf(std::string_view key, size_t lanes) {
  return std::hash<std::string_view>()(key) % lanes;
}

Result<bool> RebuildInterrupted(Store& store) {
  ASSIGN_OR_RETURN(auto marker, store.Get(cf::kMeta, AsBytes(kRebuildMarker)));
  return marker.has_value();
}

Status MarkProjectionsCurrent(Store& store) {
  RETURN_IF_ERROR(store.EnsureColumnFamily(cf::kMeta));
  WriteBatch batch;
  batch.Put(cf::kMeta, AsBytes(kProjectionsVersionKey), AsBytes(kProjectionsVersion));
  return store.Write(batch, /*sync=*/true);
}

Result<bool> ProjectionsOutdated(Store& store) {
  ASSIGN_OR_RETURN(auto version, store.Get(cf::kMeta, AsBytes(kProjectionsVersionKey)));
  return !version || AsChars(*version) != kProjectionsVersion;
}

Result<std::optional<std::string>> FirstDifference(Store& a, Store& b,
                                                   const std::vector<std::string>& families) {
  for (const auto& family : families) {
    ASSIGN_OR_RETURN(auto ia, a.NewIterator(family, ReadView::kDurable, ScanExtent::kWhole));
    ASSIGN_OR_RETURN(auto ib, b.NewIterator(family, ReadView::kDurable, ScanExtent::kWhole));
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
