// The session only reads, writes and times out (see Beast's advanced server);
// routing and handling happen in Router and the handlers.
//
// Threading: every member function except Shutdown() and the Responder runs
// on the connection's strand. One request is handled at a time; the next is
// not read until the response is written.
#include "http/internal/session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "http/client_address.h"
#include "http/internal/session_rules.h"

namespace backpack::http::internal {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t kIdleReadChunk = 1024;
// What the read buffer may hold beyond a full header: body bytes on their way
// into the body, or one chunk-size line, extension or trailer. A longer one
// fails the read (400) instead of growing memory without bound.
constexpr std::size_t kMaxBufferedBodyBytes = 64 * 1024;
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
constexpr std::chrono::seconds kLingerTimeout{1};

// Errors after which the peer is gone, too slow or shut down: close without a
// reply. Parse errors (the HTTP category) get a reply instead.
bool IsQuietClose(const beast::error_code& ec) {
  const auto& http_category = make_error_code(bhttp::error::bad_method).category();
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec.category() != http_category;
}

// Converts a handler's response; see HttpResponse for the added fields.
std::unique_ptr<bhttp::response<bhttp::string_body>> ToBeastResponse(HttpResponse response,
                                                                     std::string_view request_id,
                                                                     bool keep_alive) {
  auto out = std::make_unique<bhttp::response<bhttp::string_body>>();
  out->version(11);
  const bool valid_status = response.status >= 200 && response.status <= 599;
  out->result(static_cast<unsigned>(valid_status ? response.status : 500));
  if (!response.content_type.empty() &&
      IsAllowedResponseField("Content-Type", response.content_type)) {
    out->set(bhttp::field::content_type, response.content_type);
  }
  out->set("X-Request-Id", request_id);
  out->set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers) {
    if (!IsAllowedResponseField(name, value)) {
      spdlog::error("http: dropped a response header field the handler may not set");
      continue;
    }
    out->insert(name, value);
  }
  if (out->find(bhttp::field::cache_control) == out->end()) {
    out->set(bhttp::field::cache_control, "no-store");
  }
  out->keep_alive(keep_alive);
  const unsigned status = out->result_int();
  if (status != 204 && status != 304) out->body() = std::move(response.body);
  out->prepare_payload();
  return out;
}

std::optional<HttpResponse> ReplyForReadError(const beast::error_code& ec, std::size_t body_limit) {
  if (ec == bhttp::error::header_limit) {
    return JsonError(431, "bad_request", "request header fields too large");
  }
  if (ec == bhttp::error::body_limit) {
    return JsonError(413, "payload_too_large",
                     "request body exceeds " + std::to_string(body_limit) + " bytes");
  }
  if (IsQuietClose(ec)) return std::nullopt;
  return JsonError(400, "bad_request", "malformed HTTP request");
}

