#include "imports/internal/fields.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace backpack::imports::internal {
namespace {

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The value of `text`, which must be all digits; -1 otherwise.
int Digits(std::string_view text) {
  if (!AllDigits(text)) return -1;
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool IsTime(std::string_view text) {  // HH:MM:SS
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return false;
  int hour = Digits(text.substr(0, 2)), minute = Digits(text.substr(3, 2));
  int second = Digits(text.substr(6, 2));
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

bool IsZone(std::string_view text) {  // Z, +HH:MM or -HH:MM
  if (text == "Z") return true;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return false;
  int hour = Digits(text.substr(1, 2)), minute = Digits(text.substr(4, 2));
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

bool IsIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int year = Digits(text.substr(0, 4)), month = Digits(text.substr(5, 2));
  int day = Digits(text.substr(8, 2));
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= DaysInMonth(year, month);
}

bool IsPlausibleYear(std::string_view text) {
  const int year = Digits(text.substr(0, 4));
  return year >= kMinImportYear && year <= kMaxImportYear;
}

bool IsIsoDateTime(std::string_view text, bool zone_required) {
  if (text.size() < 19 || text[10] != 'T') return false;
  if (!IsIsoDate(text.substr(0, 10)) || !IsTime(text.substr(11, 8))) return false;
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 1 || digits > 10) return false;
    rest.remove_prefix(digits);
  }
  if (rest.empty()) return !zone_required;
  return IsZone(rest);
}

std::optional<bool> ParseBool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

std::optional<double> ParseDecimal(std::string_view text) {
  std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
  size_t dot = digits.find('.');
  if (!AllDigits(digits.substr(0, dot))) return std::nullopt;
  if (dot != std::string_view::npos && !AllDigits(digits.substr(dot + 1))) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int> ParseInt(std::string_view text, int min, int max) {
  if (!AllDigits(text) || text.size() > 9) return std::nullopt;
  int value = Digits(text);
  if (value < min || value > max) return std::nullopt;
  return value;
}

bool IsGradeLevel(std::string_view text) {
  static constexpr std::array<std::string_view, 8> kNamed = {"IT", "PR", "PK", "TK",
                                                             "KG", "PS", "UG", "Other"};
  if (std::find(kNamed.begin(), kNamed.end(), text) != kNamed.end()) return true;
  int number = text.size() == 2 ? Digits(text) : -1;
  return number >= 1 && number <= 13;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  if (Trim(text).empty()) return items;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    items.emplace_back(Trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

}  // namespace backpack::imports::internal
