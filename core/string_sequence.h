// StringSequence: strings kept end to end in one buffer, read back by
// position (0, 1, ...), in the order appended. One allocation grows for all
// of them instead of one per string; a PositionIndex over a sequence finds
// a string's position by its value (`key_at()` is what it reads keys with).
//
// Thread-safety: none; guard it as its owner.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace backpack {

class StringSequence {
 public:
  void Append(std::string_view s) {
    bytes_.append(s);
    ends_.push_back(bytes_.size());
  }

  std::string_view operator[](size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }

  size_t size() const { return ends_.size(); }

  void Clear() {
    bytes_.clear();
    ends_.clear();
  }

  // position -> the string there, for PositionIndex.
  auto key_at() const {
    return [this](uint32_t i) { return (*this)[i]; };
  }

 private:
  std::string bytes_;
  std::vector<size_t> ends_;  // where each string ends in bytes_
};

}  // namespace backpack
