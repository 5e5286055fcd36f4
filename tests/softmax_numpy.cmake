cmake_minimum_required(VERSION 3.20) # script mode: today's policies
# Softmax regression's acceptance test: clnum trains on scikit-learn's iris or wine
# (-DSET=iris|wine, the CSV files of Debian's python3-sklearn in -DDATASETS) with
# tests/softmax_reference (-DHELPER), which writes what it trained on and what it got as JSON;
# tests/softmax_numpy.py (-DCOMPARE, run with -DPYTHON, a python3 with numpy) replays the same
# training in float64 NumPy and fails unless the validation accuracies are within one point
# and the parameters within a derived rounding bound. Run by CTest with -DHELPER -DPYTHON
# -DCOMPARE -DDATASETS -DSET -DWORK -DREQUIRE.
#
# Without numpy or the CSV files the test is skipped, with the reason (CTest's
# SKIP_REGULAR_EXPRESSION "softmax_numpy: SKIPPED"), unless -DREQUIRE is on
# (CLNUM_REQUIRE_ALL_TESTS): then it fails. Both runs are float32, the device's default;
# a float64 run follows where the device has cl_khr_fp64 (its bound is then about 2^29 times
# tighter), and is noted and left out where it has not.

function(skip_or_fail why)
  if(REQUIRE)
    message(FATAL_ERROR "softmax_numpy: ${why}, and CLNUM_REQUIRE_ALL_TESTS is on")
  endif()
  message("softmax_numpy: SKIPPED: ${why}")
endfunction()

if(SET STREQUAL "iris")
  set(csv ${DATASETS}/iris.csv)
elseif(SET STREQUAL "wine")
  set(csv ${DATASETS}/wine_data.csv)
else()
  message(FATAL_ERROR "softmax_numpy: -DSET=${SET}, expected iris or wine")
endif()
if(NOT EXISTS ${csv})
  skip_or_fail("${csv} not found (apt-get install python3-sklearn, then configure again)")
  return()
endif()
if(NOT PYTHON)
  skip_or_fail("no python3 with numpy (apt-get install python3-numpy, then configure again)")
  return()
endif()
execute_process(COMMAND ${PYTHON} -c "import numpy" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 0)
  skip_or_fail("${PYTHON} cannot import numpy (apt-get install python3-numpy)")
  return()
endif()

# The first line of scikit-learn's files is a count line ("150,4,setosa,versicolor,virginica"),
# not a header: skipped. Standardised features: wine's span 0.1 to 1680, which SGD at lr 0.1
# cannot take raw; iris is standardised the same way.
foreach(dtype float32 float64)
  set(json ${WORK}/softmax_numpy_${SET}_${dtype}.json)
  file(REMOVE ${json})
  execute_process(COMMAND ${HELPER} ${csv} 1 1 ${json} ${dtype}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(dtype STREQUAL "float64" AND rc EQUAL 77)
    message(STATUS "${SET} float64: the device has no float64, so only float32 was compared\n${err}")
    continue()
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "softmax_reference ${csv} ${dtype}: exit ${rc}\n${out}\n${err}")
  endif()
  message(STATUS "${out}${err}")
  execute_process(COMMAND ${PYTHON} ${COMPARE} ${json} --name "${SET} ${dtype}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "softmax_numpy.py ${json}: exit ${rc}")
  endif()
endforeach()
