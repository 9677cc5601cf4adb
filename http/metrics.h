// A small metrics registry with Prometheus text exposition (format 0.0.4).
//
// Any module may register counters, gauges and histograms (HTTP requests,
// commit group size, fsync latency, events appended, ...). Look a metric up
// once and keep the reference: updates are lock-free atomics.
//
// Thread-safety: every method of every class here is safe to call
// concurrently. Lifetime: references returned by Metrics stay valid until the
// Metrics object is destroyed.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace backpack::http {

// Label name/value pairs, e.g. {{"route", "/api/feed"}, {"status", "200"}}.
// Label values must never hold personal data or raw request paths.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count.
class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into buckets with fixed upper bounds (plus +Inf).
class Histogram {
 public:
  // `upper_bounds` must be sorted ascending; it is sorted if not.
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Non-cumulative count of bucket `i`; i == upper_bounds().size() is +Inf.
  uint64_t bucket_count(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Seconds, 0.5 ms to 10 s: fits request latency and fsync latency.
std::vector<double> DefaultLatencyBuckets();

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Each returns the metric `name` with exactly `labels`, creating it on first
  // use; `help` is kept from the first registration of `name`. A name must
  // match [a-zA-Z_:][a-zA-Z0-9_:]* and keep one type; a misuse is logged and
  // gets a working metric that is not exported.
  Counter& GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  // `upper_bounds` is kept from the first registration of `name`.
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const MetricLabels& labels = {},
                          std::vector<double> upper_bounds = DefaultLatencyBuckets());

  // Every exported metric in Prometheus text format, families sorted by name.
  // Serve it with Content-Type kPrometheusContentType.
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<double> upper_bounds;
    // Keyed by rendered labels: `a="x",b="y"`.
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };

  // The family `name` of `type`, or null (and a log line) on misuse.
  // Requires mu_ held.
  Family* FindOrCreateFamily(std::string_view name, std::string_view help, Type type,
                             const MetricLabels& labels);
  void RenderFamily(const std::string& name, const Family& family, std::string* out) const;

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;  // Guarded by mu_.
  // Handed out on misuse so callers always get a usable metric. Guarded by mu_.
  std::vector<std::unique_ptr<Counter>> detached_counters_;
  std::vector<std::unique_ptr<Gauge>> detached_gauges_;
  std::vector<std::unique_ptr<Histogram>> detached_histograms_;
};

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4";

}  // namespace backpack::http
