# Fails if a file includes what its layer may not name. Run by ctest
# (layers_test) as `cmake -DROOT=<project root> -P check_layers.cmake`.
#
#   engine/     names no domain type: no server/, workflows/, clients/ or
#               tools/ header, of the generated protos only the engine's own
#               (returnpath/v1/engine.proto, event.proto), and no header named
#               for the domain (a file or folder name starting pathway,
#               household or policy) wherever it lives.
#               The build enforces the same (proto/CMakeLists.txt,
#               cmake/engine_links.cmake); this check names the file.
#   workflows/  is pure: no RocksDB, no gRPC, nothing of server/ or tools/
#   server/     the application: nothing of clients/ or tools/
#
# And the engine's internals stay inside it: its public headers
# (engine/include/engine/) include none of them, and outside engine/ only
# tests (tests/, *_test.cc) and benchmarks (tools/benchmarks/) may, through
# rp_engine_internals. Internal headers are spelled from engine/
# ("store/keys.h"); spelling them from the root ("engine/store/keys.h") is
# refused as well. The store's interface names no storage library: of the
# public headers only the file system seam (store_file_system.h) and the
# test helpers (testing/) include RocksDB, and outside the store's modules
# nothing does. The engine's modules include only the ones below them.

set(domain_protos "returnpath/v1/(auth|export|household|pathway|pathway_state|policy|services)\\.")
set(domain_names "([^\"]*/)?(pathway|household|policy)[^\"]*\"")
set(rules
  "engine|\"(server|workflows|clients|tools)/|\"${domain_protos}|\"${domain_names}"
  "workflows|\"(rocksdb|grpcpp|grpc|server|tools)/"
  "server|\"(clients|tools)/")

set(broken 0)

# check(<sources> <excluded> <forbidden> <why>): each include line of the
# sources (paths relative to ROOT) not matching `excluded` that matches
# `forbidden` is an error saying `why`.
function(check sources excluded forbidden why)
  foreach(source IN LISTS sources)
    if(NOT excluded STREQUAL "" AND source MATCHES "${excluded}")
      continue()
    endif()
    file(STRINGS ${ROOT}/${source} includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
    foreach(line IN LISTS includes)
      if(line MATCHES "${forbidden}")
        message(SEND_ERROR "${source}: ${line} — ${why}")
        math(EXPR broken "${broken} + 1")
      endif()
    endforeach()
  endforeach()
  set(broken ${broken} PARENT_SCOPE)
endfunction()

# split_rule(<rule> <head> <rest>): "a|b|c" gives head "a", rest "b|c".
function(split_rule rule head rest)
  string(FIND "${rule}" "|" bar)
  string(SUBSTRING "${rule}" 0 ${bar} first)
  math(EXPR from "${bar} + 1")
  string(SUBSTRING "${rule}" ${from} -1 others)
  set(${head} "${first}" PARENT_SCOPE)
  set(${rest} "${others}" PARENT_SCOPE)
endfunction()

foreach(rule IN LISTS rules)
  split_rule("${rule}" layer forbidden)
  file(GLOB_RECURSE sources RELATIVE ${ROOT}
       ${ROOT}/${layer}/*.h ${ROOT}/${layer}/*.cc)
  check("${sources}" "" "${forbidden}" "${layer}/ may not include it")
endforeach()

file(GLOB_RECURSE outside RELATIVE ${ROOT}
     ${ROOT}/engine/include/*.h ${ROOT}/server/*.h ${ROOT}/server/*.cc
     ${ROOT}/workflows/*.h ${ROOT}/workflows/*.cc ${ROOT}/clients/*.h
     ${ROOT}/clients/*.cc ${ROOT}/tools/*.h ${ROOT}/tools/*.cc)
check("${outside}" "(_test\\.cc$|^tools/benchmarks/)"
      "\"(engine/)?(util|store|commit|timers|tasks|replay|include)/"
      "an engine internal; use engine/include")

# RocksDB is the store's: its layout and reads (engine/store/) and its writes
# (engine/commit/: the write batch, the sequencer's write). Elsewhere only the
# fault-injection seam, tests and the raw-RocksDB benchmark floor name it.
file(GLOB_RECURSE everything RELATIVE ${ROOT}
     ${ROOT}/engine/*.h ${ROOT}/engine/*.cc ${ROOT}/server/*.h ${ROOT}/server/*.cc
     ${ROOT}/workflows/*.h ${ROOT}/workflows/*.cc ${ROOT}/clients/*.h
     ${ROOT}/clients/*.cc ${ROOT}/tools/*.h ${ROOT}/tools/*.cc
     ${ROOT}/testing/*.h ${ROOT}/testing/*.cc)
check("${everything}"
      "^engine/(store|commit|testing|include/engine/testing)/|store_file_system\\.h$|_test\\.cc$|^tools/benchmarks/raw_rocksdb"
      "\"rocksdb/" "only the store's modules (engine/store, engine/commit) name RocksDB")

# Inside the engine each module includes only those below it:
# util < store < commit < timers, tasks < replay; rpc includes none of them.
set(module_rules
  "util|store|commit|timers|tasks|replay|rpc|testing"
  "store|commit|timers|tasks|replay|rpc|testing"
  "commit|timers|tasks|replay|rpc|testing"
  "timers|tasks|replay|rpc|testing"
  "tasks|timers|replay|rpc|testing"
  "replay|timers|rpc|testing"
  "rpc|util|store|commit|timers|tasks|replay|testing")
foreach(rule IN LISTS module_rules)
  split_rule("${rule}" module above)
  file(GLOB module_sources RELATIVE ${ROOT}
       ${ROOT}/engine/${module}/*.h ${ROOT}/engine/${module}/*.cc)
  check("${module_sources}" "_test\\.cc$" "\"(${above})/"
        "engine/${module}/ includes only the modules below it")
endforeach()

file(GLOB_RECURSE public_headers RELATIVE ${ROOT} ${ROOT}/engine/include/*.h)
check("${public_headers}" "/(store_file_system\\.h|testing/)" "\"rocksdb/"
      "the engine's interface names no storage library")

if(broken GREATER 0)
  message(FATAL_ERROR "${broken} include(s) cross a layer (DEVELOPERS.md, Layout rules)")
endif()
message(STATUS "layers hold: engine/, workflows/ and server/ include nothing above them, and no engine internal leaks")
