// Duplicate sourcedIds within a file, and references between files.
#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imports/internal/readers.h"

namespace backpack::imports::internal {
namespace {

// sourcedId -> the first row carrying it. Views point into the ImportSet.
using IdIndex = std::unordered_map<std::string_view, const OneRosterRow*>;

// Indexes `rows` (in file order), reporting each repeat at its own line.
IdIndex IndexIds(const std::vector<const OneRosterRow*>& rows, ImportErrors* errors) {
  IdIndex index;
  for (const OneRosterRow* row : rows) {
    if (row->sourced_id.empty()) continue;
    auto [it, inserted] = index.emplace(row->sourced_id, row);
    if (!inserted) {
      errors->Add(
          row->source.file, row->source.line,
          "sourcedId: duplicate (first at line " + std::to_string(it->second->source.line) + ")");
    }
  }
  return index;
}

template <typename T>
std::vector<const OneRosterRow*> Pointers(const std::vector<T>& rows) {
  std::vector<const OneRosterRow*> out;
  for (const T& row : rows) out.push_back(&row);
  return out;
}

// Every user row, in file order.
std::vector<const OneRosterRow*> UserPointers(const ImportSet& set) {
  std::vector<const OneRosterRow*> out;
  for (const auto* users : {&set.students, &set.teachers, &set.guardians, &set.others}) {
    for (const User& user : *users) out.push_back(&user);
  }
  std::sort(out.begin(), out.end(), [](const OneRosterRow* a, const OneRosterRow* b) {
    return a->source.line < b->source.line;
  });
  return out;
}

bool IsFamilyRole(UserRole role) {
  return role == UserRole::kParent || role == UserRole::kGuardian || role == UserRole::kRelative;
}

bool IsDeleted(const OneRosterRow& row) { return row.status == "tobedeleted"; }

// What a reference must resolve to.
struct Target {
  IdIndex index;
  std::string_view noun;  // "org"
  std::string_view file;  // "orgs.csv"
  // Whether a row marked tobedeleted, which is not imported, is refused as a
  // target. Not for users: rows about a student marked so are left out
  // (intake's skipped_deleted), as the student is.
  bool refuse_deleted = false;
};

// The row a reference is made from.
struct Referrer {
  const SourceLine& at;
  bool deleted = false;  // itself marked tobedeleted: it may name rows that are too
};

Referrer From(const OneRosterRow& row) { return {row.source, IsDeleted(row)}; }

class ReferenceChecker {
 public:
  explicit ReferenceChecker(const ReadContext& context)
      : context_(context),
        set_(*context.set),
        errors_(context.errors),
        orgs_{IndexIds(Pointers(set_.orgs), errors_), "org", "orgs.csv", true},
        sessions_{IndexIds(Pointers(set_.academic_sessions), errors_), "academic session",
                  "academicSessions.csv"},
        courses_{IndexIds(Pointers(set_.courses), errors_), "course", "courses.csv"},
        classes_{IndexIds(Pointers(set_.classes), errors_), "class", "classes.csv", true},
        users_{IndexIds(UserPointers(set_), errors_), "user", "users.csv"} {
    IndexIds(Pointers(set_.enrollments), errors_);
    IndexIds(Pointers(set_.demographics), errors_);
  }

  void Run() const {
    CheckRosters();
    CheckUsers();
    CheckEnrollments();
    CheckSupplemental();
  }