class Session : public Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::string client_ip, std::shared_ptr<ServerState> state)
      : state_(std::move(state)),
        stream_(std::move(socket)),
        buffer_(state_->options.header_limit + kMaxBufferedBodyBytes),
        client_ip_(std::move(client_ip)) {
    state_->open_connections.Add(1);
  }

  ~Session() override {
    if (id_ != 0) state_->tracker.Remove(id_);
    state_->open_connections.Add(-1);
  }

  void Run(uint64_t id) {
    id_ = id;
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::StartRead, shared_from_this()));
  }

  void Shutdown(bool force) override {
    net::post(stream_.get_executor(), [self = shared_from_this(), force] {
      self->stopping_ = true;
      if (force || self->phase_ == Phase::kReading) self->Close();
    });
  }

 private:
  enum class Phase { kReading, kHandling, kWriting, kClosed };

  void StartRead() {
    if (stopping_ || state_->stopping.load()) return Close();
    phase_ = Phase::kReading;
    must_close_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.header_limit));
    body_limit_ = state_->MaxBodyLimit();
    parser_->body_limit(body_limit_);
    if (first_request_ || buffer_.size() > 0) {
      first_request_ = false;
      return ReadHeader();
    }
    // Keep-alive: the idle timeout runs until the first byte, then the
    // header timeout until the header is complete.
    stream_.expires_after(state_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kIdleReadChunk),
                            beast::bind_front_handler(&Session::OnIdleData, shared_from_this()));
  }

  void OnIdleData(beast::error_code ec, std::size_t bytes) {
    if (ec) return Close();
    buffer_.commit(bytes);
    ReadHeader();
  }

  void ReadHeader() {
    stream_.expires_after(state_->options.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return FailRead(ec);
    started_ = std::chrono::steady_clock::now();
    const auto& header = parser_->get();
    if (std::optional<HttpResponse> refusal = TakeHeader(header)) {
      return RespondAndClose(std::move(*refusal));
    }
    match_ = state_->router.Match(request_.method, request_.path);
    const ServerState::BodyLimit limit = state_->BodyLimitFor(request_, match_.pattern);
    body_limit_ = limit.bytes;
    const std::uint64_t declared = parser_->content_length().value_or(0);
    if (declared > body_limit_) {
      // A caller the route's larger limit does not admit: the route answers
      // (and records its refusal, e.g. a wrong role) without the body, which
      // is never read; the connection closes after the answer.
      if (declared <= limit.refused_larger) {
        must_close_ = true;
        return Dispatch();
      }
      return FailRead(bhttp::error::body_limit);
    }
    parser_->body_limit(body_limit_);
    body_deadline_ =
        std::chrono::steady_clock::now() +
        BodyDeadline(state_->options.body_timeout, parser_->content_length().value_or(body_limit_));
    // No interim response to an HTTP/1.0 client (RFC 9110 §15.2).
    if (header.version() >= 11 && beast::iequals(header[bhttp::field::expect], "100-continue")) {
      return SendContinue();
    }
    ReadBody();
  }

  // Fills request_ from `header`; the reply refusing it if it is unacceptable.
  std::optional<HttpResponse> TakeHeader(
      const bhttp::request_parser<bhttp::string_body>::value_type& header) {
    request_ = HttpRequest{};
    request_.method = std::string(header.method_string());
    request_.target = std::string(header.target());
    request_.request_id = state_->NextRequestId();
    for (const auto& field : header) {
      request_.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    if (Status target = ParseTarget(request_.target, &request_.path, &request_.query);
        !target.ok()) {
      return ErrorResponse(target);
    }
    if (std::string problem = FramingProblem(header.version(), request_.headers);
        !problem.empty()) {
      return JsonError(400, "bad_request", problem);
    }
    Result<std::string> client =
        ClientAddress(client_ip_, state_->options.trusted_proxies, request_.headers);
    if (!client) {
      // A misconfigured proxy: say so to the operator (no address, no header value).
      state_->LogRefusedRequest(client.error());
      return ErrorResponse(client.error());
    }
    request_.client_ip = std::move(*client);
    return std::nullopt;
  }

  void SendContinue() {
    continue_ = bhttp::response<bhttp::empty_body>(bhttp::status::continue_, 11);
    stream_.expires_after(state_->options.write_timeout);
    bhttp::async_write(stream_, continue_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    stream_.expires_at(body_deadline_);
    bhttp::async_read_some(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec) return FailRead(ec);
    ReadBody();
  }

  // Answers a request that could not be read, or closes quietly.
  void FailRead(beast::error_code ec) {
    std::optional<HttpResponse> reply = ReplyForReadError(ec, body_limit_);
    if (!reply || phase_ != Phase::kReading) return Close();
    if (request_.request_id.empty()) request_.request_id = state_->NextRequestId();
    if (started_ == std::chrono::steady_clock::time_point{}) {
      started_ = std::chrono::steady_clock::now();
    }
    RespondAndClose(std::move(*reply));
  }

  void RespondAndClose(HttpResponse response) {
    must_close_ = true;
    phase_ = Phase::kHandling;
    Respond(std::move(response));
  }

  void Dispatch() {
    stream_.expires_never();
    phase_ = Phase::kHandling;
    bhttp::request<bhttp::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    request_.body = std::move(message.body());
    if (match_.error) return Respond(std::move(*match_.error));
    Responder respond = MakeOnceResponder([self = shared_from_this()](HttpResponse response) {
      self->state_->PostUnlessStopped(
          self->stream_.get_executor(),
          [self, response = std::move(response)]() mutable { self->Respond(std::move(response)); });
    });
    CallHandler(std::move(respond));
  }

  void CallHandler(Responder respond) {
    try {
      (*match_.handler)(request_, match_.params, std::move(respond));
    } catch (...) {
      // The handler's Responder copies are gone; the last one answers 500.
      // Only the type is logged: the message may quote personal data.
      spdlog::error("{}", CaughtError("http handler for " + std::string(match_.pattern)).message());
    }
  }

  void Respond(HttpResponse response) {
    if (phase_ != Phase::kHandling) return;  // Closed by a forced Shutdown().
    phase_ = Phase::kWriting;
    const bool keep_alive = keep_alive_ && !must_close_ && !stopping_ && !state_->stopping.load();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    state_->RecordRequest(request_.method, match_.pattern, response.status, seconds,
                          request_.request_id, response.log_user_id);
    response_ = ToBeastResponse(std::move(response), request_.request_id, keep_alive);
    // A HEAD reply keeps the Content-Length a GET would have had, without the body.
    if (request_.method == "HEAD") response_->body().clear();
    request_ = HttpRequest{};
    match_ = RouteMatch{};
    started_ = {};
    stream_.expires_after(state_->options.write_timeout);
    bhttp::async_write(
        stream_, *response_,
        beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    response_.reset();
    if (ec) return Close();
    if (must_close_) return LingeringClose();
    if (!keep_alive) return Close();
    StartRead();
  }

  // After an early error reply the client may still be sending a body; reading
  // (and dropping) it for a moment keeps the kernel from resetting the
  // connection before the client has read the reply.
  void LingeringClose() {
    phase_ = Phase::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kMaxLingerBytes) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    phase_ = Phase::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  // Declared first so it is destroyed last: stream_ uses state_->ioc.
  std::shared_ptr<ServerState> state_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  uint64_t id_ = 0;
  std::string client_ip_;  // The TCP peer's address ("" if unknown).
  Phase phase_ = Phase::kReading;
  bool first_request_ = true;
  bool stopping_ = false;    // Set by Shutdown(): no further requests.
  bool must_close_ = false;  // The request was not fully read.
  bool keep_alive_ = false;  // The client allows another request.
  std::size_t body_limit_ = 0;
  std::size_t lingered_ = 0;

  // The request being read or handled.
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpRequest request_;
  RouteMatch match_;
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point body_deadline_{};

  std::unique_ptr<bhttp::response<bhttp::string_body>> response_;
  bhttp::response<bhttp::empty_body> continue_;
};

}  // namespace

void StartSession(tcp::socket socket, std::string client_ip, std::shared_ptr<ServerState> state) {
  auto session = std::make_shared<Session>(std::move(socket), client_ip, state);
  const uint64_t id = state->tracker.Add(session, client_ip);
  // Stopping, or full after all (another accept raced this one): the socket
  // closes with the session.
  if (id == 0) return;
  session->Run(id);
}

}  // namespace backpack::http::internal
