// Who did it: actor ids as {id, role, name} for a family's history view.
// Internal to projections/family/.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>

namespace backpack {
class Roster;
struct UserInfo;
}  // namespace backpack

namespace backpack::family {

// Resolves actor ids through the Roster, once per id. Not thread-safe: one
// per read.
class WhoResolver {
 public:
  // `roster` may be null (then every user is {id, "unknown", id}).
  explicit WhoResolver(const Roster* roster) : roster_(roster) {}
  // For a view shown to `viewer`, a guardian of `student_id`: a guardian
  // account never linked to the student (another family's) is {role:
  // "guardian", name: "another guardian"}, without id, as their reads are
  // withheld from the family's export (docs/history-export.md). The
  // student's other guardians, now or before, are named by their display
  // name, else the name imported with their link, else "a guardian of the
  // student": never by username, which is often their email address.
  static WhoResolver ForGuardianOf(const Roster* roster, std::string student_id,
                                   std::string viewer);

  // "system" (imports, maintenance) and "cli" are {role: "system"}; users
  // {role: SPEC role name, name: display name or username}.
  const boost::json::object& Who(const std::string& actor_id);
  std::string Name(const std::string& actor_id);

 private:
  // How the viewer sees `user`, another guardian of their child.
  boost::json::object CoGuardian(const UserInfo& user) const;

  const Roster* roster_;
  std::string guardians_of_;  // "": name every guardian
  std::string viewer_;        // the guardian the view is for, with guardians_of_
  std::map<std::string, boost::json::object> cache_;
};

}  // namespace backpack::family
