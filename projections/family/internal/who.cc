#include "projections/family/internal/who.h"

#include "projections/roster/roster.h"

namespace backpack::family {
namespace {

boost::json::object MakeWho(std::string_view id, std::string_view role, std::string_view name) {
  boost::json::object who;
  who["id"] = id;
  who["role"] = role;
  who["name"] = name;
  return who;
}

// How a guardian account is named to another family.
constexpr std::string_view kAnotherGuardian = "another guardian";
// How a co-guardian with neither a display name nor a linked name is named.
constexpr std::string_view kAGuardianOfTheStudent = "a guardian of the student";

std::string FullName(const std::string& given, const std::string& family) {
  return given.empty() || family.empty() ? given + family : given + " " + family;
}

}  // namespace

WhoResolver WhoResolver::ForGuardianOf(const Roster* roster, std::string student_id,
                                       std::string viewer) {
  WhoResolver who(roster);
  who.guardians_of_ = std::move(student_id);
  who.viewer_ = std::move(viewer);
  return who;
}

boost::json::object WhoResolver::CoGuardian(const UserInfo& user) const {
  std::string name = user.display_name;
  if (name.empty()) {
    for (const GuardianInfo& g : roster_->GuardiansOf(guardians_of_)) {
      if (g.id == user.id) name = FullName(g.given_name, g.family_name);
    }
  }
  return MakeWho(user.id, RoleName(Role::kGuardian), name.empty() ? kAGuardianOfTheStudent : name);
}

const boost::json::object& WhoResolver::Who(const std::string& actor_id) {
  auto it = cache_.find(actor_id);
  if (it != cache_.end()) return it->second;
  boost::json::object who;
  if (actor_id.empty() || actor_id == "system") {
    who = MakeWho(actor_id, "system", "system");
  } else if (actor_id == "cli") {
    who = MakeWho(actor_id, "system", "command line");
  } else if (auto user =
                 roster_ ? roster_->FindUser(actor_id) : Result<UserInfo>(Err(NotFoundError("")));
             user) {
    const bool other_guardian =
        user->role == Role::kGuardian && !guardians_of_.empty() && actor_id != viewer_;
    if (other_guardian && !roster_->WasEverGuardianOf(actor_id, guardians_of_)) {
      who = boost::json::object{{"role", RoleName(Role::kGuardian)}, {"name", kAnotherGuardian}};
    } else if (other_guardian) {
      who = CoGuardian(*user);
    } else {
      who = MakeWho(actor_id, RoleName(user->role),
                    user->display_name.empty() ? user->username : user->display_name);
    }
  } else {
    who = MakeWho(actor_id, "unknown", actor_id);
  }
  return cache_.emplace(actor_id, std::move(who)).first->second;
}

std::string WhoResolver::Name(const std::string& actor_id) {
  const boost::json::value* name = Who(actor_id).if_contains("name");
  return name && name->is_string() ? std::string(name->as_string()) : actor_id;
}

}  // namespace backpack::family
