// The `backpack` command's exit codes (SPEC §5).
#pragma once

namespace backpack {

enum ExitCode : int {
  kExitOk = 0,
  kExitRefused = 1,  // verification failed or request refused
  kExitUsage = 2,
  kExitStoreError = 3,
};

}  // namespace backpack
