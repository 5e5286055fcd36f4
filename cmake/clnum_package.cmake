# Packaging, included from the top-level CMakeLists.txt once `clnum`, `clnum-linreg` and `clnum-softmax` exist:
# the library's version and SONAME, the static twin, and `cmake --install` as CLBlast does it
# (libraries, headers, clnumConfig.cmake with exported targets, clnum.pc, the CLI).
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
install(TARGETS clnum EXPORT clnumTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT clnumTargets NAMESPACE clnum:: DESTINATION ${CLNUM_CMAKE_DIR})
if(TARGET clnum_static)
  install(TARGETS clnum_static EXPORT clnumStaticTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT clnumStaticTargets NAMESPACE clnum:: DESTINATION ${CLNUM_CMAKE_DIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/clnum DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h" PATTERN "mpi.h" EXCLUDE) # mpi.h: with CLNUM_MPI only

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/clnumConfig.cmake.in
  ${PROJECT_BINARY_DIR}/clnumConfig.cmake INSTALL_DESTINATION ${CLNUM_CMAKE_DIR})
# 0.x: a new minor version may change the API, so only the same major.minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/clnumConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/clnumConfig.cmake ${PROJECT_BINARY_DIR}/clnumConfigVersion.cmake
        DESTINATION ${CLNUM_CMAKE_DIR})

# pkg-config: relocatable, its prefix found from where the .pc file lies.
file(RELATIVE_PATH CLNUM_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" CLNUM_PC_TO_PREFIX "${CLNUM_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/clnum.pc.in ${PROJECT_BINARY_DIR}/clnum.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/clnum.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The command-line program finds the library next to it.
file(RELATIVE_PATH CLNUM_BIN_TO_LIB "/p/${CMAKE_INSTALL_BINDIR}" "/p/${CMAKE_INSTALL_LIBDIR}")
set_target_properties(clnum-linreg clnum-softmax PROPERTIES INSTALL_RPATH "$ORIGIN/${CLNUM_BIN_TO_LIB}")
install(TARGETS clnum-linreg clnum-softmax RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
