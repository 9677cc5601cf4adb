// System routes: /healthz and /metrics (loopback clients only), and the
// public transparency-log routes /api/log/* (anyone; they reveal hashes,
// sizes and the public key, never event contents).
#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <charconv>
#include <cstdlib>
#include <optional>

#include "events/checkpoint.h"
#include "http/api/api.h"
#include "http/api/api_auth.h"
#include "http/api/route.h"

namespace backpack::api {
namespace {

namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;

// True for 127.0.0.0/8 and ::1, also in their IPv4-mapped form.
bool IsLoopback(std::string_view ip) {
  if (ip.starts_with("::ffff:")) ip.remove_prefix(7);
  return ip.starts_with("127.") || ip == "::1";
}

HttpResponse NotLoopback() {
  return http::JsonError(403, "forbidden", "only local clients may read this");
}

EventLog* LogOf(ApiContext& context) { return context.services->log; }

// OK if audited reads can be served: their access events can be made durable.
Status AuditWritable(ApiContext& context) {
  EventLog* log = LogOf(context);
  return log ? log->Writable() : UnavailableError("the log is not open");
}

// 200 while audited reads can be served; 503, saying why, while every one
// of them would fail (SPEC §2.3), so that a load balancer stops sending them.
HttpResponse Healthz(ApiContext& context, const HttpRequest& request) {
  if (!IsLoopback(request.client_ip)) return NotLoopback();
  const Status writable = AuditWritable(context);
  json::object body;
  body["status"] = writable.ok() ? "ok" : "failing";
  body["audit"] = writable.ok() ? "available" : "unavailable";
  if (!writable.ok()) body["reason"] = writable.message();
  const uint64_t size = LogOf(context) ? LogOf(context)->size() : 0;
  if (size == 0) {
    body["last_seq"] = nullptr;
  } else {
    body["last_seq"] = size - 1;
  }
  return http::JsonResponse(writable.ok() ? 200 : 503, body);
}

void AppendMetric(std::string* out, std::string_view name, std::string_view type,
                  std::string_view help, double value) {
  *out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  *out += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
  char number[64];
  auto [end, ec] = std::to_chars(number, number + sizeof(number), value);
  *out += std::string(name) + " " + (ec == std::errc() ? std::string(number, end) : "NaN") + "\n";
}

// The event log's figures (EventLog::stats).
void AppendLogMetrics(std::string* out, const EventLog& log) {
  const EventLogStats stats = log.stats();
  AppendMetric(out, "backpack_log_events", "gauge", "Events in the log.",
               static_cast<double>(log.size()));
  AppendMetric(out, "backpack_log_events_appended_total", "counter",
               "Events appended since the server started.",
               static_cast<double>(stats.events_appended));
  AppendMetric(out, "backpack_log_commit_groups_total", "counter", "Commit groups written durably.",
               static_cast<double>(stats.groups_committed));
  AppendMetric(out, "backpack_log_commit_groups_failed_total", "counter",
               "Commit groups whose write failed.", static_cast<double>(stats.groups_failed));
  AppendMetric(out, "backpack_log_last_group_events", "gauge",
               "Events in the most recent commit group.",
               static_cast<double>(stats.last_group_events));
  AppendMetric(out, "backpack_log_syncs_total", "counter",
               "fsyncs of the write-ahead log; each makes one or more commit groups durable.",
               static_cast<double>(stats.syncs));
  AppendMetric(out, "backpack_log_sync_seconds_total", "counter",
               "Time spent in those fsyncs; divide by backpack_log_syncs_total for the "
               "mean fsync latency.",
               static_cast<double>(stats.sync_write_micros_total) / 1e6);
  AppendMetric(out, "backpack_log_sync_seconds_max", "gauge",
               "The longest of those fsyncs (a stalled disk shows here first).",
               static_cast<double>(stats.sync_write_micros_max) / 1e6);
}

// The event log's and the sign-in state's figures, appended to the
// registry's own exposition.
std::string ServerStateMetrics(ApiContext& context) {
  std::string out;
  if (EventLog* log = LogOf(context)) AppendLogMetrics(&out, *log);
  AppendMetric(&out, "backpack_audit_available", "gauge",
               "1 while access events can be made durable (audited reads are served), else 0.",
               AuditWritable(context).ok() ? 1 : 0);
  Store* store = context.services->store;
  if (auto free_bytes = store ? store->FreeBytes() : std::nullopt) {
    AppendMetric(&out, "backpack_store_free_bytes", "gauge",
                 "Free bytes on the store's filesystem (writes are refused below a guard).",
                 static_cast<double>(*free_bytes));
  }
  if (context.sessions) {
    AppendMetric(&out, "backpack_sessions_active", "gauge", "Live sign-in sessions.",
                 static_cast<double>(context.sessions->size()));
  }
  if (context.blocking) {
    AppendMetric(&out, "backpack_blocking_pool_queued", "gauge",
                 "Tasks waiting for a blocking-pool thread.",
                 static_cast<double>(context.blocking->queued()));
  }
  return out;
}

HttpResponse MetricsText(ApiContext& context, const HttpRequest& request) {
  if (!IsLoopback(request.client_ip)) return NotLoopback();
  HttpResponse response;
  response.content_type = std::string(http::kPrometheusContentType);
  if (context.metrics) response.body = context.metrics->RenderPrometheus();
  response.body += ServerStateMetrics(context);
  return response;
}

HttpResponse NoLog() { return http::JsonError(503, "audit_unavailable", "the log is not open"); }

// A decimal uint64 query parameter; nullopt if missing or not exactly that.
std::optional<uint64_t> NumberParam(const HttpRequest& request, std::string_view key) {
  auto text = request.QueryValue(key);
  if (!text || text->empty() || text->size() > 20) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

HttpResponse HashesResponse(const Result<std::vector<Hash256>>& proof) {
  if (!proof) {
    if (proof.error().code() == StatusCode::kInvalidArgument) {
      return http::ErrorResponse(proof.error());
    }
    spdlog::error("log proof failed: {}", proof.error().ToString());
    return http::JsonError(500, "internal", "the proof could not be computed");
  }
  json::array hashes;
  for (const Hash256& hash : *proof) hashes.emplace_back(ToHex(hash));
  json::object body;
  body["hashes"] = std::move(hashes);
  return http::JsonResponse(200, body);
}

HttpResponse InclusionProof(ApiContext& context, const HttpRequest& request) {
  EventLog* log = LogOf(context);
  if (!log) return NoLog();
  auto seq = NumberParam(request, "seq");
  auto size = NumberParam(request, "size");
  if (!seq || !size) {
    return http::JsonError(400, "bad_request", "seq and size must be non-negative integers");
  }
  if (*size == 0 || *seq >= *size || *size > log->size()) {
    return http::JsonError(400, "bad_request", "need seq < size <= " + std::to_string(log->size()));
  }
  return HashesResponse(log->InclusionProof(*seq, *size));
}

HttpResponse ConsistencyProof(ApiContext& context, const HttpRequest& request) {
  EventLog* log = LogOf(context);
  if (!log) return NoLog();
  auto from = NumberParam(request, "from");
  auto to = NumberParam(request, "to");
  if (!from || !to) {
    return http::JsonError(400, "bad_request", "from and to must be non-negative integers");
  }
  if (*from == 0 || *from > *to || *to > log->size()) {
    return http::JsonError(400, "bad_request",
                           "need 0 < from <= to <= " + std::to_string(log->size()));
  }
  return HashesResponse(log->ConsistencyProof(*from, *to));
}

HttpResponse PublicKey(ApiContext& context, const HttpRequest&) {
  EventLog* log = LogOf(context);
  if (!log) return NoLog();
  json::object body;
  body["algorithm"] = "ed25519";
  body["public_key"] = ToHex(log->public_key());
  body["origin"] = log->origin();
  body["key_name"] = log->origin();
  body["verifier_key"] = NoteVerifierKey(log->origin(), log->public_key());
  return http::JsonResponse(200, body);
}

HttpResponse CheckpointText(const Result<std::string>& note) {
  if (!note) {
    spdlog::error("reading the checkpoint failed: {}", note.error().ToString());
    return http::JsonError(503, "audit_unavailable", "no checkpoint is available");
  }
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = *note;
  return response;
}

// Serves the newest checkpoint; if none was written yet, writes one on the
// blocking pool first (a durable write).
void Checkpoint(ApiContext& context, const HttpRequest&, http::Responder respond) {
  EventLog* log = LogOf(context);
  if (!log) return respond(NoLog());
  Result<std::string> note = log->LatestCheckpoint();
  if (note || note.error().code() != StatusCode::kNotFound) return respond(CheckpointText(note));
  bool queued = context.blocking->Submit([log, respond] {
    Status written = log->WriteCheckpoint();
    if (!written.ok()) return respond(CheckpointText(Err(written)));
    respond(CheckpointText(log->LatestCheckpoint()));
  });
  if (!queued) respond(ServerBusy());
}

using SyncRoute = HttpResponse (*)(ApiContext&, const HttpRequest&);

void AddSync(http::Router& router, ApiContext& context, std::string_view pattern, SyncRoute route) {
  Status added = router.Add(
      "GET", pattern,
      http::Sync([&context, route](const HttpRequest& request, const http::RouteParams&) {
        return route(context, request);
      }));
  if (!added.ok()) {  // a programming error, found at startup
    spdlog::critical("cannot register GET {}: {}", pattern, added.message());
    std::abort();
  }
}

}  // namespace

void RegisterSystemRoutes(http::Router& router, ApiContext& context) {
  AddSync(router, context, "/healthz", Healthz);
  AddSync(router, context, "/metrics", MetricsText);
  AddSync(router, context, "/api/log/proof/inclusion", InclusionProof);
  AddSync(router, context, "/api/log/proof/consistency", ConsistencyProof);
  AddSync(router, context, "/api/log/public-key", PublicKey);
  Status added = router.Add(
      "GET", "/api/log/checkpoint",
      [&context](const HttpRequest& request, const http::RouteParams&, http::Responder respond) {
        Checkpoint(context, request, std::move(respond));
      });
  if (!added.ok()) {
    spdlog::critical("cannot register GET /api/log/checkpoint: {}", added.message());
    std::abort();
  }
}

}  // namespace backpack::api
