// One HTTP/1.1 connection: reads requests within the server's limits, hands
// each to its route's handler and writes the response. Internal to http/.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http/internal/server_state.h"

namespace backpack::http::internal {

// Starts serving `socket` from `client_ip` (its peer's address, "" if
// unknown), whose executor must be a strand of state->ioc. The session
// keeps itself alive through its pending operations and drops the
// connection (unregistered) if the tracker refuses it.
void StartSession(boost::asio::ip::tcp::socket socket, std::string client_ip,
                  std::shared_ptr<ServerState> state);

}  // namespace backpack::http::internal
