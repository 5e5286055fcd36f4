# Packaging, included from the top-level CMakeLists.txt once `clnum`, `clnum-linreg` and `clnum-softmax` exist:
# the library's version and SONAME, the static twin, and `cmake --install` as CLBlast does it
# (libraries, headers, clnumConfig.cmake with exported targets, clnum.pc, the CLI).
# Every install rule names its component, the Debian package it goes to (cmake/clnum_cpack.cmake):
# runtime (libclnum0), development (libclnum-dev), tools (clnum-tools).
#
# GNUInstallDirs before any CMAKE_INSTALL_* use: configured with -DCMAKE_INSTALL_PREFIX=/usr it
# makes CMAKE_INSTALL_LIBDIR Debian's multiarch folder (lib/x86_64-linux-gnu); under any other
# prefix it is lib. It is decided at configure time: `cmake --install --prefix /usr` later
# keeps the folder the configure chose.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# clnum.h's CLNUM_VERSION_STRING must be the project's version (the package's and SONAME's).
file(STRINGS ${PROJECT_SOURCE_DIR}/include/clnum/clnum.h clnum_version_line
     REGEX "^#define CLNUM_VERSION_STRING ")
if(NOT clnum_version_line MATCHES "\"${PROJECT_VERSION}\"")
  message(FATAL_ERROR "include/clnum/clnum.h says ${clnum_version_line}; the project is ${PROJECT_VERSION}")
endif()

# libclnum.so -> libclnum.so.0 -> libclnum.so.0.1.0 (SONAME libclnum.so.0).
set_target_properties(clnum PROPERTIES VERSION ${PROJECT_VERSION}
                                       SOVERSION ${PROJECT_VERSION_MAJOR})
set(CLNUM_EXPORTED clnum)

# The static library: the same sources (also those added to `clnum` later), libclnum.a.
if(CLNUM_BUILD_STATIC)
  get_target_property(clnum_type clnum TYPE)
  if(clnum_type STREQUAL "SHARED_LIBRARY")
    add_library(clnum_static STATIC $<TARGET_PROPERTY:clnum,SOURCES>)
    add_dependencies(clnum_static clnum) # the embedded kernels are generated once
    target_include_directories(clnum_static
      PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
      PRIVATE ${PROJECT_SOURCE_DIR}/src ${CLNUM_LAPACKE_INCLUDE_DIR} ${CLNUM_JANSSON_INCLUDE_DIR}
              ${ZLIB_INCLUDE_DIRS})
    target_compile_definitions(clnum_static PUBLIC CL_TARGET_OPENCL_VERSION=120)
    # Users of the static library link CLBlast, LAPACKE, Jansson, zlib and libm themselves:
    # exported as LINK_ONLY (LAPACKE, Jansson and zlib by the paths found at configure time).
    target_link_libraries(clnum_static PUBLIC OpenCL::OpenCL
                          PRIVATE clblast ${CLNUM_LAPACKE_LIBRARY} ${CLNUM_JANSSON_LIBRARY}
                          ${ZLIB_LIBRARIES} m)
    target_compile_options(clnum_static PRIVATE $<TARGET_PROPERTY:clnum,COMPILE_OPTIONS>)
    set_target_properties(clnum_static PROPERTIES OUTPUT_NAME clnum POSITION_INDEPENDENT_CODE ON)
    list(APPEND CLNUM_EXPORTED clnum_static)
  endif()
endif()
get_target_property(clnum_type clnum TYPE)
if(clnum_type STREQUAL "STATIC_LIBRARY") # BUILD_SHARED_LIBS=OFF: clnum::clnum is the static one
  set(CLNUM_MAIN_STATIC TRUE)
else()
  set(CLNUM_MAIN_STATIC FALSE)
endif()
target_include_directories(clnum PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

set(CLNUM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/clnum)
# libclnum.so.0* at run time; the libclnum.so link and libclnum.a only to build against it.
install(TARGETS clnum EXPORT clnumTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(EXPORT clnumTargets NAMESPACE clnum:: DESTINATION ${CLNUM_CMAKE_DIR} COMPONENT development)
if(TARGET clnum_static)
  install(TARGETS clnum_static EXPORT clnumStaticTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
  install(EXPORT clnumStaticTargets NAMESPACE clnum:: DESTINATION ${CLNUM_CMAKE_DIR}
          COMPONENT development)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/clnum DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT development
        FILES_MATCHING PATTERN "*.h" PATTERN "mpi.h" EXCLUDE) # mpi.h: with CLNUM_MPI only

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/clnumConfig.cmake.in
  ${PROJECT_BINARY_DIR}/clnumConfig.cmake INSTALL_DESTINATION ${CLNUM_CMAKE_DIR})
# 0.x: a new minor version may change the API, so only the same major.minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/clnumConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/clnumConfig.cmake ${PROJECT_BINARY_DIR}/clnumConfigVersion.cmake
        DESTINATION ${CLNUM_CMAKE_DIR} COMPONENT development)