 private:
  // The row `id` names in `target`, or null after reporting it (or the row
  // it names being marked tobedeleted, if `target` refuses that). Empty ids
  // and targets that could not be read are not checked (and give null).
  const OneRosterRow* Ref(Referrer from, std::string_view column, const std::string& id,
                          const Target& target) const {
    if (id.empty() || context_.incomplete_files.contains(std::string(target.file))) return nullptr;
    auto it = target.index.find(id);
    if (it != target.index.end()) {
      if (!target.refuse_deleted || from.deleted || !IsDeleted(*it->second)) return it->second;
      errors_->Add(from.at.file, from.at.line,
                   std::string(column) + ": the " + std::string(target.noun) + " in " +
                       std::string(target.file) +
                       " with that sourcedId is marked tobedeleted, and is not imported");
      return nullptr;
    }
    std::string message = std::string(column) + ": no " + std::string(target.noun) + " in " +
                          std::string(target.file) + " has that sourcedId";
    if (!context_.files.contains(std::string(target.file))) message += " (the file is missing)";
    errors_->Add(from.at.file, from.at.line, std::move(message));
    return nullptr;
  }

  void RefStudent(Referrer from, std::string_view column, const std::string& id) const {
    // users_ indexes User rows only.
    const auto* user = static_cast<const User*>(Ref(from, column, id, users_));
    if (user != nullptr && user->role != UserRole::kStudent) {
      errors_->Add(from.at.file, from.at.line,
                   std::string(column) + ": refers to a user who is not a student");
    }
  }

  void CheckRosters() const {
    for (const Org& org : set_.orgs)
      Ref(From(org), "parentSourcedId", org.parent_sourced_id, orgs_);
    for (const AcademicSession& s : set_.academic_sessions) {
      Ref(From(s), "parentSourcedId", s.parent_sourced_id, sessions_);
    }
    for (const Course& c : set_.courses) {
      Ref(From(c), "schoolYearSourcedId", c.school_year_sourced_id, sessions_);
      Ref(From(c), "orgSourcedId", c.org_sourced_id, orgs_);
    }
    for (const Class& c : set_.classes) {
      Ref(From(c), "courseSourcedId", c.course_sourced_id, courses_);
      Ref(From(c), "schoolSourcedId", c.school_sourced_id, orgs_);
      for (const std::string& term : c.term_sourced_ids) {
        Ref(From(c), "termSourcedIds", term, sessions_);
      }
    }
  }

  void CheckUser(const User& user) const {
    for (const std::string& org : user.org_sourced_ids) {
      Ref(From(user), "orgSourcedIds", org, orgs_);
    }
    for (const std::string& agent : user.agent_sourced_ids) {
      if (IsFamilyRole(user.role)) {
        RefStudent(From(user), "agentSourcedIds", agent);
      } else {
        Ref(From(user), "agentSourcedIds", agent, users_);
      }
    }
  }

  void CheckUsers() const {
    for (const auto* users : {&set_.students, &set_.teachers, &set_.guardians, &set_.others}) {
      for (const User& user : *users) CheckUser(user);
    }
    for (const Demographics& d : set_.demographics) Ref(From(d), "sourcedId", d.sourced_id, users_);
  }

  void CheckEnrollments() const {
    for (const Enrollment& e : set_.enrollments) {
      Ref(From(e), "classSourcedId", e.class_sourced_id, classes_);
      Ref(From(e), "schoolSourcedId", e.school_sourced_id, orgs_);
      if (e.role == "student") {
        RefStudent(From(e), "userSourcedId", e.user_sourced_id);
      } else {
        Ref(From(e), "userSourcedId", e.user_sourced_id, users_);
      }
    }
  }

  void CheckSupplemental() const {
    auto students = [&](const auto& rows) {
      for (const auto& row : rows) {
        RefStudent({row.source}, "studentSourcedId", row.student_sourced_id);
      }
    };
    students(set_.attendance);
    students(set_.assessments);
    students(set_.grades);
    students(set_.services);
    students(set_.teams);
    students(set_.student_voice);
    for (const Grade& g : set_.grades)
      Ref({g.source}, "classSourcedId", g.class_sourced_id, classes_);
  }

  const ReadContext& context_;
  const ImportSet& set_;
  ImportErrors* errors_;
  Target orgs_, sessions_, courses_, classes_, users_;
};

}  // namespace

void CheckReferences(const ReadContext& context) { ReferenceChecker(context).Run(); }

}  // namespace backpack::imports::internal
