// Who did it: actor ids as {id, role, name} for a family's history view.
// Internal to projections/family/.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>

namespace backpack {
class Roster;
}

namespace backpack::family {

// Resolves actor ids through the Roster, once per id. Not thread-safe: one
// per read.
class WhoResolver {
 public:
  // `roster` may be null (then every user is {id, "unknown", id}).
  explicit WhoResolver(const Roster* roster) : roster_(roster) {}
  // For a view shown to a guardian of `student_id`: a guardian account never
  // linked to the student (another family's) is {role: "guardian", name:
  // "another guardian"}, without id, as their reads are withheld from the
  // family's export (docs/history-export.md). The student's guardians, now or
  // before, are named.
  static WhoResolver ForGuardianOf(const Roster* roster, std::string student_id);

  // "system" (imports, maintenance) and "cli" are {role: "system"}; users
  // {role: SPEC role name, name: display name or username}.
  const boost::json::object& Who(const std::string& actor_id);
  std::string Name(const std::string& actor_id);

 private:
  const Roster* roster_;
  std::string guardians_of_;  // "": name every guardian
  std::map<std::string, boost::json::object> cache_;
};

}  // namespace backpack::family
