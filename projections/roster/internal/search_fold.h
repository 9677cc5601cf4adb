// How names are compared in a student search: letters folded to lower case and
// Latin letters to their base letters, so that "zoe" finds "Zoë", "ANGSTROM"
// "Ångström" and "nguyen" "Nguyễn". Internal to projections/roster/.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace backpack::roster {

// `text` (UTF-8) with ASCII letters lowered, the Latin letters of Latin-1,
// Latin Extended-A and Vietnamese turned into their lower-case base letters
// ("Æ" -> "ae", "ß" -> "ss"), and combining diacritical marks (U+0300-U+036F)
// dropped. Other characters, and bytes that are not UTF-8, are kept as they are.
std::string FoldForSearch(std::string_view text);

// The words of a search query, each folded (FoldForSearch): the query split
// at blanks and commas, so that "Bailey, Kevin" and "bailey kevin" give the
// words of "Kevin Bailey". Empty if the query holds no word.
std::vector<std::string> SearchWords(std::string_view query);

}  // namespace backpack::roster
