#include "projections/family/internal/summary.h"

#include <boost/json/serialize.hpp>

#include "core/clock.h"
#include "projections/access_policy.h"
#include "projections/audit/audit.h"
#include "projections/family/internal/iso_time.h"
#include "projections/family/internal/records.h"

namespace backpack::family {
namespace {

namespace json = boost::json;

std::string Field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool Flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

// " (a)", " (a, b)" or "" for the non-empty parts.
std::string Paren(std::initializer_list<std::string> parts) {
  std::string inside;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    if (!inside.empty()) inside += ", ";
    inside += part;
  }
  return inside.empty() ? "" : " (" + inside + ")";
}

std::string By(std::string_view name) { return name.empty() ? "" : " by " + std::string(name); }

// The part of `text` after its first ':' ("" if none), e.g. the grade of "grade:SCH:7" is
// found by two calls.
std::string_view After(std::string_view text) {
  size_t colon = text.find(':');
  return colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
}

// Why a read was allowed or refused, in words a family reads: the access
// reasons of SPEC §1 and the refusals (denied:...) without their ids. The
// exact reason stays in the history's `disclosures` and in the audit trail.
std::string ReasonPhrase(std::string_view reason) {
  if (reason == "districtwide") return "district-wide access";
  if (reason.starts_with("schoolwide:")) return "school-wide access";
  if (reason.starts_with("grade:")) return "access to grade " + std::string(After(After(reason)));
  if (reason.starts_with("class:")) return "teaches the student's class";
  if (reason.starts_with("grant:")) return "an access grant";
  if (reason.starts_with("break_glass:")) return "emergency access";
  if (reason == "guardian") return "as the student's guardian";
  if (reason == "privacy_officer") return "as privacy officer";
  if (reason == "district_admin") return "as district administrator";
  if (reason == "educator") return "as an educator";
  static const std::pair<std::string_view, std::string_view> kRefusals[] = {
      {kDeniedNoRelationship, "no relationship to the student"},
      {kDeniedNotAuthor, "not the note's author"},
      {kDeniedWrongRole, "their role may not do this"},
      {kDeniedNotEducator, "not an educator"},
      {kDeniedDisabled, "account disabled"},
      {kDeniedUnknownUser, "unknown account"},
      {kDeniedUnknownStudent, "unknown student"},
      {kDeniedRetractedStudent, "the record was flagged as retracted"},
      {kDeniedNoRestrictedNotesFlag, "may not read restricted notes"},
      {kDeniedCrossSite, "a request from another site"}};
  for (const auto& [code, phrase] : kRefusals) {
    if (reason == code) return std::string(phrase);
  }
  return std::string(reason);
}

std::string ViewPhrase(const std::string& scope) {
  if (scope == "profile") return "Profile viewed";
  if (scope == "profile_history") return "Profile history viewed";
  if (scope == "restricted_note") return "Restricted note viewed";
  if (scope == "history") return "History viewed";
  if (scope == "export") return "History exported";
  if (scope == "search") return "Found in a search";
  if (scope == "audit_query") return "Included in an audit query";
  if (scope == "breach_report") return "Included in a breach report";
  return "Record viewed";
}

// The reason a multi-student read gives for `student_id`, else the overall one.
std::string ReasonFor(const json::object& content, std::string_view student_id) {
  if (const json::value* list = content.if_contains("students"); list && list->is_array()) {
    for (const json::value& entry : list->as_array()) {
      if (entry.is_object() && Field(entry.as_object(), "student_id") == student_id) {
        std::string reason = Field(entry.as_object(), "reason");
        if (!reason.empty()) return reason;
      }
    }
  }
  return Field(content, "reason");
}

// What a read of a named view (projections/audit/audit.h) showed, or "".
std::string NamedViewPhrase(std::string_view query, std::string_view actor) {
  if (query == kFeedReadQuery) return "Shown in the home feed of " + std::string(actor);
  if (query == kFamilyRequestsReadQuery) {
    return "Listed among family requests seen by " + std::string(actor);
  }
  if (query == kAccessListReadQuery) return "Who has access looked up by " + std::string(actor);
  if (query == kAlertsReadQuery || query == kUnreviewedAlertsReadQuery) {
    return "Listed among alerts seen by " + std::string(actor);
  }
  return "";
}

std::string SummarizeViewed(const json::object& c, std::string_view actor,
                            std::string_view student) {
  std::string outcome = SnakeCase(Field(c, "outcome"));
  if (std::string named = NamedViewPhrase(Field(c, "query"), actor);
      !named.empty() && !actor.empty()) {
    return named + Paren({ReasonPhrase(ReasonFor(c, student))});
  }
  return ViewPhrase(SnakeCase(Field(c, "scope"))) + By(actor) +
         Paren({ReasonPhrase(ReasonFor(c, student)), outcome == "gone" ? "record shredded" : ""});
}

std::string SummarizeRecord(EventType type, const json::object& c) {
  switch (type) {
    case EventType::StudentImported:
      return "Student record imported" +
             Paren({Field(c, "grade").empty() ? "" : "grade " + Field(c, "grade")});
    case EventType::GuardianLinked: {
      std::string given = Field(c, "given_name");
      std::string family = Field(c, "family_name");
      std::string name = given.empty() || family.empty() ? given + family : given + " " + family;
      return "Guardian linked: " + (name.empty() ? std::string("(no name)") : name) +
             Paren({Field(c, "relationship")});
    }
    case EventType::EnrollmentImported:
      return "Enrollment imported" + Paren({Field(c, "class_sourced_id"), Field(c, "role")});
    case EventType::RecordRetracted:
      return std::string(Flag(c, "replaced") ? "Row replaced by a corrected one from a later import"
                                             : "Row missing from a later import flagged") +
             Paren({SnakeCase(Field(c, "kind"))});
    case EventType::AttendanceRecorded:
      return "Attendance recorded: " + SnakeCase(Field(c, "status")) + " on " + Field(c, "date") +
             (Flag(c, "excused") ? " (excused)" : "");
    case EventType::AssessmentRecorded:
      return "Assessment recorded: " + Field(c, "assessment") + Paren({Field(c, "date")});
    case EventType::GradeRecorded:
      return "Grade recorded: " + Field(c, "grade") +
             Paren({Field(c, "class_sourced_id"), Field(c, "term")});
    case EventType::ServiceRecorded:
      return "Service recorded: " + Field(c, "service");
    case EventType::ServiceDiscontinued:
      return "Service discontinued: " + Field(c, "service");
    case EventType::TeamMembershipRecorded:
      return "Team membership recorded: " + Field(c, "activity") + Paren({Field(c, "season")});
    case EventType::StudentVoiceSubmitted:
      return "Student voice submitted";
    case EventType::NoteWritten:
      return std::string(Flag(c, "restricted") ? "Restricted note written" : "Note written") +
             Paren({Field(c, "kind")});
    case EventType::NoteRevised:
      return "Note revised";
    case EventType::NoteRestricted:
      return "Note marked restricted";
    default:
      return "";
  }
}

// When a grant ends: "through DATE" when it ends at a midnight (a grant
// given a bare date lasts through that day), else "until TIME".
std::string Until(int64_t expires_at_us) {
  if (expires_at_us % kMicrosPerDay == 0) return "through " + IsoDate(expires_at_us - 1);
  return "until " + IsoTime(expires_at_us);
}

std::string SummarizeAccess(EventType type, const json::object& c, std::string_view actor,
                            WhoResolver& who) {
  switch (type) {
    case EventType::AccessGranted: {
      const json::value* expires = c.if_contains("expires_at_us");
      int64_t until = expires && expires->is_int64() ? expires->as_int64() : 0;
      return "Access granted to " + who.Name(Field(c, "educator_id")) + By(actor) +
             Paren({SnakeCase(Field(c, "scope")) + " grant", until > 0 ? Until(until) : ""});
    }
    case EventType::AccessRevoked:
      return "Access grant revoked" + By(actor);
    case EventType::BreakGlassStarted:
      return "Emergency access started" + By(actor);
    case EventType::AccessDenied:
      return "Access denied to " + std::string(actor.empty() ? "someone" : actor) +
             Paren({ReasonPhrase(Field(c, "reason"))});
    case EventType::RecordDisclosed:
      return "Record disclosed to " + Field(c, "recipient") +
             Paren({Field(c, "legitimate_interest")});
    case EventType::AlertReviewed:
      return "Alert reviewed" + By(actor);
    default:
      return "";
  }
}

std::string SummarizeFamily(EventType type, const json::object& c, std::string_view actor) {
  switch (type) {
    case EventType::InspectionRequested: {
      const json::value* due = c.if_contains("due_by_us");
      std::string date = due && due->is_int64() ? IsoDate(due->as_int64()) : "";
      return "Inspection requested" + By(actor) + Paren({date.empty() ? "" : "due " + date});
    }
    case EventType::InspectionFulfilled:
      return "Inspection fulfilled" + By(actor);
    case EventType::CorrectionRequested: {
      const json::value* about = c.if_contains("about_seq");
      std::string seq = about ? json::serialize(*about) : "";
      return "Correction requested" + By(actor) + Paren({seq.empty() ? "" : "about event " + seq});
    }
    case EventType::CorrectionDecided:
      return std::string(Field(c, "decision") == "Refuse" ? "Correction refused"
                                                          : "Correction amended") +
             By(actor);
    case EventType::StatementAttached:
      return "Statement attached" + By(actor);
    case EventType::DeletionRequested:
      return "Deletion requested" + By(actor);
    case EventType::DeletionApproved:
      return "Deletion approved" + By(actor);
    case EventType::DeletionRefused:  // the reason is with the request (`requests`)
      return "Deletion refused" + By(actor) + "; the record is kept";
    case EventType::GuardianUnlinked:  // that it ended, not why (another adult's matter)
      return "Guardian link ended" + By(actor);
    case EventType::RecordShredded:  // with the reason the history found (history.cc)
      return "Record shredded" + Paren({Field(c, "reason")});
    default:
      return "";
  }
}

}  // namespace

std::string Summarize(EventType type, const json::object& content, std::string_view actor_name,
                      std::string_view student_id, WhoResolver& who) {
  if (type == EventType::RecordViewed) return SummarizeViewed(content, actor_name, student_id);
  std::string text = SummarizeRecord(type, content);
  if (text.empty()) text = SummarizeAccess(type, content, actor_name, who);
  if (text.empty()) text = SummarizeFamily(type, content, actor_name);
  if (text.empty()) text = std::string(EventTypeName(type));
  return text;
}

}  // namespace backpack::family
