// Family::History: the family's view of every event about the record.
#include <boost/json/array.hpp>
#include <optional>

#include "projections/family/export.h"
#include "projections/family/family.h"
#include "projections/family/internal/annotations.h"
#include "projections/family/internal/iso_time.h"
#include "projections/family/internal/payload_read.h"
#include "projections/family/internal/payload_text.h"
#include "projections/family/internal/reads.h"
#include "projections/family/internal/records.h"
#include "projections/family/internal/summary.h"
#include "projections/family/internal/who.h"
#include "projections/roster/roster.h"

namespace backpack {
namespace {

namespace json = boost::json;

json::object Skeleton(const family::IndexEntry& entry) {
  json::object item;
  item["seq"] = entry.seq;
  item["type"] = EventTypeName(entry.type);
  item["at"] = family::IsoTime(entry.at_us);
  item["at_us"] = entry.at_us;
  return item;
}

bool IsImported(const json::object& content) {
  const json::value* import_id = content.if_contains("import_id");
  return import_id && import_id->is_string() && !import_id->as_string().empty();
}

// The reason `shred`'s actor typed: the ShredReasonRecorded committed just
// before it, sealed under the actor's key. nullopt if there is none (an
// approved deletion, or a shred recorded by an earlier version).
std::optional<std::string> SealedShredReason(EventLog& log, const LoggedEvent& shred,
                                             const std::string& student) {
  if (shred.header.seq == 0) return std::nullopt;
  auto before = log.Read(shred.header.seq - 1);
  if (!before || before->shredded || before->header.type != EventType::ShredReasonRecorded ||
      before->header.subject_id != shred.header.actor_id) {
    return std::nullopt;
  }
  auto payload = family::ReadPayload<fb::ShredReasonRecordedPayload>(*before);
  if (!payload || !(*payload)->student_id() || (*payload)->student_id()->str() != student) {
    return std::nullopt;
  }
  return (*payload)->reason() ? (*payload)->reason()->str() : "";
}

// One event with who did it and a summary decrypted from its payload.
Result<json::object> HistoryItem(EventLog& log, const family::IndexEntry& entry,
                                 const std::string& student, family::WhoResolver& who) {
  json::object item = Skeleton(entry);
  ASSIGN_OR_RETURN(LoggedEvent event, log.Read(entry.seq));
  if (event.shredded) {
    item["shredded"] = true;
    return item;
  }
  auto content = family::PayloadToJson(event.header.type, event.payload);
  json::object fields = content ? std::move(*content) : json::object();
  if (event.header.type == EventType::RecordShredded) {
    if (auto reason = SealedShredReason(log, event, student)) fields["reason"] = *reason;
  }
  const std::string& actor = event.header.actor_id;
  if (IsImported(fields)) {
    item["who"] = {{"id", actor}, {"role", "system"}, {"name", "SIS import"}};
  } else {
    item["who"] = who.Who(actor);
  }
  item["summary"] = family::Summarize(event.header.type, fields, who.Name(actor), student, who);
  return item;
}

json::object DisclosureItem(const family::Disclosure& d, family::WhoResolver& who) {
  json::object item;
  item["seq"] = d.seq;
  item["at"] = family::IsoTime(d.at_us);
  item["at_us"] = d.at_us;
  item["action"] = d.type == EventType::RecordDisclosed ? "disclosed"
                   : d.type == EventType::AccessDenied  ? "denied"
                                                        : "viewed";
  item["who"] = who.Who(d.actor_id);
  item["scope"] = d.scope;
  item["reason"] = d.reason;
  item["outcome"] = d.outcome;
  if (d.type == EventType::RecordDisclosed) {
    item["recipient"] = d.recipient;
    item["legitimate_interest"] = d.legitimate_interest;
    item["description"] = d.description;
  }
  return item;
}

// True if a history for `for_guardian` ("" for staff) is to hide the words
// of `r`, another guardian account's request: the guardian sees that it
// exists, its kind, status, who and when, not what the other adult wrote
// (its text or reason). A statement stays: it is shown with the record.
bool HidesRequestText(const Services& services, const FamilyRequest& r,
                      std::string_view for_guardian) {
  if (for_guardian.empty() || r.requested_by == for_guardian) return false;
  if (!services.roster) return true;
  auto user = services.roster->FindUser(r.requested_by);
  return !user || user->role == Role::kGuardian;
}

json::object RequestItem(const FamilyRequest& r, family::WhoResolver& who, bool hide_text) {
  json::object item = family::RequestToJson(r);
  item["requested_by"] = who.Who(r.requested_by);
  if (!r.decided_by.empty()) item["decided_by"] = who.Who(r.decided_by);
  if (hide_text) {
    item.erase("text");
    item.erase("reason");
    item["withheld"] = kWithheldPrivateText;
  }
  return item;
}

// disclosures, statements and requests; once shredded, only what is left of
// the requests (ShreddedFamilyRequestJson). `for_guardian` as for History.
Status AddFamilySections(const Family& family, const Services& services, const std::string& student,
                         bool shredded, std::string_view for_guardian, family::WhoResolver& who,
                         json::object& out) {
  json::array disclosures, statements, requests;
  if (!shredded) {
    ASSIGN_OR_RETURN(auto record,
                     family::ReadDisclosures(*services.store, *services.data_keys, student));
    for (const auto& d : record) disclosures.emplace_back(DisclosureItem(d, who));
    ASSIGN_OR_RETURN(auto all, family.Requests(student));
    for (const auto& r : all) {
      requests.emplace_back(RequestItem(r, who, HidesRequestText(services, r, for_guardian)));
    }
    for (const auto& r : Family::Statements(all))
      statements.emplace_back(family::StatementItem(r, who));
  } else {
    ASSIGN_OR_RETURN(auto gone, family.ListShreddedRequests(std::nullopt, "", student));
    for (const auto& r : gone) requests.emplace_back(ShreddedFamilyRequestJson(r));
  }
  out["disclosures"] = std::move(disclosures);
  out["statements"] = std::move(statements);
  out["requests"] = std::move(requests);
  return OkStatus();
}

}  // namespace

Result<json::object> Family::History(std::string_view student_id,
                                     std::string_view for_guardian) const {
  if (!services_.log) return Err(UnavailableError("the event log is not open"));
  std::string student(student_id);
  uint64_t as_of = services_.log->size();
  ASSIGN_OR_RETURN(bool shredded, family::ReadShredded(*services_.store, student));
  ASSIGN_OR_RETURN(auto entries, family::ReadSubjectIndex(*services_.store, student, as_of));
  if (entries.empty() && !shredded) return Err(NotFoundError("no record of this student"));
  // A guardian sees the other guardians of the child by name (not by
  // username, often an email address), but not another family's (who asked
  // for the record and was refused).
  family::WhoResolver who = for_guardian.empty()
                                ? family::WhoResolver(services_.roster)
                                : family::WhoResolver::ForGuardianOf(services_.roster, student,
                                                                     std::string(for_guardian));
  json::array events;
  for (const family::IndexEntry& entry : entries) {
    // Once shredded, an encrypted event is its type and time only (HistoryItem
    // finds it unreadable); the plain ones, access records, still say who.
    ASSIGN_OR_RETURN(json::object item, HistoryItem(*services_.log, entry, student, who));
    events.emplace_back(std::move(item));
  }
  json::object out;
  out["student_id"] = student;
  out["shredded"] = shredded;
  out["as_of_seq"] = as_of;
  out["events"] = std::move(events);
  RETURN_IF_ERROR(AddFamilySections(*this, services_, student, shredded, for_guardian, who, out));
  return out;
}

}  // namespace backpack
