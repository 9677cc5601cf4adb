// Reading a secret (a password) from stdin without showing it.
#pragma once

#include <string>
#include <string_view>

namespace backpack {

// The first line of stdin, without its line ending ("" at end of input).
// When stdin is a terminal, `prompt` goes to stderr first and the terminal
// does not echo what is typed; its settings are restored before this
// returns, and also when SIGINT, SIGTERM, SIGHUP or SIGQUIT ends the process
// meanwhile. Otherwise (a pipe, a file) nothing is printed. Not thread-safe:
// call from the main thread, once at a time.
std::string ReadSecretLine(std::string_view prompt);

}  // namespace backpack
