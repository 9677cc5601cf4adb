#include "tools/secret_input.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace backpack {
namespace {

constexpr int kEndingSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// The terminal's settings before echo was turned off, for the signal handler.
termios saved_terminal;

// Puts the terminal back, then lets the signal end the process as it would
// have (the handler is reset to the default on entry: SA_RESETHAND).
void RestoreTerminalAndDie(int signal_number) {
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
  ::raise(signal_number);
}

// Turns the terminal's echo off for its lifetime; restores the settings and
// the signal handlers it replaced on destruction.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
    struct sigaction action {};
    action.sa_handler = RestoreTerminalAndDie;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kEndingSignals); ++i) {
      ::sigaction(kEndingSignals[i], &action, &previous_[i]);
    }
    termios quiet = saved_terminal;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    if (!active_) RestoreHandlers();
  }
  ~EchoOff() {
    if (!active_) return;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
    RestoreHandlers();
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  void RestoreHandlers() {
    for (size_t i = 0; i < std::size(kEndingSignals); ++i) {
      ::sigaction(kEndingSignals[i], &previous_[i], nullptr);
    }
  }
  struct sigaction previous_[std::size(kEndingSignals)]{};
  bool active_ = false;
};

std::string ReadLine() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::string ReadSecretLine(std::string_view prompt) {
  if (!::isatty(STDIN_FILENO)) return ReadLine();
  std::string line;
  {
    EchoOff echo_off;  // before the prompt: nothing typed after it is shown
    std::cerr << prompt << std::flush;
    line = ReadLine();
  }
  std::cerr << "\n";  // the Enter key's newline was not echoed either
  return line;
}

}  // namespace backpack
