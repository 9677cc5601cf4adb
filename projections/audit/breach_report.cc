// Audit::BreachReport: everything one account read in a window, with the
// guardians to notify. Names and contacts are decrypted only here.
#include <algorithm>
#include <map>
#include <set>

#include "projections/audit/audit.h"
#include "projections/audit/audit_time.h"
#include "projections/audit/internal/reading.h"
#include "projections/roster/roster.h"

namespace backpack {
namespace json = boost::json;
using namespace audit_internal;

namespace {

struct StudentAccesses {
  std::string student_id;
  json::array accesses;  // oldest first
};

// The actor's RecordViewed entries in [since, until), oldest first.
Result<std::vector<AccessEntry>> ReadsInWindow(Store& store, std::string_view actor_id,
                                               int64_t since_us, int64_t until_us) {
  std::vector<AccessEntry> reads;
  ASSIGN_OR_RETURN(SeqScan scan,
                   SeqScan::Open(store, kByActorFamily, {ActorPrefix(actor_id)}, std::nullopt));
  RETURN_IF_ERROR(scan.ForEach([&](uint64_t seq) -> Result<bool> {
    ASSIGN_OR_RETURN(auto entry, LoadEntry(store, seq));
    if (!entry || entry->at_us >= until_us || entry->action != kRecordViewed) return true;
    if (entry->at_us < since_us) return false;  // times ascend with seq
    reads.push_back(std::move(*entry));
    return true;
  }));
  std::reverse(reads.begin(), reads.end());
  return reads;
}

// One access of one student, with what the entry says about what was seen:
// the outcome (`gone`: a shredded record, nothing personal served), the
// query of a named view (a home-feed page is scope `search` with query
// `view=feed`; a search by name has none) and a restricted note's id.
json::object AccessJson(const AccessEntry& read, const StudentAccess& covered) {
  json::object o{{"seq", read.seq},
                 {"at", FormatIsoTime(read.at_us)},
                 {"scope", read.scope},
                 {"reason", covered.reason},
                 {"outcome", read.outcome}};
  if (!read.query.empty()) o["query"] = read.query;
  if (!read.note_id.empty()) o["note_id"] = read.note_id;
  return o;
}

// Students in order of their first access in the window. `events` counts the
// reads that covered at least one student.
std::vector<StudentAccesses> GroupByStudent(const std::vector<AccessEntry>& reads,
                                            uint64_t& events) {
  std::vector<StudentAccesses> students;
  std::map<std::string, size_t> position;
  for (const auto& read : reads) {
    const std::vector<StudentAccess> covered = read.Covered();
    if (!covered.empty()) ++events;
    for (const auto& student : covered) {
      auto [it, inserted] = position.emplace(student.student_id, students.size());
      if (inserted) students.push_back({student.student_id, {}});
      students[it->second].accesses.push_back(AccessJson(read, student));
    }
  }
  return students;
}

std::string FullName(const std::string& given, const std::string& family) {
  if (given.empty() || family.empty()) return given + family;
  return given + " " + family;
}

// The student's entry of the report; adds its guardians to `guardian_ids`.
json::object StudentJson(const Services& services, StudentAccesses& s,
                         std::set<std::string>& guardian_ids) {
  json::object o;
  o["id"] = s.student_id;
  o["name"] = "";
  json::array guardians;
  if (services.roster) {
    auto student = services.roster->FindStudent(s.student_id);
    if (student) {
      o["name"] = student->DisplayName();
    } else if (student.error().code() == StatusCode::kGone) {
      o["shredded"] = true;  // no name or contacts remain to notify
    }
    // Sorted by name and email, so that reports read (and diff) stably.
    std::set<std::pair<std::string, std::string>> contacts;
    for (const auto& g : services.roster->GuardiansOf(s.student_id)) {
      guardian_ids.insert(g.id);
      contacts.emplace(FullName(g.given_name, g.family_name), g.email);
    }
    for (const auto& [name, email] : contacts) {
      guardians.push_back(json::object{{"name", name}, {"email", email}});
    }
  }
  o["guardians"] = std::move(guardians);
  o["accesses"] = std::move(s.accesses);
  return o;
}

}  // namespace

Result<json::object> Audit::BreachReport(std::string_view actor_id, int64_t since_us,
                                         int64_t until_us) const {
  if (actor_id.empty()) return Err(InvalidArgumentError("a breach report needs an actor"));
  RETURN_IF_ERROR(CheckAuditWindow(since_us, until_us));
  ASSIGN_OR_RETURN(auto reads, ReadsInWindow(*services_.store, actor_id, since_us, until_us));
  uint64_t access_events = 0;
  std::vector<StudentAccesses> grouped = GroupByStudent(reads, access_events);
  std::map<std::string, json::object> actors;
  std::set<std::string> guardian_ids;
  json::array students;
  uint64_t accesses = 0;
  for (auto& s : grouped) {
    accesses += s.accesses.size();
    students.push_back(StudentJson(services_, s, guardian_ids));
  }
  json::object report;
  report["actor"] = ActorJson(services_, std::string(actor_id), actors);
  report["window"] =
      json::object{{"since", FormatIsoTime(since_us)}, {"until", FormatIsoTime(until_us)}};
  report["students"] = std::move(students);
  // `accesses` counts (student, read) pairs, one per row of the CSV: a search
  // listing 30 students counts 30; `access_events` counts the reads.
  report["totals"] = json::object{{"students", grouped.size()},
                                  {"accesses", accesses},
                                  {"guardians", guardian_ids.size()},
                                  {"access_events", access_events}};
  return report;
}

}  // namespace backpack
