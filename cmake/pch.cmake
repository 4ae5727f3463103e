# Most of a file's compile time is parsing the same standard, Abseil, protobuf and GoogleTest
# headers (measured: 6.5 of a workflow test's 8.6 CPU seconds). Every target reuses one of two
# precompiled headers instead: rp_pch_test for targets that link GoogleTest, rp_pch_base for the
# rest. Neither holds a header of ours or a generated one, so the build still sees which files
# include engine, domain, RocksDB or gRPC headers. -DRP_PCH=OFF builds without them, which also
# checks that every file includes what it uses.
option(RP_PCH "Reuse precompiled standard, Abseil, protobuf and GoogleTest headers" ON)

set(RP_PCH_BASE_HEADERS
  <algorithm> <atomic> <cstdint> <functional> <map> <memory> <optional> <set> <string>
  <thread> <utility> <vector>
  <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h>
  <absl/strings/str_format.h> <absl/strings/string_view.h> <absl/synchronization/mutex.h>
  <absl/time/time.h>
  <google/protobuf/any.pb.h> <google/protobuf/message.h>)

function(rp_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    rp_collect_targets(${sub} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Called once at the end of the top-level CMakeLists.txt, when every target exists.
function(rp_use_precompiled_headers)
  if(NOT RP_PCH)
    return()
  endif()
  set(anchor ${PROJECT_BINARY_DIR}/rp_pch_anchor.cc)
  file(WRITE ${anchor} "// The translation unit the precompiled headers are built from.\n")
  add_library(rp_pch_base OBJECT ${anchor})
  target_link_libraries(rp_pch_base PUBLIC absl::status absl::statusor absl::strings
                        absl::str_format absl::synchronization absl::time
                        protobuf::libprotobuf Threads::Threads)
  target_precompile_headers(rp_pch_base PRIVATE ${RP_PCH_BASE_HEADERS})
  add_library(rp_pch_test OBJECT ${anchor})
  target_link_libraries(rp_pch_test PUBLIC rp_pch_base GTest::gmock GTest::gtest)
  target_precompile_headers(rp_pch_test PRIVATE ${RP_PCH_BASE_HEADERS}
                            <gmock/gmock.h> <gtest/gtest.h>)

  rp_collect_targets(${PROJECT_SOURCE_DIR} targets)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY|MODULE_LIBRARY)$"
       OR target MATCHES "^rp_pch_" OR target STREQUAL "rp_tsan_sync")  # it links into rp_pch_*
      continue()
    endif()
    get_target_property(links ${target} LINK_LIBRARIES)
    if(links MATCHES "GTest::")
      target_precompile_headers(${target} REUSE_FROM rp_pch_test)
    else()
      target_precompile_headers(${target} REUSE_FROM rp_pch_base)
    endif()
  endforeach()
endfunction()
