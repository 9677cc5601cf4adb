// Embedded word lists the synthetic district is assembled from. Every person
// in the demo is a random combination of common given and family names; no
// list describes a real person.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace backpack::demo {

std::span<const std::string_view> FemaleGivenNames();
std::span<const std::string_view> MaleGivenNames();
std::span<const std::string_view> FamilyNames();
// Neighbourhood-style names for schools ("Lakeview", "Cedar Ridge", ...).
std::span<const std::string_view> PlaceNames();

struct Birthplace {
  std::string_view country_code;  // ISO 3166-1 alpha-2
  std::string_view state;         // USPS abbreviation for US births, else empty
  std::string_view city;
};
std::span<const Birthplace> UsBirthplaces();
std::span<const Birthplace> AbroadBirthplaces();

// Lowercase ASCII letters of `name` only: "O'Brien" -> "obrien".
std::string UsernamePart(std::string_view name);

}  // namespace backpack::demo
