#include "core/threads.h"

#include <string>
#include <utility>

namespace backpack {
namespace {

std::function<void()>& ThreadStartFault() {
  static std::function<void()> fault;
  return fault;
}

}  // namespace

std::thread StartThread(std::function<void()> body) {
  if (ThreadStartFault()) ThreadStartFault()();
  return std::thread(std::move(body));
}

void StartThreads(std::vector<std::thread>& threads, size_t count,
                  const std::function<void(size_t)>& body,
                  const std::function<void(size_t started)>& stop) {
  const size_t before = threads.size();
  try {
    threads.reserve(before + count);
    for (size_t i = 0; i < count; ++i) threads.push_back(StartThread([body, i] { body(i); }));
  } catch (...) {
    stop(threads.size() - before);
    for (size_t i = before; i < threads.size(); ++i) threads[i].join();
    threads.resize(before);
    throw;
  }
}

Status TryStartThreads(std::string_view what, std::vector<std::thread>& threads, size_t count,
                       const std::function<void(size_t)>& body,
                       const std::function<void(size_t started)>& stop) {
  try {
    StartThreads(threads, count, body, stop);
    return OkStatus();
  } catch (...) {
    return UnavailableError(CaughtError("starting " + std::string(what)).message());
  }
}

void SetThreadStartFaultForTests(std::function<void()> fault) {
  ThreadStartFault() = std::move(fault);
}

}  // namespace backpack
