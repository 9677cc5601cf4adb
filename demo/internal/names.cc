#include "demo/internal/names.h"

namespace backpack::demo {
namespace {

constexpr std::string_view kFemale[] = {
    "Olivia",   "Emma",     "Charlotte", "Amelia", "Sophia",   "Mia",      "Isabella",  "Ava",
    "Evelyn",   "Luna",     "Harper",    "Camila", "Sofia",    "Scarlett", "Elizabeth", "Eleanor",
    "Emily",    "Chloe",    "Mila",      "Violet", "Penelope", "Gianna",   "Aria",      "Abigail",
    "Ella",     "Avery",    "Hazel",     "Nora",   "Layla",    "Lily",     "Aurora",    "Nova",
    "Ellie",    "Madison",  "Grace",     "Isla",   "Willow",   "Zoe",      "Riley",     "Stella",
    "Maya",     "Leah",     "Hannah",    "Naomi",  "Aaliyah",  "Ximena",   "Valentina", "Lucia",
    "Fatima",   "Amara",    "Priya",     "Mei",    "Linh",     "Hana",     "Yasmin",    "Keira",
    "Jasmine",  "Gabriela", "Ruby",      "Alice",  "Sadie",    "Eliana",   "Daniela",   "Ivy",
    "Maria",    "Ana",      "Rosa",      "Sarah",  "Rachel",   "Nadia",    "Leila",     "Tamara",
    "Jennifer", "Michelle", "Angela",    "Lisa",   "Karen",    "Patricia", "Monica",    "Denise"};

constexpr std::string_view kMale[] = {
    "Liam",    "Noah",    "Oliver",   "James",    "Elijah",    "Mateo",     "Theodore", "Henry",
    "Lucas",   "William", "Benjamin", "Levi",     "Sebastian", "Jack",      "Ezra",     "Michael",
    "Daniel",  "Leo",     "Owen",     "Samuel",   "Hudson",    "Alexander", "Asher",    "Luca",
    "Ethan",   "John",    "David",    "Jackson",  "Joseph",    "Mason",     "Luke",     "Matthew",
    "Julian",  "Dylan",   "Elias",    "Jacob",    "Maverick",  "Gabriel",   "Logan",    "Aiden",
    "Thomas",  "Isaac",   "Miles",    "Santiago", "Diego",     "Carlos",    "Omar",     "Yusuf",
    "Arjun",   "Rohan",   "Wei",      "Minh",     "Kenji",     "Tariq",     "Kwame",    "Malik",
    "Andre",   "Marcus",  "Jamal",    "Nathan",   "Caleb",     "Isaiah",    "Adrian",   "Ryan",
    "Jose",    "Luis",    "Juan",     "Robert",   "Kevin",     "Brian",     "Steven",   "Paul",
    "Anthony", "Mark",    "Eric",     "Jason",    "Aaron",     "Victor",    "Hector",   "Ivan"};

constexpr std::string_view kFamily[] = {
    "Smith",    "Johnson",   "Williams",   "Brown",     "Jones",    "Garcia",   "Miller",
    "Davis",    "Rodriguez", "Martinez",   "Hernandez", "Lopez",    "Gonzalez", "Wilson",
    "Anderson", "Thomas",    "Taylor",     "Moore",     "Jackson",  "Martin",   "Lee",
    "Perez",    "Thompson",  "White",      "Harris",    "Sanchez",  "Clark",    "Ramirez",
    "Lewis",    "Robinson",  "Walker",     "Young",     "Allen",    "King",     "Wright",
    "Scott",    "Torres",    "Nguyen",     "Hill",      "Flores",   "Green",    "Adams",
    "Nelson",   "Baker",     "Hall",       "Rivera",    "Campbell", "Mitchell", "Carter",
    "Roberts",  "Gomez",     "Phillips",   "Evans",     "Turner",   "Diaz",     "Parker",
    "Cruz",     "Edwards",   "Collins",    "Reyes",     "Stewart",  "Morris",   "Morales",
    "Murphy",   "Cook",      "Rogers",     "Gutierrez", "Ortiz",    "Morgan",   "Cooper",
    "Peterson", "Bailey",    "Reed",       "Kelly",     "Howard",   "Ramos",    "Kim",
    "Cox",      "Ward",      "Richardson", "Watson",    "Brooks",   "Chavez",   "Wood",
    "James",    "Bennett",   "Gray",       "Mendoza",   "Ruiz",     "Hughes",   "Price",
    "Alvarez",  "Castillo",  "Sanders",    "Patel",     "Myers",    "Long",     "Ross",
    "Foster",   "Jimenez",   "Tran",       "Pham",      "Le",       "Chen",     "Wang",
    "Singh",    "Shah",      "Khan",       "Ali",       "Hassan",   "Okafor",   "Mensah",
    "Yamamoto", "Tanaka",    "Park",       "Choi",      "O'Brien",  "O'Connor", "Kowalski",
    "Novak",    "Petrov",    "Ivanova",    "Schmidt",   "Muller",   "Rossi",    "Silva",
    "Santos",   "Oliveira",  "Haddad",     "Nasser",    "Abdi",     "Warsame",  "Begay",
    "Yazzie"};

constexpr std::string_view kPlaces[] = {
    "Lakeview",     "Hillcrest",   "Riverside",   "Meadowbrook", "Pinecrest",    "Fairview",
    "Brookside",    "Sunnyside",   "Oakridge",    "Westwood",    "Eastgate",     "Northview",
    "Southfield",   "Parkside",    "Valley View", "Clearwater",  "Stonebridge",  "Foxhill",
    "Highland",     "Harborview",  "Cedar Ridge", "Maple Grove", "Willow Creek", "Aspen Park",
    "Birchwood",    "Juniper",     "Sycamore",    "Hawthorne",   "Alder Creek",  "Magnolia",
    "Laurelhurst",  "Spruce Hill", "Cottonwood",  "Linden",      "Redwood",      "Chestnut Hill",
    "Silver Lake",  "Evergreen",   "Mill Creek",  "Rosewood",    "Bayside",      "Summit",
    "Prairie View", "Canyon Park", "Elm Street",  "Fern Hill",   "Orchard",      "Golden Gate"};

constexpr Birthplace kUsBirthplaces[] = {
    {"US", "WA", "Seattle"},  {"US", "WA", "Tacoma"},      {"US", "WA", "Spokane"},
    {"US", "WA", "Everett"},  {"US", "WA", "Bellevue"},    {"US", "WA", "Olympia"},
    {"US", "OR", "Portland"}, {"US", "CA", "Los Angeles"}, {"US", "CA", "San Diego"},
    {"US", "TX", "Houston"},  {"US", "AZ", "Phoenix"},     {"US", "ID", "Boise"},
    {"US", "IL", "Chicago"},  {"US", "NY", "New York"},    {"US", "AK", "Anchorage"}};

constexpr Birthplace kAbroadBirthplaces[] = {
    {"MX", "", "Guadalajara"}, {"MX", "", "Oaxaca"},         {"VN", "", "Ho Chi Minh City"},
    {"SO", "", "Mogadishu"},   {"UA", "", "Kyiv"},           {"PH", "", "Manila"},
    {"IN", "", "Pune"},        {"GT", "", "Quetzaltenango"}, {"CN", "", "Guangzhou"},
    {"ET", "", "Addis Ababa"}, {"SV", "", "San Salvador"},   {"AF", "", "Kabul"},
    {"KR", "", "Busan"},       {"HN", "", "Tegucigalpa"},    {"RU", "", "Novosibirsk"}};

}  // namespace

std::span<const std::string_view> FemaleGivenNames() { return kFemale; }
std::span<const std::string_view> MaleGivenNames() { return kMale; }
std::span<const std::string_view> FamilyNames() { return kFamily; }
std::span<const std::string_view> PlaceNames() { return kPlaces; }
std::span<const Birthplace> UsBirthplaces() { return kUsBirthplaces; }
std::span<const Birthplace> AbroadBirthplaces() { return kAbroadBirthplaces; }

std::string UsernamePart(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
    if (c >= 'a' && c <= 'z') out.push_back(c);
  }
  return out;
}

}  // namespace backpack::demo
