// Roster rows (orgs, sessions, classes, students, guardians, enrollments).
#include <flatbuffers/flatbuffers.h>

#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "events/schema/payloads_generated.h"
#include "projections/ids.h"
#include "projections/intake/internal/row_events.h"

namespace backpack::intake {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using flatbuffers::String;
using flatbuffers::Vector;

Offset<String> S(FlatBufferBuilder& fbb, const std::string& text) { return fbb.CreateString(text); }
Offset<Vector<Offset<String>>> L(FlatBufferBuilder& fbb, const std::vector<std::string>& list) {
  return fbb.CreateVectorOfStrings(list);
}

template <typename T>
Bytes Finish(FlatBufferBuilder& fbb, Offset<T> root) {
  fbb.Finish(root);
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

bool Deleted(const imports::OneRosterRow& row) { return row.status == "tobedeleted"; }

void AddOrgs(const imports::ImportSet& set, const EventContext& c, std::vector<RowEvent>& out) {
  for (const auto& org : set.orgs) {
    if (Deleted(org)) continue;
    FlatBufferBuilder fbb(256);
    auto root = fb::CreateOrgImportedPayload(fbb, S(fbb, org.sourced_id), S(fbb, org.name),
                                             S(fbb, org.type), S(fbb, org.identifier),
                                             S(fbb, org.parent_sourced_id), S(fbb, c.import_id));
    out.push_back({MakeEvent(c, EventType::OrgImported, "", Finish(fbb, root), false), {}});
  }
}

void AddSessions(const imports::ImportSet& set, const EventContext& c, std::vector<RowEvent>& out) {
  for (const auto& s : set.academic_sessions) {
    if (Deleted(s)) continue;
    FlatBufferBuilder fbb(256);
    auto root = fb::CreateAcademicSessionImportedPayload(
        fbb, S(fbb, s.sourced_id), S(fbb, s.title), S(fbb, s.type), S(fbb, s.start_date),
        S(fbb, s.end_date), S(fbb, s.parent_sourced_id), S(fbb, s.school_year),
        S(fbb, c.import_id));
    out.push_back(
        {MakeEvent(c, EventType::AcademicSessionImported, "", Finish(fbb, root), false), {}});
  }
}

void AddClasses(const imports::ImportSet& set, const EventContext& c, std::vector<RowEvent>& out) {
  std::unordered_map<std::string, const imports::Course*> courses;
  for (const auto& course : set.courses) courses[course.sourced_id] = &course;
  static const imports::Course kNoCourse;
  for (const auto& k : set.classes) {
    if (Deleted(k)) continue;
    auto found = courses.find(k.course_sourced_id);
    const imports::Course& course = found == courses.end() ? kNoCourse : *found->second;
    FlatBufferBuilder fbb(512);
    auto root = fb::CreateClassImportedPayload(
        fbb, S(fbb, k.sourced_id), S(fbb, k.title), S(fbb, k.class_code), S(fbb, k.class_type),
        S(fbb, k.location), S(fbb, k.course_sourced_id), S(fbb, course.title),
        S(fbb, course.course_code), S(fbb, k.school_sourced_id), L(fbb, k.term_sourced_ids),
        L(fbb, k.grades), L(fbb, k.subjects), L(fbb, k.periods), S(fbb, c.import_id));
    out.push_back({MakeEvent(c, EventType::ClassImported, "", Finish(fbb, root), false), {}});
  }
}

Offset<fb::Demographics> AddDemographics(FlatBufferBuilder& fbb, const imports::Demographics* d) {
  if (!d) return 0;
  auto opt = [](const std::optional<bool>& v) {
    return v ? flatbuffers::Optional<bool>(*v) : flatbuffers::Optional<bool>();
  };
  return fb::CreateDemographics(
      fbb, S(fbb, d->sex), opt(d->american_indian_or_alaska_native), opt(d->asian),
      opt(d->black_or_african_american), opt(d->native_hawaiian_or_other_pacific_islander),
      opt(d->white), opt(d->demographic_race_two_or_more_races),
      opt(d->hispanic_or_latino_ethnicity), S(fbb, d->country_of_birth_code),
      S(fbb, d->state_of_birth_abbreviation), S(fbb, d->city_of_birth),
      S(fbb, d->public_school_residence_status));
}

// The student's primary school: the first of its orgs that is a school.
std::string PrimarySchool(const imports::User& student,
                          const std::unordered_map<std::string, std::string>& org_types) {
  for (const auto& org : student.org_sourced_ids) {
    auto type = org_types.find(org);
    if (type != org_types.end() && type->second == "school") return org;
  }
  return student.org_sourced_ids.empty() ? "" : student.org_sourced_ids.front();
}

void AddStudents(const imports::ImportSet& set, const EventContext& c, std::vector<RowEvent>& out) {
  std::unordered_map<std::string, std::string> org_types;
  for (const auto& org : set.orgs) org_types[org.sourced_id] = org.type;
  std::unordered_map<std::string, const imports::Demographics*> demographics;
  for (const auto& d : set.demographics) demographics[d.sourced_id] = &d;
  for (const auto& u : set.students) {
    if (Deleted(u)) continue;
    auto d = demographics.find(u.sourced_id);
    const imports::Demographics* demo = d == demographics.end() ? nullptr : d->second;
    FlatBufferBuilder fbb(768);
    auto demo_offset = AddDemographics(fbb, demo);
    auto root = fb::CreateStudentImportedPayload(
        fbb, S(fbb, u.sourced_id), S(fbb, u.given_name), S(fbb, u.family_name),
        S(fbb, u.middle_name), S(fbb, ""), S(fbb, u.grades.empty() ? "" : u.grades.front()),
        S(fbb, PrimarySchool(u, org_types)), L(fbb, u.org_sourced_ids),
        S(fbb, demo ? demo->birth_date : ""), S(fbb, u.email), S(fbb, u.username),
        S(fbb, u.identifier), S(fbb, u.phone), S(fbb, u.sms), u.enabled_user, demo_offset,
        S(fbb, c.import_id));
    out.push_back({MakeEvent(c, EventType::StudentImported,
                             StudentIdFor(*c.index_key, u.sourced_id), Finish(fbb, root), true),
                   {}});
  }
}

// (guardian, student) links named from either side's agentSourcedIds, in
// order of discovery: guardians' rows first, then students'. Links to
// students marked tobedeleted are left out and counted in `*left_out`.
std::vector<std::pair<const imports::User*, const imports::User*>> GuardianLinks(
    const imports::ImportSet& set, uint64_t* left_out) {
  std::unordered_map<std::string, const imports::User*> students, guardians;
  for (const auto& u : set.students) students[u.sourced_id] = &u;
  for (const auto& u : set.guardians) {
    if (!Deleted(u)) guardians[u.sourced_id] = &u;
  }
  std::vector<std::pair<const imports::User*, const imports::User*>> links;
  std::set<std::pair<std::string, std::string>> seen;
  auto link = [&](const imports::User* guardian, const imports::User* student) {
    if (!seen.emplace(guardian->sourced_id, student->sourced_id).second) return;
    if (Deleted(*student)) {
      ++*left_out;
    } else {
      links.emplace_back(guardian, student);
    }
  };
  for (const auto& g : set.guardians) {
    if (Deleted(g)) continue;
    for (const auto& agent : g.agent_sourced_ids) {
      if (auto s = students.find(agent); s != students.end()) link(&g, s->second);
    }
  }
  for (const auto& s : set.students) {
    for (const auto& agent : s.agent_sourced_ids) {
      if (auto g = guardians.find(agent); g != guardians.end()) link(g->second, &s);
    }
  }
  return links;
}

uint64_t AddGuardians(const imports::ImportSet& set, const EventContext& c,
                      std::vector<RowEvent>& out) {
  uint64_t left_out = 0;
  for (const auto& [g, s] : GuardianLinks(set, &left_out)) {
    FlatBufferBuilder fbb(512);
    auto root = fb::CreateGuardianLinkedPayload(
        fbb, S(fbb, g->sourced_id), S(fbb, s->sourced_id), S(fbb, g->given_name),
        S(fbb, g->family_name), S(fbb, g->email), S(fbb, g->phone), S(fbb, g->sms),
        S(fbb, std::string(imports::UserRoleName(g->role))), S(fbb, c.import_id));
    out.push_back({MakeEvent(c, EventType::GuardianLinked,
                             StudentIdFor(*c.index_key, s->sourced_id), Finish(fbb, root), true),
                   {}});
  }
  return left_out;
}

uint64_t AddEnrollments(const imports::ImportSet& set, const EventContext& c,
                        const std::unordered_set<std::string>& deleted_students,
                        std::vector<RowEvent>& out) {
  uint64_t left_out = 0;
  for (const auto& e : set.enrollments) {
    if (Deleted(e)) continue;
    if (deleted_students.contains(e.user_sourced_id)) {
      ++left_out;
      continue;
    }
    FlatBufferBuilder fbb(384);
    auto root = fb::CreateEnrollmentImportedPayload(
        fbb, S(fbb, e.sourced_id), S(fbb, e.class_sourced_id), S(fbb, e.school_sourced_id),
        S(fbb, e.user_sourced_id), S(fbb, e.role), e.primary.value_or(false), S(fbb, e.begin_date),
        S(fbb, e.end_date), S(fbb, c.import_id));
    bool about_student = e.role == "student";
    std::string subject = about_student ? StudentIdFor(*c.index_key, e.user_sourced_id) : "";
    out.push_back({MakeEvent(c, EventType::EnrollmentImported, std::move(subject),
                             Finish(fbb, root), about_student),
                   {}});
  }
  return left_out;
}

}  // namespace

NewEvent MakeEvent(const EventContext& context, EventType type, std::string subject_id,
                   Bytes payload, bool personal) {
  NewEvent event;
  event.type = type;
  event.actor_id = context.actor_id;
  event.subject_id = std::move(subject_id);
  event.request_id = context.request_id;
  event.payload = std::move(payload);
  event.personal = personal;
  return event;
}

std::unordered_set<std::string> DeletedStudents(const imports::ImportSet& set) {
  std::unordered_set<std::string> deleted;
  for (const auto& u : set.students) {
    if (Deleted(u)) deleted.insert(u.sourced_id);
  }
  return deleted;
}

uint64_t AppendRosterEvents(const imports::ImportSet& set, const EventContext& context,
                            std::vector<RowEvent>& out) {
  AddOrgs(set, context, out);
  AddSessions(set, context, out);
  AddClasses(set, context, out);
  AddStudents(set, context, out);
  uint64_t left_out = AddGuardians(set, context, out);
  return left_out + AddEnrollments(set, context, DeletedStudents(set), out);
}

}  // namespace backpack::intake
