// Deterministic pseudo-random numbers for the demo generator.
//
// Output depends only on the seed and plain integer arithmetic, never on the
// standard library's distributions (whose results differ between
// implementations), so a seed reproduces the same district everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace backpack::demo {

// SplitMix64 finalizer: a bijective mix of `x`. Seeds and derives streams.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// What a random stream is used for. Each purpose gets its own stream, so
// adding draws to one purpose never shifts the values of another.
enum class Stream : uint64_t {
  kPlan = 1,
  kFamily,
  kStudent,
  kAttendance,
  kAssessments,
  kGrades,
  kServices,
  kTeams,
  kVoice,
};

// xoshiro256** (Blackman and Vigna). Not thread-safe; cheap to copy.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed = Mix64(seed);
      word = seed;
    }
  }

  // The stream for (seed, purpose, index): the same triple always yields the
  // same sequence, whatever else was generated before it.
  static Rng ForStream(uint64_t seed, Stream purpose, uint64_t index) {
    return Rng(Mix64(seed ^ Mix64(static_cast<uint64_t>(purpose) ^ Mix64(index))));
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0. Lemire's multiply-shift (bias below 2^-40).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [lo, hi]; lo <= hi.
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1), 53 bits.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  bool Chance(double p) { return Unit() < p; }

  // Approximately standard normal (Irwin-Hall: sum of 12 uniforms minus 6),
  // bounded to [-6, 6]; uses no libm function, so it is exact everywhere.
  double Normal() {
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += Unit();
    return sum - 6.0;
  }

  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[static_cast<size_t>(Below(items.size()))];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
};

}  // namespace backpack::demo