# pkg-config: relocatable, its prefix found from where the .pc file lies.
file(RELATIVE_PATH CLNUM_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" CLNUM_PC_TO_PREFIX "${CLNUM_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/clnum.pc.in ${PROJECT_BINARY_DIR}/clnum.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/clnum.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT development)

# The programs find the library beside them (bin/../lib) under any prefix, with no
# LD_LIBRARY_PATH; in a folder the dynamic linker searches anyway (/usr's) they need no RPATH,
# and Debian's packages must carry none.
file(RELATIVE_PATH CLNUM_BIN_TO_LIB "/p/${CMAKE_INSTALL_BINDIR}" "/p/${CMAKE_INSTALL_LIBDIR}")
if(NOT CMAKE_INSTALL_FULL_LIBDIR IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
  set_target_properties(clnum-linreg clnum-softmax PROPERTIES
                        INSTALL_RPATH "$ORIGIN/${CLNUM_BIN_TO_LIB}")
endif()
install(TARGETS clnum-linreg clnum-softmax RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        COMPONENT tools)

# Documentation: the API reference (HTML) with the development files, the licence (as Debian's
# copyright file under /usr) with each package. Under /usr, in Debian's place for each package:
# /usr/share/doc/libclnum-dev/html; elsewhere in share/doc/clnum.
if(CMAKE_INSTALL_PREFIX MATCHES "^/usr/?$")
  set(CLNUM_HTML_INSTALL_DIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/libclnum-dev/html)
  foreach(component_package IN ITEMS runtime:libclnum0 development:libclnum-dev tools:clnum-tools)
    string(REPLACE ":" ";" component_package ${component_package})
    list(GET component_package 0 component)
    list(GET component_package 1 package)
    install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package}
            RENAME copyright COMPONENT ${component})
  endforeach()
else()
  set(CLNUM_HTML_INSTALL_DIR ${CMAKE_INSTALL_DOCDIR}/html)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/CHANGELOG.md
          DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT development)
endif()

# The API reference as HTML, built with the library when Doxygen is there (AUTO), always (ON:
# an error without it; the Debian packages use ON) or never (OFF). The Doxyfile is the one the
# api_docs test checks, whose warnings fail that test; here they do not fail the build.
set(CLNUM_HTML_DOCS AUTO CACHE STRING "Build and install the API reference as HTML: AUTO, ON or OFF")
set_property(CACHE CLNUM_HTML_DOCS PROPERTY STRINGS AUTO ON OFF)
if(NOT CLNUM_HTML_DOCS MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "CLNUM_HTML_DOCS is '${CLNUM_HTML_DOCS}': AUTO, ON or OFF")
endif()
if(NOT CLNUM_HTML_DOCS STREQUAL "OFF")
  find_program(CLNUM_DOXYGEN_EXECUTABLE doxygen)
  if(NOT CLNUM_DOXYGEN_EXECUTABLE AND CLNUM_HTML_DOCS STREQUAL "ON")
    message(FATAL_ERROR "CLNUM_HTML_DOCS is ON but doxygen is not found: install Debian's doxygen")
  endif()
endif()
if(CLNUM_DOXYGEN_EXECUTABLE AND NOT CLNUM_HTML_DOCS STREQUAL "OFF")
  set(clnum_html ${PROJECT_BINARY_DIR}/api-reference)
  # Written only when it changes, so that a configure does not make the reference again.
  file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/Doxyfile.install CONTENT
       "@INCLUDE = ${PROJECT_SOURCE_DIR}/Doxyfile\nOUTPUT_DIRECTORY = ${clnum_html}\nPROJECT_NUMBER = ${PROJECT_VERSION}\nWARN_AS_ERROR = NO\n")
  file(GLOB clnum_public_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/clnum/*.h)
  add_custom_command(
    OUTPUT ${clnum_html}/html/index.html
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${clnum_html}/html
    COMMAND ${CLNUM_DOXYGEN_EXECUTABLE} ${PROJECT_BINARY_DIR}/Doxyfile.install
    DEPENDS ${clnum_public_headers} ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/Doxyfile
            ${PROJECT_BINARY_DIR}/Doxyfile.install
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "The API reference (Doxygen HTML)"
    VERBATIM)
  add_custom_target(clnum_html_docs ALL DEPENDS ${clnum_html}/html/index.html)
  install(DIRECTORY ${clnum_html}/html/ DESTINATION ${CLNUM_HTML_INSTALL_DIR} COMPONENT development)
else()
  message(STATUS "The API reference (HTML) is not built (CLNUM_HTML_DOCS ${CLNUM_HTML_DOCS}; doxygen "
                 "not found or not wanted)")
endif()
