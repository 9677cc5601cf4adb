// Who did it: actor ids as {id, role, name} for a family's history view.
// Internal to projections/family/.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>

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

  // "system" (imports, maintenance) and "cli" are {role: "system"}; users
  // {role: SPEC role name, name: display name or username}.
  const boost::json::object& Who(const std::string& actor_id);
  std::string Name(const std::string& actor_id);

 private:
  const Roster* roster_;
  std::map<std::string, boost::json::object> cache_;
};

}  // namespace backpack::family
