// HttpServer and its listener. The listener only accepts; sessions
// (internal/session.cc) do the reading and writing.
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>
#include <mutex>
#include <optional>
#include <thread>

#include "core/crypto.h"
#include "core/threads.h"
#include "http/client_address.h"
#include "http/internal/server_state.h"
#include "http/internal/session.h"

namespace backpack::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using internal::ServerState;

constexpr std::chrono::milliseconds kAcceptErrorBackoff{50};
constexpr std::string_view kBusyBody =
    R"({"error":{"code":"unavailable","message":"too many connections"}})";

const std::string& BusyReply() {
  static const std::string reply =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
      std::to_string(kBusyBody.size()) + "\r\n\r\n" + std::string(kBusyBody);
  return reply;
}

// Accepts connections and hands each to a session. Runs on its own strand.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(std::shared_ptr<ServerState> state, tcp::acceptor acceptor)
      : state_(std::move(state)),
        acceptor_(std::move(acceptor)),
        backoff_(acceptor_.get_executor()) {}

  void Run() { DoAccept(); }

  // Stops accepting. Safe from any thread.
  void Close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
      self->backoff_.cancel();
    });
  }

 private:
  void DoAccept() {
    acceptor_.async_accept(
        net::make_strand(state_->ioc),
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          self->OnAccept(ec, std::move(socket));
        });
  }

  void OnAccept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // E.g. out of file descriptors: back off instead of spinning.
      spdlog::warn("http accept failed: {}", ec.message());
      backoff_.expires_after(kAcceptErrorBackoff);
      backoff_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec && self->acceptor_.is_open()) self->DoAccept();
      });
      return;
    }
    boost::system::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    std::string client_ip = peer_ec ? std::string() : peer.address().to_string();
    if (state_->tracker.Full(client_ip)) {
      RejectBusy(socket);
    } else {
      internal::StartSession(std::move(socket), std::move(client_ip), state_);
    }
    DoAccept();
  }

  // Best effort and non-blocking: a fresh socket's send buffer holds the reply.
  void RejectBusy(tcp::socket& socket) {
    state_->rejected_connections.Increment();
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(net::buffer(BusyReply()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  std::shared_ptr<ServerState> state_;
  tcp::acceptor acceptor_;
  net::steady_timer backoff_;
};

Result<tcp::endpoint> ParseListenAddress(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Err(InvalidArgumentError("listen address must be HOST:PORT, got '" + listen + "'"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
      port_text.empty()) {
    return Err(InvalidArgumentError("bad port in listen address '" + listen + "'"));
  }
  // localhost names the loopback (RFC 6761); its IPv4 address, which the
  // README's examples use, whatever order /etc/hosts lists it in.
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(host, ec);
  if (ec) {
    return Err(InvalidArgumentError("bad host in listen address '" + listen +
                                    "': give an IP address (127.0.0.1, 0.0.0.0, [::1]) or "
                                    "localhost"));
  }
  return tcp::endpoint(address, static_cast<uint16_t>(port));
}

// Opens, binds and listens; errors name the address and the OS reason.
Status OpenAcceptor(tcp::acceptor& acceptor, const tcp::endpoint& endpoint,
                    const std::string& listen) {
  boost::system::error_code ec;
  auto fail = [&](std::string_view what) {
    return UnavailableError("cannot " + std::string(what) + " " + listen + ": " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail("open a socket for");
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) return fail("configure");
  if (acceptor.bind(endpoint, ec); ec) return fail("listen on");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen on");
  return OkStatus();
}

// Resolves the thread count and normalizes the trusted proxies (Start()
// refuses any that is not an IP address).
ServerOptions ResolveOptions(ServerOptions options) {
  if (options.threads <= 0) {
    options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  for (std::string& proxy : options.trusted_proxies) {
    proxy = NormalizeIpAddress(proxy).value_or(proxy);
  }
  return options;
}

Status CheckTrustedProxies(const std::vector<std::string>& proxies) {
  for (const std::string& proxy : proxies) {
    if (!NormalizeIpAddress(proxy)) {
      return InvalidArgumentError("trusted proxy '" + proxy + "' is not an IP address");
    }
  }
  return OkStatus();
}

}  // namespace

struct HttpServer::Impl {
  std::mutex lifecycle_mu;  // Serializes Start() and Stop().
  std::shared_ptr<ServerState> state;
  std::shared_ptr<Listener> listener;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

Status CheckListenAddress(const std::string& listen) {
  auto endpoint = ParseListenAddress(listen);
  return endpoint ? OkStatus() : endpoint.error();
}

HttpServer::HttpServer(ServerOptions options, Router router, std::shared_ptr<Metrics> metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->state = std::make_shared<ServerState>(ResolveOptions(std::move(options)),
                                               std::move(router), std::move(metrics));
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

Metrics& HttpServer::metrics() { return *impl_->state->metrics; }

Status HttpServer::Start() {
  std::lock_guard lock(impl_->lifecycle_mu);
  if (impl_->started) return FailedPreconditionError("HTTP server already started");
  RETURN_IF_ERROR(CryptoInit());  // NewRequestId() draws from libsodium.
  ServerState& state = *impl_->state;
  RETURN_IF_ERROR(CheckTrustedProxies(state.options.trusted_proxies));
  ASSIGN_OR_RETURN(tcp::endpoint endpoint, ParseListenAddress(state.options.listen));
  tcp::acceptor acceptor(net::make_strand(state.ioc));
  RETURN_IF_ERROR(OpenAcceptor(acceptor, endpoint, state.options.listen));
  RETURN_IF_ERROR(StartIoThreads());
  impl_->port = acceptor.local_endpoint().port();
  impl_->started = true;
  impl_->listener = std::make_shared<Listener>(impl_->state, std::move(acceptor));
  impl_->listener->Run();
  spdlog::info("http listening on {} (port {}, {} threads)", state.options.listen, impl_->port,
               state.options.threads);
  return OkStatus();
}

// Before anything is accepted: a thread that cannot be started leaves the
// io_context without work, so the threads already running return, and the
// server as it was before Start (the acceptor closes as it goes out of scope).
Status HttpServer::StartIoThreads() {
  ServerState& state = *impl_->state;
  impl_->work.emplace(state.ioc.get_executor());
  Status started = TryStartThreads(
      "the HTTP server's I/O threads", impl_->threads, static_cast<size_t>(state.options.threads),
      [&state](size_t) { internal::RunIoThread(state.ioc); },
      [this](size_t) { impl_->work.reset(); });
  if (!started.ok()) state.ioc.restart();
  return started;
}

void HttpServer::Stop() {
  std::lock_guard lock(impl_->lifecycle_mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  ServerState& state = *impl_->state;
  state.tracker.Close();
  state.stopping = true;
  impl_->listener->Close();
  for (const auto& connection : state.tracker.Snapshot()) connection->Shutdown(false);
  if (!state.tracker.WaitForEmpty(state.options.stop_timeout)) {
    spdlog::warn("http stop: {} connections still busy after {} ms; closing them",
                 state.tracker.size(), state.options.stop_timeout.count());
    for (const auto& connection : state.tracker.Snapshot()) connection->Shutdown(true);
  }
  // Late responses are dropped from here on, so nothing is queued on the
  // io_context once its threads have drained it.
  state.RefusePosts();
  impl_->work.reset();
  impl_->listener.reset();
  for (std::thread& thread : impl_->threads) thread.join();
  impl_->threads.clear();
  spdlog::info("http server stopped");
}

Status RunUntilSignal(HttpServer& server, std::function<void()> on_stop) {
  net::io_context signal_context(1);
  net::signal_set signals(signal_context);
  boost::system::error_code ec;
  signals.add(SIGINT, ec);
  if (!ec) signals.add(SIGTERM, ec);
  if (ec) return InternalError("cannot install signal handlers: " + ec.message());
  int received = 0;
  signals.async_wait([&received](boost::system::error_code wait_ec, int signal_number) {
    if (!wait_ec) received = signal_number;
  });
  signal_context.run();
  spdlog::info("received signal {}; stopping", received);
  server.Stop();
  if (on_stop) on_stop();
  return OkStatus();
}

}  // namespace backpack::http
