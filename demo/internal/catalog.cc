#include "demo/internal/catalog.h"

#include "demo/internal/text.h"

namespace backpack::demo {
namespace {

constexpr LevelInfo kLevels[] = {
    {Level::kElementary, 0, 5, "Elementary School", 22},
    {Level::kMiddle, 6, 8, "Middle School", 27},
    {Level::kHigh, 9, 12, "High School", 28},
};

using S = Staffing;

constexpr CourseSpec kElementaryCourses[] = {
    {"HR", "Homeroom", S::kHomeroom, 0, 5, {}},
    {"ELA", "English Language Arts", S::kHomeroom, 0, 5, {}},
    {"MATH", "Mathematics", S::kHomeroom, 0, 5, {}},
    {"SCI", "Science", S::kHomeroom, 2, 5, {}},
    {"ART", "Art", S::kSpecialist, 1, 5, {}},
    {"MUS", "Music", S::kSpecialist, 0, 5, {}},
    {"PE", "Physical Education", S::kSpecialist, 0, 5, {}},
};

constexpr CourseSpec kMiddleCourses[] = {
    {"ELA", "English Language Arts", S::kDepartment, 6, 8, {}},
    {"MATH", "Mathematics", S::kDepartment, 6, 8, {"Math 6", "Math 7", "Pre-Algebra"}},
    {"SCI", "Science", S::kDepartment, 6, 8, {"Earth Science", "Life Science", "Physical Science"}},
    {"SS",
     "Social Studies",
     S::kDepartment,
     6,
     8,
     {"World Geography", "Ancient Civilizations", "U.S. History"}},
    {"PE", "Physical Education", S::kDepartment, 6, 8, {}},
    {"ART", "Fine Arts", S::kDepartment, 6, 6, {"Exploratory Art"}},
    {"SPAN", "World Languages", S::kDepartment, 7, 7, {"Exploring Spanish"}},
    {"TECH", "Technology", S::kDepartment, 8, 8, {"Technology and Design"}},
};

constexpr CourseSpec kHighCourses[] = {
    {"ENG",
     "English Language Arts",
     S::kDepartment,
     9,
     12,
     {"English 9", "English 10", "American Literature", "British Literature"}},
    {"MATH",
     "Mathematics",
     S::kDepartment,
     9,
     12,
     {"Algebra I", "Geometry", "Algebra II", "Precalculus"}},
    {"SCI",
     "Science",
     S::kDepartment,
     9,
     12,
     {"Biology", "Chemistry", "Physics", "Environmental Science"}},
    {"SS",
     "Social Studies",
     S::kDepartment,
     9,
     12,
     {"World History", "U.S. History", "Government and Economics", "Psychology"}},
    {"WL",
     "World Languages",
     S::kDepartment,
     9,
     12,
     {"Spanish I", "Spanish II", "Spanish III", "Spanish IV"}},
    {"PE",
     "Physical Education",
     S::kDepartment,
     9,
     12,
     {"Physical Education", "Health", "Weight Training", "Yoga and Wellness"}},
    {"ELEC",
     "Electives",
     S::kDepartment,
     9,
     12,
     {"Digital Art", "Computer Science Principles", "Music Theory", "Journalism"}},
};

constexpr ServiceSpec kServices[] = {
    {"Reading intervention", "Reading Specialist"},
    {"Math intervention", "Math Interventionist"},
    {"ELL support", "English Language Development Teacher"},
    {"Speech and language therapy", "Speech-Language Pathologist"},
    {"Counseling check-ins", "School Counselor"},
    {"Special education resource support", "Special Education Teacher"},
    {"Section 504 accommodations", "504 Coordinator"},
    {"Advanced learning program", "Advanced Learning Coordinator"},
};

constexpr ActivitySpec kActivities[] = {
    {"Soccer", Season::kFall, false, true, true, true},
    {"Cross Country", Season::kFall, false, true, true, true},
    {"Volleyball", Season::kFall, false, true, true, true},
    {"Football", Season::kFall, false, false, true, true},
    {"Basketball", Season::kWinter, false, true, true, true},
    {"Wrestling", Season::kWinter, false, true, true, true},
    {"Swimming", Season::kWinter, false, false, true, true},
    {"Track and Field", Season::kSpring, false, true, true, true},
    {"Baseball", Season::kSpring, false, false, true, true},
    {"Softball", Season::kSpring, false, false, true, true},
    {"Tennis", Season::kSpring, false, false, true, true},
    {"Robotics Club", Season::kYear, false, true, true, false},
    {"Drama Club", Season::kYear, false, true, true, false},
    {"Jazz Band", Season::kYear, false, true, true, false},
    {"Debate Team", Season::kYear, false, false, true, false},
    {"Student Council", Season::kYear, false, true, true, false},
    {"Chess Club", Season::kYear, true, true, true, false},
    {"Art Club", Season::kYear, true, true, false, false},
    {"Running Club", Season::kYear, true, false, false, false},
    {"Garden Club", Season::kYear, true, false, false, false},
};

constexpr std::string_view kConfidentAnswers[] = {
    "we work in groups and explain our thinking to each other.",
    "the teacher shows an example first, then lets us try.",
    "I can take my time and nobody rushes me.",
    "we do hands-on projects instead of worksheets.",
    "I practiced at home, so I know what to expect.",
    "we build something, even if it doesn't work the first time.",
    "I get to help someone else understand it.",
    "the teacher says \"try it your way\" and I figure it out.",
};

constexpr std::string_view kWishAnswers[] = {
    "I take care of my little brother after school, so sometimes I'm tired.",
    "I get nervous when I have to read out loud.",
    "I draw a lot, and I'm working on my own comic.",
    "I moved here last year and I'm still making friends.",
    "I understand more than I say in class.",
    "we speak two languages at home.",
    "my dog is named \"Pickles\" and he is the best.",
    "loud rooms make it hard for me to focus.",
    "I like it when you check in with me, even if I say I'm fine.",
};

constexpr std::string_view kLearnAnswers[] = {
    "I can see a picture or a diagram.",
    "I can move around, or stand up, while I think.",
    "we talk about it first and then write.",
    "I know why we are learning it.",
    "it's quiet and I can use headphones.",
    "I can ask questions without feeling embarrassed.",
    "we play a game to practice.",
};

constexpr std::string_view kOutsideAnswers[] = {
    "playing soccer with my cousins.",
    "cooking with my grandma, especially tamales and dumplings.",
    "building things in Minecraft.",
    "drawing, painting, and making friendship bracelets.",
    "reading fantasy books, the longer the better.",
    "skateboarding at the park.",
    "taking care of our chickens.",
    "making music on my keyboard.",
};

constexpr std::string_view kGoalAnswers[] = {
    "to read a whole chapter book by myself.",      "to raise my math grade to a B.",
    "to ask for help sooner instead of waiting.",   "to make the varsity team.",
    "to turn in all my homework on time.",          "to speak up more in class discussions.",
    "to be kinder to myself when I make mistakes.",
};

constexpr std::string_view kProudAnswers[] = {
    "when I presented my science project and people asked questions.",
    "when I finally solved a hard fractions problem.",
    "when my poem was read at the assembly.",
    "when I helped a new student find their classes.",
    "when our team won, and I scored the last point.",
    "when my teacher said my essay \"made her think.\"",
};

constexpr PromptSpec kFallPrompts[] = {
    {"I feel most confident in {subject} when...", kConfidentAnswers},
    {"Something I wish my teachers knew about me is...", kWishAnswers},
    {"I learn best when...", kLearnAnswers},
};

constexpr PromptSpec kMidYearPrompts[] = {
    {"Outside of school, I love...", kOutsideAnswers},
    {"One goal I have for the rest of this year is...", kGoalAnswers},
    {"A time I felt proud at school was...", kProudAnswers},
};

constexpr std::string_view kFavoriteSubjects[] = {
    "science", "math", "reading", "writing", "art", "music", "history", "PE",
};

}  // namespace

std::string GradeCode(int grade) {
  if (grade == 0) return "KG";
  return std::string(1, static_cast<char>('0' + grade / 10)) + static_cast<char>('0' + grade % 10);
}

std::string GradeName(int grade) {
  return grade == 0 ? "Kindergarten" : StrCat({"Grade ", std::to_string(grade)});
}

std::span<const LevelInfo> Levels() { return kLevels; }

const LevelInfo& LevelOfGrade(int grade) {
  for (const LevelInfo& level : kLevels) {
    if (grade <= level.last_grade) return level;
  }
  return kLevels[2];
}

std::span<const CourseSpec> CoursesFor(Level level) {
  switch (level) {
    case Level::kElementary:
      return kElementaryCourses;
    case Level::kMiddle:
      return kMiddleCourses;
    case Level::kHigh:
      break;
  }
  return kHighCourses;
}

std::string CourseTitle(const CourseSpec& course, int grade) {
  const auto index = static_cast<size_t>(grade - course.first_grade);
  if (index < course.titles.size() && !course.titles[index].empty()) {
    return std::string(course.titles[index]);
  }
  return StrCat({GradeName(grade), " ", course.subject});
}

bool Offers(const CourseSpec& course, int grade) {
  return grade >= course.first_grade && grade <= course.last_grade;
}

std::span<const ServiceSpec> Services() { return kServices; }
std::span<const ActivitySpec> Activities() { return kActivities; }
std::span<const PromptSpec> FallPrompts() { return kFallPrompts; }
std::span<const PromptSpec> MidYearPrompts() { return kMidYearPrompts; }
std::span<const std::string_view> FavoriteSubjects() { return kFavoriteSubjects; }

}  // namespace backpack::demo
