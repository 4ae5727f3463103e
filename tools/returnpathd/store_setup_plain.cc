#include "tools/returnpathd/store_setup.h"

namespace returnpath::tools {

absl::Status SetUpStoreFileSystem(engine::StoreOptions& /*options*/) {
  return absl::OkStatus();
}

}  // namespace returnpath::tools
