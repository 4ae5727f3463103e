# Sourced by tools/test and tools/fuzz: BUILD_DIR and the sanitizer runtime options for
# one sanitizer set ("address,undefined" or "thread"). Every report fails the process.
# Reports name files and lines (llvm-14 package).
symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
export ASAN_SYMBOLIZER_PATH=$symbolizer TSAN_SYMBOLIZER_PATH=$symbolizer UBSAN_SYMBOLIZER_PATH=$symbolizer
sanitize_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "$1" in
  address,undefined|undefined,address)
    BUILD_DIR=${BUILD_DIR:-build-asan}
    export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:abort_on_error=0"
    export LSAN_OPTIONS="suppressions=$sanitize_dir/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$sanitize_dir/ubsan.supp"
    ;;
  thread)
    # die_after_fork=0: the crash tests fork a child that opens the store and starts its own
    # threads; from the fork on the child is a program of its own, checked as one.
    BUILD_DIR=${BUILD_DIR:-build-tsan}
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$sanitize_dir/tsan.supp:print_suppressions=0"
    ;;
  *)
    echo "unknown sanitizer set '$1': use address,undefined or thread" >&2
    return 2
    ;;
esac
export BUILD_DIR
