# Runs clnum-bench with ARGS and checks its exit status is EXPECT (no device is needed for
# the argument errors and --help). Run as: cmake -DEXE=... -DARGS="a|b" -DEXPECT=2 -P cli_check.cmake
string(REPLACE "|" ";" ARGS "${ARGS}")
execute_process(COMMAND ${EXE} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL EXPECT)
  message(FATAL_ERROR "clnum-bench ${ARGS}: exit ${rc}, expected ${EXPECT}\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "usage: clnum-bench")
  message(FATAL_ERROR "clnum-bench ${ARGS}: no usage text\n${out}${err}")
endif()
