#ifndef RETURNPATH_TOOLS_RETURNPATHD_STORE_SETUP_H_
#define RETURNPATH_TOOLS_RETURNPATHD_STORE_SETUP_H_

// How the daemon's store reaches the disk, chosen at link time: returnpathd
// links store_setup_plain.cc (the operating system's file system, nothing
// else); returnpathd_faulty, a test-only build for tools/crashtest, links
// store_setup_faulty.cc (simulated power loss on SIGUSR1, and its own flags).

#include "absl/status/status.h"
#include "engine/event_store.h"

namespace returnpath::tools {

// Called once, before the store opens.
absl::Status SetUpStoreFileSystem(engine::StoreOptions& options);

}  // namespace returnpath::tools

#endif  // RETURNPATH_TOOLS_RETURNPATHD_STORE_SETUP_H_
