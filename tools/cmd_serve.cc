// serve: the HTTP API over an opened data directory (SPEC §5, §6).
//
// SIGINT and SIGTERM are blocked in every thread from the start (threads
// inherit the mask) and taken with sigwait() by the main thread, so a
// signal that arrives at any moment, even before the server is up, stops
// it cleanly: the server finishes in-flight requests, the blocking pool
// drains, the log answers every pending append (api::StopServing), then the
// App closes the log and writes a final checkpoint.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "http/api/api.h"
#include "http/api/api_auth.h"
#include "http/api/read_limiter.h"
#include "http/client_address.h"
#include "http/server.h"
#include "tools/commands.h"

namespace backpack {
namespace {

// Bounds of --threads and the connection limits: beyond them an operator
// has surely mistyped (a machine with more cores than this still serves).
constexpr int kMaxServeThreads = 256;
constexpr size_t kMaxServeConnections = 1'000'000;

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  int threads = 0;  // not given: one per core
  bool secure_cookie = false;
  size_t max_connections = 1024;
  size_t max_connections_per_client = 0;       // not given: a quarter of max_connections
  std::optional<std::string> trusted_proxies;  // --trusted-proxy as given
  // Hidden, for tests and drills.
  int64_t session_idle_seconds = 30 * 60;
  size_t login_user_limit = 5;      // per username at one address
  size_t login_user_ceiling = 100;  // per username over all addresses
  size_t login_ip_limit = 50;
  int blocking_threads = 0;
};

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Request logs are info lines on stderr (where main sends the log);
// stdout carries only the "listening on" line that scripts read.
void LogRequests() { spdlog::set_level(spdlog::level::info); }

// "http://HOST:PORT" for the bound port (the listen port may be 0).
std::string ListeningUrl(const std::string& listen, uint16_t port) {
  return "http://" + listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
}

// The sign-in state the API shares, owned for the life of the server.
// Lifetime: handlers and the completions of their appends use it, so it may
// only go once the server has stopped, the pools have finished and the log
// has answered every append (api::StopServing); the App, and with it the
// log, outlives it: the SessionStore writes to the App's store until it goes.
struct ApiState {
  ApiState(App& app, const ServeOptions& options, std::unique_ptr<api::SessionStore> kept)
      : sessions(std::move(kept)),
        limiter(SystemClock(), LimitsFor(options)),
        blocking(BlockingThreads(options)),
        login_pool(kLoginThreads, kLoginQueue),
        read_pool(BlockingThreads(options), kReadQueue) {
    context.services = &app.services();
    context.clock = &SystemClock();
    context.metrics = metrics.get();
    context.sessions = sessions.get();
    context.login_limiter = &limiter;
    context.blocking = &blocking;
    context.login_pool = &login_pool;
    context.read_pool = &read_pool;
    context.read_limiter = read_limiter.get();
  }
  static api::SessionOptions SessionOptionsFor(const ServeOptions& options) {
    return api::SessionOptions{options.session_idle_seconds * kMicrosPerSecond,
                               options.secure_cookie};
  }
  static api::LoginLimits LimitsFor(const ServeOptions& options) {
    api::LoginLimits limits;
    limits.max_failures_per_username_and_ip = options.login_user_limit;
    limits.max_failures_per_username = options.login_user_ceiling;
    limits.max_failures_per_ip = options.login_ip_limit;
    return limits;
  }
  // Argon2id takes ~64 MiB per verification: a few threads, not one per request.
  static size_t BlockingThreads(const ServeOptions& options) {
    if (options.blocking_threads > 0) return static_cast<size_t>(options.blocking_threads);
    return std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 8);
  }

  std::shared_ptr<http::Metrics> metrics = std::make_shared<http::Metrics>();
  // Kept in the store (api_auth.h): sessions survive a restart.
  std::unique_ptr<api::SessionStore> sessions;
  api::LoginLimiter limiter;
  api::BlockingPool blocking;
  // Sign-ins beyond the queue get 429 at once; the per-username and
  // per-address limits still apply to those that wait.
  static constexpr size_t kLoginThreads = 2;
  static constexpr size_t kLoginQueue = 64;
  api::BlockingPool login_pool;
  // Reads whose cost grows with the stored data (histories, searches,
  // audit reports, ...): their own threads, so that they hold up neither the
  // I/O threads nor `blocking`'s durable writes, and at most
  // kDefaultReadsPerAccount in progress per account, so that one account
  // cannot fill the queue (429 beyond).
  static constexpr size_t kReadQueue = 256;
  api::BlockingPool read_pool;
  std::shared_ptr<api::ReadLimiter> read_limiter =
      api::ReadLimiter::Create(api::kDefaultReadsPerAccount);
  api::ApiContext context;
};

