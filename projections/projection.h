// Projections: derived state built from the log (invariant 6).
//
// A Projection owns some column families and turns each committed event into
// writes to them. The Projector runs every projection inside the event
// log's commit hook, so projection writes commit atomically with their
// events. `backpack rebuild` replays the whole log through the same code into
// empty families; the result must be byte-for-byte the same, so Apply must be
// deterministic: it may read only the event and the transaction, never the
// clock or a random source.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/data_keys.h"
#include "core/position_index.h"
#include "core/store.h"
#include "core/string_sequence.h"
#include "events/event.h"

namespace backpack {

// The writes of one commit group (or one rebuild batch), readable before
// they are committed.
//
// Writes are staged in memory (the last write to a key wins) and reach the
// batch only through Finish, in (family, key) order. A family's writes are
// kept in the order they were made, and sorted once, by Finish; a point read
// finds a key's last write through a hash index, built at the family's first
// read. Only a family that is scanned keeps its writes ordered by key from
// its first scan on. A sealed value is
// kept as plaintext until something needs its bytes (a raw Get, a Scan, or
// Finish), so a value rewritten many times in one transaction is sealed once,
// and GetSealed of a value this transaction wrote decrypts nothing.
//
// Thread-safety: one thread at a time (the log's writer thread).
class ProjectionTxn {
 public:
  // Reads from and stages writes for `store`; Finish puts them into `batch`.
  // Commit hooks read kLatest (earlier groups may still be syncing); a
  // read-only txn serving a query reads kDurable.
  ProjectionTxn(Store& store, DataKeyRing& data_keys, WriteBatch& batch,
                ReadView view = ReadView::kLatest);

  // Reads see this transaction's own earlier writes and those of earlier
  // commit groups that are written but still being synced (ReadView::kLatest).
  Result<std::optional<Bytes>> Get(std::string_view family, ByteView key);
  void Put(std::string_view family, ByteView key, ByteView value);
  void Delete(std::string_view family, ByteView key);
  // Visits every live entry whose key starts with `prefix`, in key order,
  // merging staged writes with the store, reading only as far as needed: stops
  // early if `visit` returns false. `visit` must not write to this transaction
  // (collect the keys, then write).
  Status Scan(std::string_view family, ByteView prefix,
              const std::function<bool(ByteView key, ByteView value)>& visit);
  // As Scan, but starts at the first key >= `start` (which must begin with
  // `prefix`): skips, without reading them, deleted entries below it.
  Status ScanFrom(std::string_view family, ByteView prefix, ByteView start,
                  const std::function<bool(ByteView key, ByteView value)>& visit);

  // Personal values, sealed under `owner`'s data key (projections/sealed.h).
  // kGone if the owner was shredded.
  Status PutSealed(std::string_view family, ByteView key, const std::string& owner,
                   ByteView plaintext);
  // nullopt if absent; kGone if the owner was shredded.
  Result<std::optional<Bytes>> GetSealed(std::string_view family, ByteView key);
  // Opens `sealed`, read from (`family`, `key`) by a Scan. kGone if the owner
  // was shredded; kDataLoss if the value was changed or moved.
  Result<Bytes> OpenSealed(std::string_view family, ByteView key, ByteView sealed);

  // Deletes every sealed value owned by `owner` in `family` (for shredding).
  Status DeleteOwnedBy(std::string_view family, const std::string& owner);

  // From now on, reading a family not in `families` fails, and so does
  // Finish after a write to one (for a projection's own transaction).
  void RestrictTo(std::vector<std::string> families) { allowed_ = std::move(families); }
  // From now on, writes to `families` are dropped (for a rebuild, which keeps
  // these families as they are: see Projection::TouchedFamilies). Reads of
  // them read the store.
  void IgnoreWritesTo(std::vector<std::string> families) { ignored_ = std::move(families); }

  // Puts every staged write into the batch, in (family, key) order, and
  // empties the transaction (reads then go to the store alone, which must by
  // then hold the batch for them to see it). Fails, writing nothing more, if
  // a pending value cannot be sealed (its owner was shredded meanwhile).
  Status Finish();
  // The approximate memory held by staged writes.
  size_t StagedBytes() const { return staged_bytes_; }

