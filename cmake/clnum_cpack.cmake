# Debian packages, `cpack -G DEB` in a build folder configured with -DCMAKE_INSTALL_PREFIX=/usr
# (.ci/deb_check.sh builds them and installs them in a fresh Debian 12 root):
#   libclnum0     the shared library (component runtime)
#   libclnum-dev  headers, libclnum.so, libclnum.a, the CMake package, clnum.pc, the API
#                 reference as HTML (component development)
#   clnum-tools   clnum-linreg and clnum-softmax with their man pages (component tools)
# Included last from the top-level CMakeLists.txt, after every install rule.

set(CPACK_PACKAGE_NAME clnum)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the clnum developers")
set(CPACK_PACKAGE_CONTACT "the clnum developers")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
# The file's checks at cpack time (the prefix the build was configured with).
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/clnum_cpack_project.cmake)
set(CPACK_CLNUM_CONFIGURED_PREFIX ${CMAKE_INSTALL_PREFIX})   # CPACK_*: seen by cpack

# One package a component; the MPI library's rules (CLNUM_MPI) are in none of them.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # NAME_VERSION-RELEASE_ARCH.deb, Debian's own form
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

# Depends: what dpkg-shlibdeps finds the ELF files need (libc6, libclblast1, liblapacke,
# libjansson4, zlib1g, ocl-icd-libopencl1 | libopencl1, each with its least version), then the
# packages below. libclnum.so.0 is looked for in the build folder (the tools need it; no
# installed package has it yet) and its own dependency is the component's, exact.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR})
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)   # a shlibs file: others' shlibdeps find libclnum0
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)  # libclnum0 (= VERSION), from the DEPENDS below

set(CPACK_COMPONENT_RUNTIME_DISPLAY_NAME "libclnum0")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libclnum0)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# OpenCL's loader alone finds no device: an ICD, PoCL's (on the CPU) unless another is there.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "pocl-opencl-icd | opencl-icd")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "linear models trained with OpenCL kernels (shared library)
clnum keeps tensors in OpenCL buffers and trains models with hand-written
OpenCL kernels, on any vendor's GPU or on PoCL on the CPU: linear regression
and softmax regression as Dive into Deep Learning's chapters 3.4 and 4.4
write them, and models of one's own, with a C11 API.
.
This package contains the shared library, libclnum.so.0.")

set(CPACK_COMPONENT_DEVELOPMENT_DISPLAY_NAME "libclnum-dev")
set(CPACK_COMPONENT_DEVELOPMENT_DEPENDS runtime)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libclnum-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
# What a program built against it needs: OpenCL's headers and loader (find_package(OpenCL),
# clnum.pc's Requires), and what libclnum.a and clnum.pc's Requires.private name.
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS
    "ocl-icd-opencl-dev | opencl-dev, libclblast-dev, liblapacke-dev, libjansson-dev, zlib1g-dev")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SHLIBDEPS OFF)   # no ELF file of its own runs
set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION
    "linear models trained with OpenCL kernels (development files)
clnum keeps tensors in OpenCL buffers and trains models with hand-written
OpenCL kernels, on any vendor's GPU or on PoCL on the CPU.
.
This package contains the headers, libclnum.so, the static library
libclnum.a, the CMake package (find_package(clnum): clnum::clnum,
clnum::clnum_static), clnum.pc for pkg-config and the API reference as HTML
in /usr/share/doc/libclnum-dev/html.")

set(CPACK_COMPONENT_TOOLS_DISPLAY_NAME "clnum-tools")
set(CPACK_COMPONENT_TOOLS_DEPENDS runtime)
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME clnum-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION science)
# The programs do nothing without a device.
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "pocl-opencl-icd | opencl-icd")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
    "linear models trained with OpenCL kernels (command-line programs)
clnum keeps tensors in OpenCL buffers and trains models with hand-written
OpenCL kernels, on any vendor's GPU or on PoCL on the CPU.
.
This package contains clnum-linreg (linear regression, d2l 3.4 and 3.5, on
synthetic data or a CSV file, with an exact least-squares solver) and
clnum-softmax (softmax regression, d2l 4.4, on IDX files such as
Fashion-MNIST's, a CSV file or synthetic classes), with their man pages.")

include(CPack)