int Serve(App& app, const ServeOptions& options, std::vector<std::string> trusted_proxies,
          const sigset_t& signals) {
  auto sessions =
      api::SessionStore::Open(app.store(), SystemClock(), ApiState::SessionOptionsFor(options));
  if (!sessions) return Fail(sessions.error());
  ApiState state(app, options, std::move(*sessions));
  http::Router router;
  api::RegisterAllRoutes(router, state.context);
  http::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.threads = options.threads;
  server_options.max_connections = options.max_connections;
  server_options.max_connections_per_client = options.max_connections_per_client;
  server_options.trusted_proxies = std::move(trusted_proxies);
  server_options.route_body_limits = api::RouteBodyLimits(state.context);
  http::HttpServer server(server_options, std::move(router), state.metrics);
  if (Status started = server.Start(); !started.ok()) {
    std::cerr << "backpack: " << started.message() << "\n";
    return started.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitStoreError;
  }
  std::cout << "listening on " << ListeningUrl(options.listen, server.port()) << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received signal {}; stopping", received);
  // `state` goes when this returns, the log only later (app.reset()): no
  // append's completion may be left that uses it.
  api::StopServing(server, state.context);
  return kExitOk;
}

void RunServe(const GlobalOptions& global, const ServeOptions& options, int* exit_code) {
  const sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  LogRequests();
  if (options.session_idle_seconds <= 0 || options.login_user_limit == 0 ||
      options.login_user_ceiling == 0 || options.login_ip_limit == 0) {
    std::cerr << "backpack: session and login limits must be positive\n";
    *exit_code = kExitUsage;
    return;
  }
  if (Status listen = http::CheckListenAddress(options.listen); !listen.ok()) {
    *exit_code = Fail(listen);  // before the store is opened
    return;
  }
  Result<std::vector<std::string>> trusted_proxies = std::vector<std::string>();
  if (options.trusted_proxies) {
    trusted_proxies = http::ParseTrustedProxies(*options.trusted_proxies);
  }
  if (!trusted_proxies) {
    *exit_code = Fail(trusted_proxies.error());
    return;
  }
  auto app = OpenOrReport(global, exit_code);
  if (!app) return;
  *exit_code = Serve(*app, options, std::move(*trusted_proxies), signals);
  app.reset();  // drains the log and writes the final checkpoint
  // kExitOk only after serving: a server that never started did not stop.
  if (*exit_code == kExitOk) spdlog::info("stopped");
}

}  // namespace

void AddServeCommands(CLI::App& cli, const GlobalOptions& global, int* exit_code) {
  static ServeOptions options;
  auto* serve = cli.add_subcommand("serve", "run the HTTP server (SIGINT/SIGTERM stop it)");
  serve->add_option("--listen", options.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve
      ->add_option(
          "--threads", options.threads,
          "I/O threads, 1 to " + std::to_string(kMaxServeThreads) + " (default: one per core)")
      ->check(CLI::Range(1, kMaxServeThreads));
  serve
      ->add_option("--max-connections", options.max_connections,
                   "open connections at most; more are answered 503")
      ->check(CLI::Range(size_t{1}, kMaxServeConnections))
      ->capture_default_str();
  serve
      ->add_option("--max-connections-per-client", options.max_connections_per_client,
                   "open connections from one client address, up to --max-connections "
                   "(default: a quarter of --max-connections); a --trusted-proxy is exempt")
      ->check(CLI::Range(size_t{1}, kMaxServeConnections));
  serve->add_flag("--secure-cookie", options.secure_cookie,
                  "mark the session cookie Secure (when served behind TLS)");
  serve
      ->add_option("--trusted-proxy", options.trusted_proxies,
                   "IP addresses of reverse proxies whose X-Forwarded-For names the client "
                   "(default: none)")
      ->type_name("ADDR[,ADDR...]");
  // Hidden: test hooks.
  serve->add_option("--session-idle-seconds", options.session_idle_seconds)->group("");
  serve->add_option("--login-user-limit", options.login_user_limit)->group("");
  serve->add_option("--login-user-ceiling", options.login_user_ceiling)->group("");
  serve->add_option("--login-ip-limit", options.login_ip_limit)->group("");
  serve->add_option("--blocking-threads", options.blocking_threads)->group("");
  serve->callback([&global, exit_code] { RunServe(global, options, exit_code); });
}

}  // namespace backpack