  DataKeyRing& data_keys() { return data_keys_; }
  // Subjects whose new data keys this transaction put into the batch (once
  // each, however many values it sealed for them).
  const std::unordered_set<std::string>& new_key_subjects() const { return new_key_subjects_; }

 private:
  // One write's value: nothing (a delete), the bytes to store as they are,
  // or a plaintext that Finish seals under its owner.
  struct Staged {
    enum class Kind : uint8_t { kDeleted, kValue, kPlain };
    Bytes bytes;  // the value (kValue) or the plaintext (kPlain)
    // For kPlain, once a raw read (Get, Scan) needed the stored bytes: the
    // plaintext sealed. Finish stores these instead of sealing again.
    std::unique_ptr<Bytes> sealed;
    uint32_t owner = 0;  // for kPlain: the owner's position in owners_
    Kind kind = Kind::kDeleted;
    bool deleted() const { return kind == Kind::kDeleted; }
  };
  using FamilyWrites = std::map<std::string, Staged, std::less<>>;

  // One family's staged writes. Until its first scan, `writes` holds every
  // write in the order made, and `keys` its key at the same position; from
  // its first point read on, `last` indexes each key's last write, and a
  // write that a later one replaces is emptied. From its first scan on,
  // `ordered` holds each key's last write in key order, and `writes` those
  // made since the family was last read.
  struct FamilyStage {
    StringSequence keys;
    std::vector<Staged> writes;
    PositionIndex last;    // each key's last write in `writes`
    bool indexed = false;  // `last` is up to date
    std::optional<FamilyWrites> ordered;
  };
  // Memory a staged write holds beyond its key's bytes.
  static size_t StagedSize(const Staged& s);

  // `stage`'s writes, each key once, in key order, for a scan: from now on
  // the family stays ordered.
  FamilyWrites& Ordered(FamilyStage& stage);
  // Moves an ordered family's writes since its last read into `ordered`.
  void Fold(FamilyStage& stage);
  // Indexes every write of an unordered family in `last`.
  void Index(FamilyStage& stage);
  // Empties writes[position], which a later write to its key replaced.
  void Supersede(FamilyStage& stage, uint32_t position);
  Staged* Find(std::string_view family, std::string_view key);
  // A new write to `key`, to be filled in by the caller.
  Staged& Stage(std::string_view family, std::string_view key);
  // Puts one family's writes into the batch in key order, the last write to
  // a key winning, and empties it.
  void WriteOut(std::string_view family, FamilyStage& stage);
  // The stored bytes of a live staged value, sealing a copy first if needed.
  Result<const Bytes*> StoredBytes(std::string_view family, std::string_view key, Staged& s);
  // For Finish: turns a kPlain value into the stored bytes, sealing it in
  // its plaintext's own buffer (nothing reads the plaintext after Finish).
  Status SealForWriteOut(std::string_view family, std::string_view key, Staged& s);
  // The position of `owner` in owners_, asking the key ring about an owner
  // new to this transaction (a new key goes into the batch).
  Result<uint32_t> OwnerPosition(const std::string& owner);

  // kFailedPrecondition if RestrictTo excludes `family`.
  Status CheckAllowed(std::string_view family) const;
  bool Ignored(std::string_view family) const;

  Store& store_;
  DataKeyRing& data_keys_;
  WriteBatch& batch_;
  const ReadView view_;
  std::optional<std::vector<std::string>> allowed_;
  Status disallowed_write_;  // the first write RestrictTo excludes
  std::vector<std::string> ignored_;
  std::map<std::string, FamilyStage, std::less<>> staged_;
  size_t staged_bytes_ = 0;
  std::unordered_set<std::string> new_key_subjects_;
  // Owners whose data key is durable or in the batch (new_key_subjects_),
  // each once, indexed by `owner_index_`: PutSealed asks the key ring about
  // each owner once, and a staged value names its owner by position.
  std::vector<std::string> owners_;
  PositionIndex owner_index_;
};

// Splits one projection's replay across lanes that run side by side (see
// Projection::NewRebuildPartitioner). The lanes write disjoint keys, so their
// results together equal one lane's.
class RebuildPartitioner {
 public:
  virtual ~RebuildPartitioner() = default;
  // Called for every event of the log, in order, on one thread, before any
  // lane applies it: the key (e.g. a student id) of the lane that must apply
  // it, or nullopt if from this event on the lanes can no longer be kept
  // apart (one lane then applies it and everything after it, once the others
  // have written everything they applied before it).
  virtual std::optional<std::string_view> LaneKey(const LoggedEvent& event) = 0;

