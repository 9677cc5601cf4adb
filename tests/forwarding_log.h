// ForwardingEventLog: an EventLog that passes every call to a real one, for
// tests to override the calls whose failure they want to simulate.
#pragma once

#include "events/event_log.h"

namespace backpack::testing {

class ForwardingEventLog : public EventLog {
 public:
  // `real` must outlive this log.
  explicit ForwardingEventLog(EventLog& real) : real_(real) {}

  Result<AppendResult> Append(std::vector<NewEvent> events) override {
    return real_.Append(std::move(events));
  }
  void AppendAsync(std::vector<NewEvent> events,
                   std::function<void(Result<AppendResult>)> done) override {
    real_.AppendAsync(std::move(events), std::move(done));
  }
  void Drain() override { real_.Drain(); }
  uint64_t size() const override { return real_.size(); }
  Result<LoggedEvent> Read(uint64_t seq) override { return real_.Read(seq); }
  Status Replay(uint64_t from, size_t batch_size,
                const std::function<Status(std::span<LoggedEvent>)>& visit) override {
    return real_.Replay(from, batch_size, visit);
  }
  Result<Bytes> ReadStored(uint64_t seq) override { return real_.ReadStored(seq); }
  Result<std::string> LatestCheckpoint() override { return real_.LatestCheckpoint(); }
  Status WriteCheckpoint() override { return real_.WriteCheckpoint(); }
  Result<std::vector<Hash256>> InclusionProof(uint64_t seq, uint64_t tree_size) override {
    return real_.InclusionProof(seq, tree_size);
  }
  Result<std::vector<Hash256>> ConsistencyProof(uint64_t old_size, uint64_t new_size) override {
    return real_.ConsistencyProof(old_size, new_size);
  }
  Result<Hash256> RootAt(uint64_t tree_size) override { return real_.RootAt(tree_size); }
  const std::string& origin() const override { return real_.origin(); }
  const Ed25519PublicKey& public_key() const override { return real_.public_key(); }
  EventLogStats stats() const override { return real_.stats(); }
  Status Writable() const override { return real_.Writable(); }

 private:
  EventLog& real_;
};

}  // namespace backpack::testing
