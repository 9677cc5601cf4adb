#include "tools/run_guarded.h"

#include "core/status.h"

namespace backpack {

int RunGuarded(const std::function<int()>& command, std::ostream& err) {
  try {
    return command();
  } catch (...) {
    err << "backpack: " << CaughtError("the command").ToString() << "\n";
    return kExitStoreError;
  }
}

}  // namespace backpack
