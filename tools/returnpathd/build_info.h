#ifndef RETURNPATH_TOOLS_RETURNPATHD_BUILD_INFO_H_
#define RETURNPATH_TOOLS_RETURNPATHD_BUILD_INFO_H_

// What this binary was built from: written at build time by
// cmake/build_info.cmake.

namespace returnpath::tools {

extern const char kVersion[];    // the project's version, "0.9.0"
extern const char kCommit[];     // git describe: "cf71d41a2b3c" or "...-dirty"
extern const char kBuildType[];  // CMAKE_BUILD_TYPE: "RelWithDebInfo"

}  // namespace returnpath::tools

#endif  // RETURNPATH_TOOLS_RETURNPATHD_BUILD_INFO_H_
