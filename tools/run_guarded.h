// The `backpack` command's outermost frame: what an exception that escapes a
// command (std::bad_alloc in `verify`, a bug) becomes.
#pragma once

#include <functional>
#include <ostream>

#include "tools/exit_codes.h"

namespace backpack {

// Runs `command` and returns its exit code. An exception escaping it is
// reported on `err` as one line naming only its type (CaughtError: its
// message may quote personal data) and gives kExitStoreError, instead of
// ending the process with std::terminate.
int RunGuarded(const std::function<int()>& command, std::ostream& err);

}  // namespace backpack
