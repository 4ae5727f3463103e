# Sanitizer and fuzzer builds (tools/test --sanitize=..., tools/fuzz; see DEVELOPERS.md).
# RP_SANITIZE is a -fsanitize= list ("address,undefined" or "thread"); RP_FUZZ adds
# libFuzzer coverage to every object and builds the targets in tests/fuzz (clang only).
set(RP_SANITIZE "" CACHE STRING "-fsanitize= list for the whole build, empty for none")
option(RP_FUZZ "Build the libFuzzer targets in tests/fuzz (clang)" OFF)
option(RP_BENCHMARKS "Build the benchmarks (tools/benchmarks, event_store_bench)" ON)

# Sanitized binaries run several times slower (TSan most): CTest timeouts are scaled by this.
set(RP_TIMEOUT_FACTOR 1)
if(RP_SANITIZE)
  set(RP_TIMEOUT_FACTOR 4)
  # A report fails the test that caused it instead of scrolling past.
  add_compile_options(-fsanitize=${RP_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${RP_SANITIZE})
endif()

if(RP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RP_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(RP_SANITIZE MATCHES "thread")
  # Debian's Abseil and gRPC are not built with TSan, so the synchronization inside them is
  # invisible to it; this library tells TSan of Abseil's Mutex, CondVar and Notification and of
  # gRPC's completion-queue tag handover (tools/sanitize/tsan_absl_sync.cc, tsan_grpc_sync.cc).
  add_library(rp_tsan_sync SHARED ${PROJECT_SOURCE_DIR}/tools/sanitize/tsan_absl_sync.cc
                                  ${PROJECT_SOURCE_DIR}/tools/sanitize/tsan_grpc_sync.cc)
  target_link_libraries(rp_tsan_sync PRIVATE absl::synchronization ${CMAKE_DL_LIBS})
  link_libraries(rp_tsan_sync)
  # Its definitions must come before libgrpc's in the dynamic linker's search order, so it is
  # also named first on every link line: a target's own libraries otherwise decide where
  # link_libraries lands (returnpathd_faulty had it after libgrpc, so gRPC's handover was unseen).
  add_link_options($<TARGET_FILE:rp_tsan_sync>)
endif()
