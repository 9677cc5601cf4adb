#include "core/key_order.h"

#include <algorithm>
#include <tuple>

namespace backpack {
namespace {

constexpr size_t kDigit = 16;

// A key's digit at `offset`: its 16 bytes there, big-endian and zero-padded,
// and how many of them the key has (kDigit + 1: more follow). Padded digits
// that are equal order the shorter key first, which is bytewise order.
struct Ranked {
  uint64_t high = 0;
  uint64_t low = 0;
  uint32_t position = 0;
  uint32_t offset = 0;
  uint8_t length = 0;

  bool SameDigit(const Ranked& other) const {
    return high == other.high && low == other.low && length == other.length &&
           offset == other.offset;
  }
};

bool DigitOrder(const Ranked& a, const Ranked& b) {
  return std::tie(a.high, a.low, a.length, a.position) <
         std::tie(b.high, b.low, b.length, b.position);
}

void ReadDigit(std::string_view key, uint32_t offset, Ranked& out) {
  const size_t rest = key.size() > offset ? key.size() - offset : 0;
  out.offset = offset;
  out.length = static_cast<uint8_t>(std::min(rest, kDigit + 1));
  out.high = out.low = 0;
  for (size_t i = 0; i < kDigit; ++i) {
    const uint64_t byte = i < rest ? static_cast<uint8_t>(key[offset + i]) : 0;
    uint64_t& half = i < 8 ? out.high : out.low;
    half = (half << 8) | byte;
  }
}

}  // namespace

std::vector<KeyRank> OrderByKey(uint32_t count,
                                const std::function<std::string_view(uint32_t)>& key_of) {
  std::vector<Ranked> ranked(count);
  for (uint32_t i = 0; i < count; ++i) {
    ranked[i].position = i;
    ReadDigit(key_of(i), 0, ranked[i]);
  }
  std::sort(ranked.begin(), ranked.end(), DigitOrder);
  // Runs of keys equal in every digit so far, each with more to read.
  struct Run {
    size_t begin, end;
  };
  std::vector<Run> pending;
  auto find_runs = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end;) {
      size_t j = i + 1;
      while (j < end && ranked[j].SameDigit(ranked[i])) ++j;
      if (j - i > 1 && ranked[i].length > kDigit) pending.push_back({i, j});
      i = j;
    }
  };
  find_runs(0, ranked.size());
  while (!pending.empty()) {
    const Run run = pending.back();
    pending.pop_back();
    const uint32_t next = ranked[run.begin].offset + kDigit;
    for (size_t i = run.begin; i < run.end; ++i) {
      ReadDigit(key_of(ranked[i].position), next, ranked[i]);
    }
    std::sort(ranked.begin() + run.begin, ranked.begin() + run.end, DigitOrder);
    find_runs(run.begin, run.end);
  }
  // Equal keys end in the same digit (keys of different runs may too, so
  // those are compared).
  std::vector<KeyRank> out(count);
  for (size_t i = 0; i < count; ++i) {
    out[i].position = ranked[i].position;
    out[i].repeats_previous = i > 0 && ranked[i].length <= kDigit &&
                              ranked[i].SameDigit(ranked[i - 1]) &&
                              key_of(ranked[i].position) == key_of(ranked[i - 1].position);
  }
  return out;
}

}  // namespace backpack
