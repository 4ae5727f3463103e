# The engine's runtime over the event store: durable timers (timer_loop.h),
# durable task queues (task_queue.h) and replay, as-of views and statistics
# (replay.h). Included from engine/CMakeLists.txt.

add_library(rp_runtime
  replay.cc
  replay_check.cc
  replay_fold.cc
  stream_walk.cc
  task_commands.cc
  task_listing.cc
  task_poll.cc
  task_queue.cc
  timer_loop.cc
  wakeup.cc)
target_include_directories(rp_runtime PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(rp_runtime
  PUBLIC rp_event_store absl::any_invocable absl::flat_hash_map absl::status
         absl::statusor absl::strings absl::synchronization absl::time
  PRIVATE absl::raw_logging_internal Threads::Threads)

# Test-only: a small scripted workflow and store fixture for the tests below.
add_library(rp_runtime_testing INTERFACE)
target_link_libraries(rp_runtime_testing INTERFACE rp_runtime GTest::gtest GTest::gmock)

foreach(t timer_loop_test task_queue_test task_poll_test replay_test)
  add_executable(${t} ${t}.cc)
  target_link_libraries(${t} rp_runtime_testing GTest::gtest_main)
  gtest_discover_tests(${t})
endforeach()

add_executable(related_events_test related_events_test.cc)
target_link_libraries(related_events_test
  rp_runtime_testing rp_fault_file_system GTest::gtest_main)
gtest_discover_tests(related_events_test)