  // Applies one lane's events as the projection's Apply does, except for the
  // projection's in-memory state (its Load follows the replay). It may keep
  // memory of its own about its lane's events (what they stored: the lane's
  // transaction writes it out whenever the rebuild's budget says). Each lane
  // has its own, used by the lane's thread alone.
  class LaneApplier {
   public:
    virtual ~LaneApplier() = default;
    virtual Status Apply(const LoggedEvent& event, ProjectionTxn& txn) = 0;
  };
  virtual std::unique_ptr<LaneApplier> NewLaneApplier() const = 0;
};

class Projection {
 public:
  virtual ~Projection() = default;
  // A short name for messages, e.g. "profile".
  virtual std::string_view name() const = 0;
  // The column families this projection owns; `rebuild` resets them.
  virtual std::vector<std::string> ColumnFamilies() const = 0;
  // Every family Apply may read or write: those it owns and any it writes
  // but a rebuild keeps. No two projections share one, which lets a rebuild
  // replay them side by side (a transaction restricted to these enforces it).
  // A rebuild in place drops Apply's writes to a family it keeps (one that
  // already holds entries), so Apply may write there only what the live
  // projection wrote for the same event.
  virtual std::vector<std::string> TouchedFamilies() const { return ColumnFamilies(); }
  // Applies one event. Events whose payload was shredded are never passed.
  virtual Status Apply(const LoggedEvent& event, ProjectionTxn& txn) = 0;
  // Hands over the in-memory changes staged by Apply since the last call, as
  // an action that makes them visible. The caller runs it once their commit
  // group is durable, or drops it if the group fails. Empty if nothing is staged.
  virtual std::function<void()> TakeStaged() { return {}; }
  // The events Apply saw since the last TakeStaged will never be written (the
  // store refused their group, and dropped the staged action): forget any
  // other memory they changed. Cheaper than Load, which the store being
  // unchanged makes unnecessary.
  virtual void ForgetUnwritten() {}
  // Reloads in-memory state from the (committed) families at startup.
  virtual Status Load(Store&, DataKeyRing&) { return OkStatus(); }
  // A rebuild may replay the projection in several lanes, if it can tell which
  // lane each event belongs to; nullptr (the default) replays it in one.
  virtual std::unique_ptr<RebuildPartitioner> NewRebuildPartitioner() const { return nullptr; }
};

// `failed` with the projection and the event it failed on named first.
Status ProjectionError(std::string_view projection, const LoggedEvent& event, const Status& failed);

// Applies `events`, in order, to one projection (skipping shredded ones);
// errors name the projection and the event.
Status ApplyEvents(Projection& projection, std::span<const LoggedEvent> events, ProjectionTxn& txn);

// Runs every registered projection for each committed event.
class Projector final : public CommitHook {
 public:
  Projector(Store& store, DataKeyRing& data_keys);
  // `projection` must outlive the Projector.
  void Add(Projection* projection);
  std::vector<std::string> ColumnFamilies() const;
  const std::vector<Projection*>& projections() const { return projections_; }

  // Applies `events` to every projection, staging writes into `txn`.
  Status ApplyAll(std::span<const LoggedEvent> events, ProjectionTxn& txn);

  Result<std::function<void()>> OnGroup(std::span<const LoggedEvent> events,
                                        WriteBatch& batch) override;
  Status OnStoreRecovered() override;
  Status OnGroupRefused() override;

 private:
  Store& store_;
  DataKeyRing& data_keys_;
  std::vector<Projection*> projections_;
};

}  // namespace backpack
