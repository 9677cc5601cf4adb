// bench append / bench verify: benchmarks on the store at --data.
// Each prints its figures and ends with `events_per_second: N`.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include <flatbuffers/flatbuffers.h>

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

AppendFigures RunAppends(EventLog& log, uint64_t events, int concurrency) {
  std::atomic<uint64_t> next{0}, failures{0};
  std::vector<std::vector<double>> latencies(concurrency);
  std::vector<std::thread> workers;
  auto start = Clock::now();
  for (int w = 0; w < concurrency; ++w) {
    workers.emplace_back([&, w] {
      for (uint64_t n = next++; n < events; n = next++) {
        auto began = Clock::now();
        if (!log.Append({SyntheticNote(n, w)})) failures++;
        latencies[w].push_back(SecondsSince(began) * 1000);
      }
    });
  }
  for (auto& t : workers) t.join();
  AppendFigures figures;
  figures.seconds = SecondsSince(start);
  figures.events = events;
  figures.failures = failures;
  for (auto& l : latencies) figures.latencies_ms.insert(figures.latencies_ms.end(), l.begin(), l.end());
  std::sort(figures.latencies_ms.begin(), figures.latencies_ms.end());
  return figures;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

void RunBenchAppend(const GlobalOptions& global, uint64_t events, int concurrency,
                    int* exit_code) {
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  EventLogStats before = app->log().stats();
  AppendFigures f = RunAppends(app->log(), events, concurrency);
  EventLogStats after = app->log().stats();
  uint64_t groups = after.groups_committed - before.groups_committed;
  uint64_t syncs = after.syncs - before.syncs;
  std::cout << "bench append: " << f.events << " events, concurrency " << concurrency << "\n"
            << "seconds: " << f.seconds << "\n"
            << "failures: " << f.failures << "\n"
            << "commit groups: " << groups << " (mean " << (groups ? double(f.events) / groups : 0)
            << " events)\n"
            << "fsyncs: " << syncs << " (mean "
            << (syncs ? (after.sync_write_micros_total - before.sync_write_micros_total) / 1000.0 / syncs : 0)
            << " ms)\n"
            << "append latency ms p50: " << Percentile(f.latencies_ms, 0.5)
            << " p99: " << Percentile(f.latencies_ms, 0.99) << "\n"
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

void AddBenchCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  auto* bench = cli.add_subcommand("bench", "benchmarks on the store at --data");
  bench->require_subcommand(1);

  auto* append = bench->add_subcommand("append", "durable appends through the real writer");
  static uint64_t events = 200000;
  static int concurrency = 64;
  append->add_option("--events", events, "events to append")->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}));
  append->add_option("--concurrency", concurrency, "concurrent appenders")->capture_default_str()
      ->check(CLI::Range(1, 4096));
  append->callback([&global, exit_code] { RunBenchAppend(global, events, concurrency, exit_code); });

  bench->add_subcommand("verify", "full verification of the log")
      ->callback([&global, exit_code] { RunBenchVerify(global, exit_code); });
}

}  // namespace backpack
