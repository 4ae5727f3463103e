# rp_allocator: the daemon and the benchmarks allocate through jemalloc (Debian's
# libjemalloc-dev, found through pkg-config). The write path spends much of its time in
# malloc and free; with jemalloc the benchmark data set's generation ran about 35 % faster
# than with glibc's malloc, at the same peak memory (docs/benchmarks.md, "The allocator").
# Sanitizer builds keep the sanitizer's allocator.
add_library(rp_allocator INTERFACE)
if(NOT RP_SANITIZE)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  target_link_libraries(rp_allocator INTERFACE PkgConfig::JEMALLOC)
endif()
