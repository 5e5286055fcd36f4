# Read by cpack (CPACK_PROJECT_CONFIG_FILE) before it makes a package.
# Debian's packages install under /usr, and the build must have been configured for it: the
# library's folder (lib/x86_64-linux-gnu), the documentation's and the programs' lack of an
# RPATH are chosen at configure time from CMAKE_INSTALL_PREFIX.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_CLNUM_CONFIGURED_PREFIX MATCHES "^/usr/?$")
  message(FATAL_ERROR "cpack -G DEB: this build folder was configured with CMAKE_INSTALL_PREFIX "
                      "${CPACK_CLNUM_CONFIGURED_PREFIX}; Debian packages need a folder configured "
                      "with -DCMAKE_INSTALL_PREFIX=/usr")
endif()
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
