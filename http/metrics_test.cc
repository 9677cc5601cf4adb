#include "http/metrics.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace backpack::http {
namespace {

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST_CASE("counters and gauges render in Prometheus text format") {
  Metrics metrics;
  metrics.GetCounter("backpack_events_appended_total", "Events appended.").Increment(3);
  metrics.GetGauge("backpack_commit_group_size", "Events per commit.", {{"kind", "last"}}).Set(2.5);
  const std::string text = metrics.RenderPrometheus();
  CHECK(Contains(text, "# HELP backpack_events_appended_total Events appended.\n"));
  CHECK(Contains(text, "# TYPE backpack_events_appended_total counter\n"));
  CHECK(Contains(text, "\nbackpack_events_appended_total 3\n"));
  CHECK(Contains(text, "# TYPE backpack_commit_group_size gauge\n"));
  CHECK(Contains(text, "backpack_commit_group_size{kind=\"last\"} 2.5\n"));
  // Families are sorted by name.
  CHECK(text.find("backpack_commit_group_size") < text.find("backpack_events_appended_total"));
}

TEST_CASE("the same name and labels return the same metric") {
  Metrics metrics;
  Counter& a = metrics.GetCounter("requests_total", "h", {{"route", "/x"}});
  Counter& b = metrics.GetCounter("requests_total", "h", {{"route", "/x"}});
  Counter& c = metrics.GetCounter("requests_total", "h", {{"route", "/y"}});
  CHECK(&a == &b);
  CHECK(&a != &c);
}

TEST_CASE("histograms render cumulative buckets with sum and count") {
  Metrics metrics;
  Histogram& h = metrics.GetHistogram("fsync_seconds", "fsync latency.", {{"cf", "log"}}, {0.5, 1});
  h.Observe(0.25);
  h.Observe(0.75);
  h.Observe(0.75);
  h.Observe(4);
  const std::string text = metrics.RenderPrometheus();
  CHECK(Contains(text, "# TYPE fsync_seconds histogram\n"));
  CHECK(Contains(text, "fsync_seconds_bucket{cf=\"log\",le=\"0.5\"} 1\n"));
  CHECK(Contains(text, "fsync_seconds_bucket{cf=\"log\",le=\"1\"} 3\n"));
  CHECK(Contains(text, "fsync_seconds_bucket{cf=\"log\",le=\"+Inf\"} 4\n"));
  CHECK(Contains(text, "fsync_seconds_sum{cf=\"log\"} 5.75\n"));
  CHECK(Contains(text, "fsync_seconds_count{cf=\"log\"} 4\n"));
}

TEST_CASE("label values and help text are escaped") {
  Metrics metrics;
  metrics.GetCounter("odd_total", "line one\nline \\two", {{"v", "a\"b\\c\nd"}}).Increment();
  const std::string text = metrics.RenderPrometheus();
  CHECK(Contains(text, "# HELP odd_total line one\\nline \\\\two\n"));
  CHECK(Contains(text, "odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST_CASE("misused names get a working metric that is not exported") {
  Metrics metrics;
  metrics.GetCounter("shared_name", "h").Increment();
  Gauge& wrong_type = metrics.GetGauge("shared_name", "h");
  wrong_type.Set(7);
  Counter& bad_name = metrics.GetCounter("9starts-with-digit", "h");
  bad_name.Increment();
  Counter& bad_label = metrics.GetCounter("fine_total", "h", {{"le", "x"}});
  bad_label.Increment();
  const std::string text = metrics.RenderPrometheus();
  CHECK(Contains(text, "shared_name 1\n"));
  CHECK_FALSE(Contains(text, "shared_name 7"));
  CHECK_FALSE(Contains(text, "starts-with-digit"));
  CHECK_FALSE(Contains(text, "fine_total"));
}

TEST_CASE("concurrent updates are not lost") {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 10000; ++i) {
        metrics.GetCounter("hits_total", "h", {{"t", "x"}}).Increment();
        metrics.GetHistogram("lat_seconds", "h").Observe(0.001);
        metrics.GetGauge("level", "h").Add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(metrics.GetCounter("hits_total", "h", {{"t", "x"}}).value() == 40000);
  CHECK(metrics.GetHistogram("lat_seconds", "h").count() == 40000);
  CHECK(metrics.GetGauge("level", "h").value() == 40000);
}

}  // namespace
}  // namespace backpack::http
