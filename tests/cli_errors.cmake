# clnum-linreg on bad input (issue 4): every failure is one readable line on stderr and a
# non-zero exit, 2 with the usage for a bad option or value, 1 otherwise. Run by CTest with
# -DEXE and -DWORK.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# one_line(TEXT REGEX): stderr is exactly one line, "clnum-linreg: ...", matching REGEX
function(one_line text regex)
  string(REGEX REPLACE "\n$" "" text "${text}")
  if(text MATCHES "\n")
    message(FATAL_ERROR "more than one line on stderr:\n${text}")
  endif()
  expect_match("${text}" "^clnum-linreg: ${regex}")
endfunction()

# Values the parser refuses: usage and exit 2.
foreach(bad "--epochs;0" "--lr;inf" "--lr;-0.1" "--lr;nan" "--batch-size;0" "--seed;\t-1"
            "--num-train;0" "--noise;-1" "--val-fraction;1")
  run_expect(2 out ${bad})
  expect_match("${out}" "usage: clnum-linreg")
endforeach()

# A device that does not exist, by the option and by the environment.
run_expect(1 out --device 7:3)
one_line("${last_stderr}" "no device matches '7:3'")
run_expect(1 out --device 1:2:3)
one_line("${last_stderr}" "device selector '1:2:3': expected PLATFORM:DEVICE with one ':'")
set(ENV{CLNUM_DEVICE} "nowhere:0")
run_expect(1 out --quiet)
one_line("${last_stderr}" "CLNUM_DEVICE \\(from the environment\\): no device matches 'nowhere:0'")
unset(ENV{CLNUM_DEVICE})

# More rows than the device and the host can hold: refused with the sizes, nothing allocated.
run_expect(1 out --num-inputs 1048576 --num-train 4294967295 --num-val 0 --quiet)
one_line("${last_stderr}" ".*4294967295 rows")

# Not a number in a CSV: the file, line and column.
set(csv ${WORK}/cli_errors_nan.csv)
file(WRITE ${csv} "x1,x2,y\n1,2,3\n4,nan,6\n7,8,9\n")
run_expect(1 out --data ${csv} --quiet)
one_line("${last_stderr}" ".*cli_errors_nan.csv:3")

# A run that diverges: the epoch and the batch.
run_expect(1 out --lr 100 --epochs 30 --quiet)
one_line("${last_stderr}" "cln_fit: the loss became .* at epoch [0-9]+")
