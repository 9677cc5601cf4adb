// Starting threads when the system may refuse one. std::thread's
// constructor throws std::system_error when no thread can be made (the
// process's thread limit; too little address space for a stack under
// `ulimit -v`) and std::bad_alloc; and a joinable std::thread destroyed while
// that exception unwinds (a pool's other threads) calls std::terminate.
// Every thread of Backpack's own is started here.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"

namespace backpack {

// Starts a thread running `body`. Throws what std::thread throws (or the
// test seam below); nothing has been started then.
std::thread StartThread(std::function<void()> body);

// Starts `count` threads, appended to `threads`, the i-th running body(i).
// If one cannot be started, calls stop(started), which must make bodies
// [0, started), all that run, return although the others never will; then
// joins and removes the threads this call started, and rethrows. `threads`
// is as it was before the call.
void StartThreads(std::vector<std::thread>& threads, size_t count,
                  const std::function<void(size_t)>& body,
                  const std::function<void(size_t started)>& stop);

// StartThreads for a caller that returns a Status: a thread that cannot be
// started gives kUnavailable naming `what` and the exception's type.
Status TryStartThreads(std::string_view what, std::vector<std::thread>& threads, size_t count,
                       const std::function<void(size_t)>& body,
                       const std::function<void(size_t started)>& stop);

// Test seam, never set in production: called before each thread StartThread
// starts, in the starting thread; a throw from it stands for the system
// refusing that thread. Null (the default) for none. Set it only while no
// other thread may start one.
void SetThreadStartFaultForTests(std::function<void()> fault);

}  // namespace backpack
