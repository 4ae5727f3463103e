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
# test helpers (testing/) include RocksDB.

set(domain_protos "returnpath/v1/(auth|household|pathway|pathway_state|policy|services)\\.")
set(domain_names "([^\"]*/)?(pathway|household|policy)[^\"]*\"")
set(rules
  "engine|\"(server|workflows|clients|tools)/|\"${domain_protos}|\"${domain_names}"
  "workflows|\"(rocksdb|grpcpp|grpc|server|tools)/"
  "server|\"(clients|tools)/")

set(broken 0)
foreach(rule IN LISTS rules)
  string(FIND "${rule}" "|" bar)
  string(SUBSTRING "${rule}" 0 ${bar} layer)
  math(EXPR from "${bar} + 1")
  string(SUBSTRING "${rule}" ${from} -1 forbidden)
  file(GLOB_RECURSE sources RELATIVE ${ROOT}
       ${ROOT}/${layer}/*.h ${ROOT}/${layer}/*.cc)
  foreach(source IN LISTS sources)
    file(STRINGS ${ROOT}/${source} includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
    foreach(line IN LISTS includes)
      if(line MATCHES "${forbidden}")
        message(SEND_ERROR "${source}: ${line} — ${layer}/ may not include it")
        math(EXPR broken "${broken} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()

set(internals "\"(engine/)?(util|store|commit|timers|tasks|replay|include)/")
file(GLOB_RECURSE outside RELATIVE ${ROOT}
     ${ROOT}/engine/include/*.h ${ROOT}/server/*.h ${ROOT}/server/*.cc
     ${ROOT}/workflows/*.h ${ROOT}/workflows/*.cc ${ROOT}/clients/*.h
     ${ROOT}/clients/*.cc ${ROOT}/tools/*.h ${ROOT}/tools/*.cc)
foreach(source IN LISTS outside)
  if(source MATCHES "_test\\.cc$" OR source MATCHES "^tools/benchmarks/")
    continue()
  endif()
  file(STRINGS ${ROOT}/${source} includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
  foreach(line IN LISTS includes)
    if(line MATCHES "${internals}")
      message(SEND_ERROR "${source}: ${line} — an engine internal; use engine/include")
      math(EXPR broken "${broken} + 1")
    endif()
  endforeach()
endforeach()

file(GLOB_RECURSE public_headers RELATIVE ${ROOT} ${ROOT}/engine/include/*.h)
foreach(source IN LISTS public_headers)
  if(source MATCHES "/(store_file_system\\.h|testing/)")
    continue()
  endif()
  file(STRINGS ${ROOT}/${source} includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"rocksdb/")
  foreach(line IN LISTS includes)
    message(SEND_ERROR "${source}: ${line} — the engine's interface names no storage library")
    math(EXPR broken "${broken} + 1")
  endforeach()
endforeach()

if(broken GREATER 0)
  message(FATAL_ERROR "${broken} include(s) cross a layer (DEVELOPERS.md, Layout rules)")
endif()
message(STATUS "layers hold: engine/, workflows/ and server/ include nothing above them, and no engine internal leaks")
