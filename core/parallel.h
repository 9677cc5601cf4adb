// Splitting a loop over the cores, for the few bulk steps (an import's
// thousands of events) that would otherwise run on one core while the other
// waits. Threads are started per call: for work of milliseconds or more.
#pragma once

#include <cstddef>
#include <functional>

namespace backpack {

// The number of cores this process may use (at least 1), read once.
size_t CoreCount();

// Calls `work(begin, end)` on consecutive ranges that together cover [0, n),
// one range per core, side by side, and returns when all have returned. Below
// `min_per_thread` items per core it calls work(0, n) on the calling thread.
// `work` must be safe to run for disjoint ranges at once.
void ForEachRange(size_t n, size_t min_per_thread,
                  const std::function<void(size_t begin, size_t end)>& work);

// Calls `work(i)` for every i in [0, n), on one thread per core (at most n),
// each taking the next item as it finishes one: for a few items of uneven
// size. Returns when all have returned.
void ForEachItem(size_t n, const std::function<void(size_t item)>& work);

}  // namespace backpack
