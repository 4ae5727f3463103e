#ifndef RETURNPATH_ENGINE_DIGEST_H_
#define RETURNPATH_ENGINE_DIGEST_H_

#include <string>

#include "absl/strings/string_view.h"

namespace returnpath::engine {

// SHA-256(bytes), 32 raw bytes: the hash the event chain is made of, for
// whatever else must be digested the same way (token digests).
std::string Sha256(absl::string_view bytes);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_DIGEST_H_
