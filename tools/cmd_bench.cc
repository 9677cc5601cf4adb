// bench append / bench verify: benchmarks on the store at --data.
// Each prints its figures and ends with `events_per_second: N`. Those that
// write (bench append, bench import) want a fresh store: what they write
// stays in the log forever (RequireFreshStoreForBench).
#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <thread>

#include "core/threads.h"
#include "events/schema/payloads_generated.h"
#include "events/verifier.h"
#include "tools/commands.h"

namespace backpack {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A note of realistic size about one of 1,000 synthetic students.
NewEvent SyntheticNote(uint64_t n, uint32_t worker) {
  static const char* kSentences[] = {
      "Met with the student after class to review the reading log. ",
      "Progress on fractions is steady; will check in again next week. ",
      "Student asked for extra practice problems and completed them all. ",
      "Discussed goals for the term and agreed on a weekly check-in. ",
  };
  std::string text;
  for (int i = 0; i < 4; ++i) text += kSentences[(n + i) % 4];
  flatbuffers::FlatBufferBuilder fbb(512);
  auto note = fb::CreateNoteWrittenPayloadDirect(fbb, ("note_bench_" + std::to_string(n)).c_str(),
                                                 "other", text.c_str(), false);
  fbb.Finish(note);
  NewEvent e;
  e.type = EventType::NoteWritten;
  e.actor_id = "usr_bench_" + std::to_string(worker % 40);
  e.subject_id = "stu_bench_" + std::to_string((n * 7919) % 1000);
  e.request_id = "bench-" + std::to_string(n);
  e.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return e;
}

struct AppendFigures {
  uint64_t events = 0;
  uint64_t failures = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

// One submitting thread's share of the appends in flight. Completions run on
// the log's syncer thread and only free a slot, so they never block it.
struct Submitter {
  std::mutex mu;
  std::condition_variable slot_freed;
  int free_slots = 0;                // guarded by mu
  int in_flight = 0;                 // guarded by mu
  uint64_t failures = 0;             // guarded by mu
  std::vector<double> latencies_ms;  // guarded by mu
};

// Keeps `concurrency` appends in flight until `events` are durable, the way
// the HTTP server drives the log: a few threads (one per core) submit with
// AppendAsync and refill each slot as soon as its append is acknowledged.
AppendFigures RunAppends(EventLog& log, uint64_t events, int concurrency) {
  int threads = std::max(1, std::min<int>(concurrency, std::thread::hardware_concurrency()));
  std::vector<Submitter> submitters(threads);
  for (int i = 0; i < concurrency; ++i) submitters[i % threads].free_slots++;
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> workers;
  auto start = Clock::now();
  auto submit = [&](size_t w) {
    Submitter& me = submitters[w];
    std::unique_lock lock(me.mu);
    while (true) {
      me.slot_freed.wait(lock, [&] { return me.free_slots > 0 || next >= events; });
      if (next >= events) break;
      me.free_slots--;
      me.in_flight++;
      lock.unlock();
      uint64_t n = next++;
      if (n >= events) {
        lock.lock();
        me.free_slots++;
        me.in_flight--;
        break;
      }
      auto began = Clock::now();
      log.AppendAsync({SyntheticNote(n, static_cast<uint32_t>(w))},
                      [&me, began](Result<AppendResult> r) {
                        std::lock_guard done(me.mu);
                        if (!r) me.failures++;
                        me.latencies_ms.push_back(SecondsSince(began) * 1000);
                        me.free_slots++;
                        me.in_flight--;
                        me.slot_freed.notify_one();
                      });
      lock.lock();
    }
    me.slot_freed.wait(lock, [&] { return me.in_flight == 0; });
  };
  // If a worker cannot be started, those running find nothing left to submit.
  auto stop = [&](size_t) {
    next = events;
    for (auto& s : submitters) {
      std::lock_guard lock(s.mu);
      s.slot_freed.notify_all();
    }
  };
  StartThreads(workers, static_cast<size_t>(threads), submit, stop);
  for (auto& t : workers) t.join();
  AppendFigures figures;
  figures.seconds = SecondsSince(start);
  figures.events = events;
  for (auto& s : submitters) {
    figures.failures += s.failures;
    figures.latencies_ms.insert(figures.latencies_ms.end(), s.latencies_ms.begin(),
                                s.latencies_ms.end());
  }
  std::sort(figures.latencies_ms.begin(), figures.latencies_ms.end());
  return figures;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

// The machine's Ed25519 signing ceiling: signatures per second with the
// store's key on every core at once, nothing else running (the baseline the
// append rate is judged against, measured in the same run).
double SigningCeiling(const SigningKey& key) {
  const int threads = std::max(1u, std::thread::hardware_concurrency());
  constexpr int kPerThread = 50'000;  // about a second
  std::vector<std::thread> signers;
  auto start = Clock::now();
  auto sign = [&key](size_t t) {
    Hash256 hash{};
    hash[0] = static_cast<uint8_t>(t);
    for (int i = 0; i < kPerThread; ++i) {
      hash[1] = static_cast<uint8_t>(i);
      auto signature = key.Sign(hash);
      hash[2] ^= signature[0];
    }
  };
  StartThreads(signers, static_cast<size_t>(threads), sign, [](size_t) {});  // each ends by itself
  for (auto& t : signers) t.join();
  return threads * kPerThread / SecondsSince(start);
}

struct BenchAppendOptions {
  uint64_t events = 200000;
  int concurrency = 64;
  bool into_existing_store = false;
};

void RunBenchAppend(const GlobalOptions& global, const BenchAppendOptions& options,
                    int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  if (Status fresh = RequireFreshStoreForBench(*app, "bench append", options.into_existing_store);
      !fresh.ok()) {
    *exit_code = Fail(fresh);
    return;
  }
  const uint64_t events = options.events;
  const int concurrency = options.concurrency;
  double ceiling = SigningCeiling(app->keys().signing);
  EventLogStats before = app->log().stats();
  const double cpu_before = ProcessCpuSeconds();
  AppendFigures f = RunAppends(app->log(), events, concurrency);
  const double cpu_seconds = ProcessCpuSeconds() - cpu_before;
  EventLogStats after = app->log().stats();
  uint64_t groups = after.groups_committed - before.groups_committed;
  uint64_t syncs = after.syncs - before.syncs;
  std::cout << "bench append: " << f.events << " events, concurrency " << concurrency << "\n"
            << "seconds: " << f.seconds << "\n"
            << "failures: " << f.failures << "\n"
            << "commit groups: " << groups << " (mean " << (groups ? double(f.events) / groups : 0)
            << " events)\n"
            << "fsyncs: " << syncs << " (mean "
            << (syncs ? (after.sync_write_micros_total - before.sync_write_micros_total) / 1000.0 /
                            syncs
                      : 0)
            << " ms, longest " << after.sync_write_micros_max / 1000.0 << " ms)\n"
            << "append latency ms p50: " << Percentile(f.latencies_ms, 0.5)
            << " p99: " << Percentile(f.latencies_ms, 0.99) << "\n"
            << "signing ceiling (" << std::thread::hardware_concurrency()
            << " cores, signatures only): " << static_cast<uint64_t>(ceiling) << "/s\n"
            << "share of the signing ceiling: " << std::fixed << std::setprecision(1)
            << 100.0 * f.events / f.seconds / ceiling << "%\n"
            << "cpu_us_per_event: " << std::setprecision(1) << cpu_seconds * 1e6 / f.events
            << " (submitting threads included)\n"
            << "events_per_second: " << static_cast<uint64_t>(f.events / f.seconds) << "\n";
  if (f.failures) *exit_code = kExitStoreError;
}

void RunBenchVerify(const GlobalOptions& global, int* exit_code) {
  auto start = Clock::now();
  auto report = VerifyDataDir(global);
  double seconds = SecondsSince(start);
  if (!report) {
    *exit_code = Fail(report.error());
    return;
  }
  std::cout << "bench verify: " << report->events << " events, "
            << (report->ok ? "verified" : "TAMPERED") << "\n"
            << "seconds: " << seconds << "\n"
            << "events_per_second: " << static_cast<uint64_t>(report->events / seconds) << "\n";
  if (!report->ok) *exit_code = kExitRefused;
}

}  // namespace

Status RequireFreshStoreForBench(App& app, std::string_view command, bool into_existing_store) {
  const uint64_t held = app.log().size();
  if (held == 0 || into_existing_store) return OkStatus();
  return FailedPreconditionError(
      std::string(command) + " writes synthetic events that can never be removed, and this " +
      "store's log already holds " + std::to_string(held) +
      " events: run it on a fresh store (backpack --data NEW_DIR init), or give " +
      "--into-existing-store");
}

void AddBenchCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* bench = cli.add_subcommand("bench", "benchmarks on the store at --data");
  bench->require_subcommand(1);

  auto* append = bench->add_subcommand("append", "durable appends through the real writer");
  static BenchAppendOptions options;
  append->add_option("--events", options.events, "events to append")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}));
  append->add_option("--concurrency", options.concurrency, "concurrent appenders")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  append->add_flag("--into-existing-store", options.into_existing_store,
                   "append to a store whose log holds events already (they stay forever)");
  append->callback([&global, exit_code] { RunBenchAppend(global, options, exit_code); });

  bench->add_subcommand("verify", "full verification of the log")->callback([&global, exit_code] {
    RunBenchVerify(global, exit_code);
  });
}

}  // namespace backpack
