// Dummy routes and options shared by the server tests.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace backpack::http::testing {

// Threads that answer requests later. Joined on destruction, so declare it
// before the HttpServer it serves.
class Background {
 public:
  ~Background();
  void Run(std::function<void()> work);

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

// State the test routes share with the test body.
struct TestRouteState {
  std::atomic<int> slow_started{0};
  Background background;
};

// GET /hello, GET /api/students/{id}/profile, POST /echo (JSON object echo),
// GET /slow (answers 200 from another thread after 300 ms), GET /drop (never
// answers), GET /throw, GET /cookie, POST /api/imports (answers body size).
Router MakeTestRouter(TestRouteState& state);

// 127.0.0.1:0, two threads, 1 s header timeout, 2 s idle and stop timeouts,
// imports limited to 4 MiB so tests stay fast.
ServerOptions TestOptions();

}  // namespace backpack::http::testing
