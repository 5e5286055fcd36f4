# Runs one scenario of test_mpi under mpirun and checks how it ends (tests/test_mpi.c).
# cmake -DMPIEXEC=mpirun "-DMPIFLAGS=a|b" -DNP=2 -DEXE=test_mpi -DSCENARIO=equal
#       -DEXPECT=0|fail|crash -DTIMEOUT=120 -P test_mpi.cmake
# EXPECT 0: every rank passes. fail: mpirun exits non-zero and every rank printed the
# error (the failing rank's message reaching the others). crash: mpirun exits non-zero,
# within the timeout, instead of hanging.
string(REPLACE "|" ";" flags "${MPIFLAGS}")
execute_process(
  COMMAND ${MPIEXEC} ${flags} -np ${NP} ${EXE} ${SCENARIO}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  TIMEOUT ${TIMEOUT})
message("${out}")
message("${err}")
if(rc MATCHES "timeout" OR rc MATCHES "Process terminated due to timeout")
  message(FATAL_ERROR "${SCENARIO}: mpirun was still running after ${TIMEOUT} s: a rank hangs")
endif()
if(EXPECT STREQUAL "0")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${SCENARIO}: mpirun exited with ${rc}")
  endif()
  math(EXPR last "${NP} - 1")
  foreach(r RANGE ${last})
    if(NOT out MATCHES "rank ${r}: passed")
      message(FATAL_ERROR "${SCENARIO}: rank ${r} did not pass")
    endif()
  endforeach()
  return()
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "${SCENARIO}: mpirun exited with 0, expected a failure")
endif()
if(EXPECT STREQUAL "fail")
  math(EXPR last "${NP} - 1")
  foreach(r RANGE ${last})
    if(NOT out MATCHES "rank ${r}: error: [^\n]*${MESSAGE}")
      message(FATAL_ERROR "${SCENARIO}: rank ${r} did not report an error matching '${MESSAGE}'")
    endif()
  endforeach()
  if(DEFINED OTHERS AND NOT out MATCHES "rank 0: error: [^\n]*${OTHERS}")
    message(FATAL_ERROR "${SCENARIO}: rank 0 did not get rank 1's failure ('${OTHERS}')")
  endif()
endif()
if(out MATCHES "no failure was reported")
  message(FATAL_ERROR "${SCENARIO}: a rank went on as if nothing had failed")
endif()
