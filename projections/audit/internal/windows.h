// Sliding windows behind the derived alerts: pure, deterministic state
// machines over event times (never the clock). The projection keeps one
// window per actor and kind in a_windows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace backpack::audit_internal {

inline constexpr int64_t kBulkWindowMicros = 3'600'000'000;  // one hour

// An alert a window decided to raise, or to bring up to date.
struct Trigger {
  uint64_t count = 0;           // distinct students, or denials
  int64_t window_start_us = 0;  // the first counted event still in the window
  // The event came within the quiet period after the actor's alert
  // `alert_seq` (of the window's header) was raised, which is not reviewed
  // yet: it is brought up to date instead of a new one being raised (bulk
  // access takes the new count, a denial burst counts one more denial).
  bool continues_open_alert = false;
};

// Distinct students one actor read within the last hour: a small header
// plus one entry per student, kept apart so that a read costs O(log n), not
// a rewrite of the whole window (an account may read thousands an hour).
struct BulkWindowHeader {
  int64_t quiet_until_us = 0;  // no new alert before this time, unless alert_seq's is reviewed
  uint64_t students = 0;       // entries in the window
  // The earliest read time of an entry (exact once an expiry scan has run,
  // which the window's first read does): where expiry starts looking.
  int64_t oldest_us = 0;
  uint64_t alert_seq = 0;  // the alert raised at quiet_until_us - 1 hour; 0 if none
};

// Where a bulk window keeps its per-student entries.
class BulkWindowEntries {
 public:
  virtual ~BulkWindowEntries() = default;
  // The student's latest read time in the window, if any.
  virtual Result<std::optional<int64_t>> LastRead(const std::string& student) = 0;
  // Records a read at `at_us`; `previous_us` is the student's LastRead.
  virtual Status SetLastRead(const std::string& student, std::optional<int64_t> previous_us,
                             int64_t at_us) = 0;
  // Removes every entry last read at or before `cutoff_us`, looking no
  // earlier than `header.oldest_us`, and advances it; returns how many.
  virtual Result<uint64_t> ForgetUpTo(int64_t cutoff_us, BulkWindowHeader& header) = 0;
};

// Adds reads of `students` at `at_us` by the event `seq` and forgets reads
// an hour or more older. When more than `threshold` distinct students
// remain: raises (header.alert_seq = seq) if no alert was raised for this
// actor within the past hour; otherwise returns a trigger that continues the
// alert raised then, unless `open_alert_reviewed` (that alert, header's
// alert_seq, was reviewed): then raises if a student entered the window
// (was not in it before this read), and returns nothing for re-reads alone.
Result<std::optional<Trigger>> AddReads(BulkWindowHeader& header, BulkWindowEntries& entries,
                                        const std::vector<std::string>& students, int64_t at_us,
                                        uint64_t seq, size_t threshold, bool open_alert_reviewed);

// One actor's AccessDenied events within the last window: a small header
// plus one entry per distinct denial time (a commit group's events share
// one), kept apart like the bulk window's so that a denial costs a few small
// writes whatever the window holds. An alert raised as a quiet period ends
// reports every denial the window holds, however many: the entries are what
// makes that count exact, the header alone is constant in size.
struct DenialWindowHeader {
  int64_t quiet_until_us = 0;  // no new alert before this time, unless alert_seq's is reviewed
  uint64_t denials = 0;        // denials in the window
  int64_t oldest_us = 0;       // the earliest denial time in the window (exact)
  uint64_t alert_seq = 0;      // the alert raised at quiet_until_us - window; 0 if none
};

// Where a denial window keeps its per-time entries.
class DenialWindowEntries {
 public:
  virtual ~DenialWindowEntries() = default;
  // Counts one more denial at `at_us`.
  virtual Status AddAt(int64_t at_us) = 0;
  // Removes every denial at or before `cutoff_us`, looking no earlier than
  // `header.oldest_us`, and sets that to the earliest time kept (or
  // `cutoff_us` if none is); returns how many denials it removed.
  virtual Result<uint64_t> ForgetUpTo(int64_t cutoff_us, DenialWindowHeader& header) = 0;
};

// Adds the denial of the event `seq` at `at_us` and forgets those
// `window_us` or more older. Raises (header.alert_seq = seq) when at least
// `threshold` remain and no alert was raised within the past window, or the
// one raised then was reviewed (`open_alert_reviewed`): the trigger counts
// the denials in the window, from the earliest. Within the window after an
// alert was raised, while it is not reviewed, every denial returns a trigger
// that continues that alert. Requires `at_us` not before an earlier denial's
// (the log's times never go back) and `window_us` > 0.
Result<std::optional<Trigger>> AddDenial(DenialWindowHeader& header, DenialWindowEntries& entries,
                                         int64_t at_us, uint64_t seq, size_t threshold,
                                         int64_t window_us, bool open_alert_reviewed);

std::string EncodeBulkWindowHeader(const BulkWindowHeader& header);
Result<BulkWindowHeader> DecodeBulkWindowHeader(ByteView value);
// The denial header is fixed-size: quiet_until_us, denials, oldest_us and
// alert_seq, each 8 bytes big-endian.
inline constexpr size_t kDenialWindowHeaderSize = 32;
std::string EncodeDenialWindowHeader(const DenialWindowHeader& header);
Result<DenialWindowHeader> DecodeDenialWindowHeader(ByteView value);

}  // namespace backpack::audit_internal
