#include "events/internal/log_syncer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/threads.h"

namespace backpack::log_pipeline {
namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LogSyncer::LogSyncer(Store& store, DataKeyRing& data_keys, LogStats& stats, uint64_t committed_size)
    : store_(store), data_keys_(data_keys), stats_(stats), committed_size_(committed_size) {
  thread_ = StartThread([this] { Loop(); });
}

LogSyncer::~LogSyncer() { Stop(); }

void LogSyncer::Submit(WrittenGroup group) {
  std::lock_guard lock(mu_);
  queued_.push_back(std::move(group));
  work_cv_.notify_one();
}

void LogSyncer::WaitDrained() {
  std::unique_lock lock(mu_);
  drained_cv_.wait(lock, [&] { return queued_.empty() && !syncing_; });
}

void LogSyncer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::chrono::microseconds LogSyncer::SyncRunningFor() const {
  const int64_t started = sync_started_us_.load();
  if (started == 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(std::max<int64_t>(SteadyMicros() - started, 1));
}

void LogSyncer::Recovered(uint64_t committed_size) {
  committed_size_.store(committed_size);
  failed_ = false;
}

// Exits once stopping and everything queued is synced.
void LogSyncer::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping and drained
    std::vector<WrittenGroup> groups;
    groups.swap(queued_);
    syncing_ = true;
    lock.unlock();
    SyncGroups(groups);
    lock.lock();
    syncing_ = false;
    if (queued_.empty()) drained_cv_.notify_all();
  }
}

void LogSyncer::SyncGroups(std::vector<WrittenGroup>& groups) {
  const int64_t started = SteadyMicros();
  // After a failed sync every group still in the pipeline fails too: it was
  // chained onto events whose fate is unknown until the writer recovers.
  Status status = UnavailableError("an earlier sync failed");
  if (!failed_) {
    sync_started_us_.store(started);
    status = store_.SyncWal();
    sync_started_us_.store(0);
  }
  if (!status.ok()) failed_ = true;
  const int64_t micros = SteadyMicros() - started;
  size_t events = 0;
  for (auto& g : groups) events += g.work.logged.size();
  if (status.ok()) {
    committed_size_.store(groups.back().work.logged.back().header.seq + 1);
  } else {
    spdlog::error("event log: syncing {} events failed: {}", events, status.ToString());
  }
  stats_.Record(groups.size(), events, groups.back().work.logged.size(), status.ok(), micros);
  for (auto& g : groups) {
    if (status.ok() && g.on_durable) RunCallback("a commit hook's staged action", g.on_durable);
    CompleteAppends(g.appends, g.work, status, data_keys_);
  }
}

}  // namespace backpack::log_pipeline
