# The engine names no domain type, and the build enforces it twice: the domain
# and API protos are generated where only their own targets look (proto/), and
# this check, run once every target exists, fails the configure step if a
# target under engine/ links, directly or through another target, anything of
# ours outside engine/ and the engine's protos (returnpath_domain_proto,
# returnpath_api_proto, workflows/, server/, clients/, tools/).

# Our targets that ${target} links, directly or through another of ours.
function(rp_linked_targets target out)
  set(seen)
  set(todo ${target})
  while(todo)
    list(POP_FRONT todo current)
    get_target_property(imported ${current} IMPORTED)
    if(imported)
      continue()
    endif()
    get_target_property(links ${current} LINK_LIBRARIES)
    get_target_property(interface_links ${current} INTERFACE_LINK_LIBRARIES)
    foreach(link IN LISTS links interface_links)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
      if(TARGET "${link}" AND NOT link IN_LIST seen)
        list(APPEND seen ${link})
        list(APPEND todo ${link})
      endif()
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# Called at the end of the top-level CMakeLists.txt (after rp_collect_targets exists).
function(rp_check_engine_links)
  set(engine_dir ${PROJECT_SOURCE_DIR}/engine)
  rp_collect_targets(${engine_dir} engine_targets)
  set(broken 0)
  foreach(target IN LISTS engine_targets)
    rp_linked_targets(${target} linked)
    foreach(link IN LISTS linked)
      get_target_property(imported ${link} IMPORTED)
      # rp_tsan_sync: the TSan tree's shim, linked into every target (cmake/sanitize.cmake).
      # returnpath_engine_test_proto: the engine tests' own messages (no domain type).
      if(imported OR link STREQUAL "returnpath_engine_proto" OR link STREQUAL "rp_tsan_sync"
         OR link STREQUAL "returnpath_engine_test_proto")
        continue()
      endif()
      get_target_property(dir ${link} SOURCE_DIR)
      cmake_path(IS_PREFIX engine_dir "${dir}" NORMALIZE inside)
      if(NOT inside)
        message(SEND_ERROR "engine target ${target} links ${link} (${dir}): "
                           "the engine names no domain type (DEVELOPERS.md, Layout rules)")
        math(EXPR broken "${broken} + 1")
      endif()
    endforeach()
  endforeach()
  if(broken GREATER 0)
    message(FATAL_ERROR "${broken} link(s) from engine/ to a layer above it")
  endif()
endfunction()
