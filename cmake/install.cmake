# What `cmake --install` puts where, and the Debian package CPack makes of it
# (docs/operations.md, "Installing"). The prefix is /usr unless given (a
# Debian system's own layout, the package's): binaries in /usr/bin, the
# policy in /usr/share/returnpath, the unit in /usr/lib/systemd/system and the
# configuration in /etc/returnpath (GNUInstallDirs' rule for /usr). Install
# into another root with DESTDIR.
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "install prefix" FORCE)
endif()
include(GNUInstallDirs)

set(RP_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(RP_SYSCONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR})
set(RP_POLICYDIR ${CMAKE_INSTALL_FULL_DATADIR}/returnpath/policy)
set(RP_DOCDIR ${CMAKE_INSTALL_FULL_DOCDIR})
configure_file(packaging/returnpathd.service.in returnpathd.service @ONLY)
configure_file(packaging/returnpathd.textproto.in returnpathd.textproto @ONLY)

install(TARGETS returnpathd returnctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY workflows/return_pathway/policy/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/returnpath/policy
        FILES_MATCHING PATTERN "*.textproto" PATTERN "README.md")
install(FILES ${PROJECT_BINARY_DIR}/returnpathd.service
        DESTINATION lib/systemd/system)
install(FILES ${PROJECT_BINARY_DIR}/returnpathd.textproto
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/returnpath
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES README.md docs/operations.md docs/security.md docs/release-notes.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME returnpath)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "returnpath maintainers <returnpath@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "event store and workflow engine for the return pathway (returnpathd, returnctl)")
# The configuration's destination is absolute (/etc): the package is laid
# out by DESTDIR, with this build's prefix.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# The shared libraries' packages (gRPC, protobuf, Abseil, OpenSSL, ...), as
# dpkg-shlibdeps finds them; passwd and coreutils for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, coreutils")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
