#include "events/internal/append_answers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "core/threads.h"
#include "events/internal/log_pipeline.h"

namespace backpack::log_pipeline {

AppendAnswers::AppendAnswers(std::chrono::milliseconds wait_limit)
    : wait_limit_(std::max(wait_limit, std::chrono::milliseconds(1))) {}

void AppendAnswers::StartWatch(std::function<std::chrono::microseconds()> sync_running_for) {
  watch_ =
      StartThread([this, running_for = std::move(sync_running_for)] { WatchLoop(running_for); });
}

void AppendAnswers::StopWatch() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  watch_cv_.notify_all();
  if (watch_.joinable()) watch_.join();
}

AppendAnswers::Done AppendAnswers::Track(Done done) {
  uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    unanswered_.emplace(id, std::move(done));
  }
  return [this, id](Result<AppendResult> result) {
    Done taken = Take(id);
    if (taken) Run(taken, std::move(result));
  };
}

AppendAnswers::Done AppendAnswers::Take(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = unanswered_.find(id);
  if (it == unanswered_.end()) return nullptr;  // abandoned: the caller has its answer
  Done done = std::move(it->second);
  unanswered_.erase(it);
  ++running_;
  return done;
}

void AppendAnswers::Run(Done& done, Result<AppendResult> result) {
  // A `done` that throws must still count as finished (or Drain would wait
  // forever), and must not end the watch thread.
  RunCallback("an append's completion", [&] { done(std::move(result)); });
  done = nullptr;  // what it holds goes before WaitAnswered may return
  std::lock_guard lock(mu_);
  if (--running_ == 0 && unanswered_.empty()) answered_cv_.notify_all();
}

void AppendAnswers::WaitAnswered() {
  std::unique_lock lock(mu_);
  answered_cv_.wait(lock, [&] { return unanswered_.empty() && running_ == 0; });
}

size_t AppendAnswers::pending() {
  std::lock_guard lock(mu_);
  return unanswered_.size();
}

void AppendAnswers::AbandonAll(const Status& status) {
  std::vector<Done> taken;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, done] : unanswered_) taken.push_back(std::move(done));
    unanswered_.clear();
    running_ += taken.size();
  }
  if (!taken.empty()) {
    spdlog::error("event log: {} appends abandoned: {}", taken.size(), status.message());
  }
  for (Done& done : taken) Run(done, Err(status));
}

// Sleeps until the sync in progress would reach the wait limit (or a tenth
// of the limit while none runs), then abandons what waits if it has.
void AppendAnswers::WatchLoop(const std::function<std::chrono::microseconds()>& sync_running_for) {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const std::chrono::microseconds running = sync_running_for();
    if (running >= wait_limit_) {
      lock.unlock();
      AbandonAll(UnavailableError("the disk has not finished a sync for " +
                                  std::to_string(running.count() / 1000) +
                                  " ms; the event may still be recorded later"));
      lock.lock();
    }
    const auto idle = std::chrono::duration_cast<std::chrono::microseconds>(wait_limit_) / 10;
    const auto sleep = running.count() == 0 ? idle : std::max(wait_limit_ - running, idle);
    watch_cv_.wait_for(lock, std::max(sleep, std::chrono::microseconds(1000)),
                       [&] { return stopping_; });
  }
}

}  // namespace backpack::log_pipeline
