#include "http/metrics.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace backpack::http {
namespace {

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

// Escapes a label value or help text per the exposition format.
std::string Escape(std::string_view text, bool quote_too) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote_too) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// `a="x",b="y"` in the caller's order.
std::string RenderLabels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out.push_back(',');
    out += name + "=\"" + Escape(value, true) + "\"";
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  return fmt::format("{}", value);
}

// "name{labels} value\n", omitting empty braces.
void AppendSample(std::string* out, std::string_view name, const std::string& labels,
                  const std::string& value) {
  out->append(name);
  if (!labels.empty()) *out += "{" + labels + "}";
  *out += " " + value + "\n";
}

std::string WithLabel(const std::string& labels, std::string_view name, const std::string& value) {
  std::string extra = std::string(name) + "=\"" + value + "\"";
  return labels.empty() ? extra : labels + "," + extra;
}

constexpr std::string_view TypeName(int type) {
  constexpr std::string_view kNames[] = {"counter", "gauge", "histogram"};
  return kNames[type];
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds) : upper_bounds_(std::move(upper_bounds)) {
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(upper_bounds_.size() + 1);
}

void Histogram::Observe(double value) {
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Metrics::Family* Metrics::FindOrCreateFamily(std::string_view name, std::string_view help,
                                             Type type, const MetricLabels& labels) {
  bool labels_ok = std::all_of(labels.begin(), labels.end(), [](const auto& label) {
    return IsValidName(label.first, false) && label.first != "le";
  });
  if (!IsValidName(name, true) || !labels_ok) {
    spdlog::error("metrics: invalid metric or label name for '{}'", name);
    return nullptr;
  }
  Family fresh;
  fresh.type = type;
  fresh.help = std::string(help);
  auto [it, inserted] = families_.try_emplace(std::string(name), std::move(fresh));
  if (!inserted && it->second.type != type) {
    spdlog::error("metrics: '{}' is already registered as a {}", name,
                  TypeName(static_cast<int>(it->second.type)));
    return nullptr;
  }
  return &it->second;
}

Counter& Metrics::GetCounter(std::string_view name, std::string_view help,
                             const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Family* family = FindOrCreateFamily(name, help, Type::kCounter, labels);
  if (family == nullptr) return *detached_counters_.emplace_back(std::make_unique<Counter>());
  auto& slot = family->counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Metrics::GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Family* family = FindOrCreateFamily(name, help, Type::kGauge, labels);
  if (family == nullptr) return *detached_gauges_.emplace_back(std::make_unique<Gauge>());
  auto& slot = family->gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Metrics::GetHistogram(std::string_view name, std::string_view help,
                                 const MetricLabels& labels, std::vector<double> upper_bounds) {
  std::lock_guard lock(mu_);
  Family* family = FindOrCreateFamily(name, help, Type::kHistogram, labels);
  if (family == nullptr) {
    return *detached_histograms_.emplace_back(std::make_unique<Histogram>(upper_bounds));
  }
  if (family->histograms.empty() && family->upper_bounds.empty()) {
    family->upper_bounds = std::move(upper_bounds);
  }
  auto& slot = family->histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(family->upper_bounds);
  return *slot;
}

void Metrics::RenderFamily(const std::string& name, const Family& family, std::string* out) const {
  *out += "# HELP " + name + " " + Escape(family.help, false) + "\n";
  *out += "# TYPE " + name + " " + std::string(TypeName(static_cast<int>(family.type))) + "\n";
  for (const auto& [labels, counter] : family.counters) {
    AppendSample(out, name, labels, std::to_string(counter->value()));
  }
  for (const auto& [labels, gauge] : family.gauges) {
    AppendSample(out, name, labels, FormatValue(gauge->value()));
  }
  for (const auto& [labels, histogram] : family.histograms) {
    uint64_t cumulative = 0;
    const std::vector<double>& bounds = histogram->upper_bounds();
    for (size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += histogram->bucket_count(i);
      const double bound = i < bounds.size() ? bounds[i] : INFINITY;
      AppendSample(out, name + "_bucket", WithLabel(labels, "le", FormatValue(bound)),
                   std::to_string(cumulative));
    }
    AppendSample(out, name + "_sum", labels, FormatValue(histogram->sum()));
    // The +Inf total, so _count always equals the last bucket.
    AppendSample(out, name + "_count", labels, std::to_string(cumulative));
  }
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) RenderFamily(name, family, &out);
  return out;
}

}  // namespace backpack::http
