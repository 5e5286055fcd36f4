# clnum-linreg as a user runs it: the chapter by default, a CSV of the loss history, and
# bad input turned into a message and a non-zero exit. Run by CTest with -DEXE and -DWORK.

function(run_expect code out_var)
  execute_process(COMMAND ${EXE} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL code)
    message(FATAL_ERROR "clnum-linreg ${ARGN}: exit ${rc}, expected ${code}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
endfunction()

function(expect_match text regex)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "output does not match '${regex}':\n${text}")
  endif()
endfunction()

# The chapter: device, 3 epochs of loss points, the errors, the time.
run_expect(0 out)
expect_match("${out}" "device: ")
expect_match("${out}" "epoch 3: train_loss [0-9.]+ \\(x=2\\.234\\) train_loss [0-9.]+ \\(x=2\\.734\\) val_loss [0-9.]+")
expect_match("${out}" "error in estimating w: \\[-?0\\.[0-9]+, -?0\\.[0-9]+\\]")
expect_match("${out}" "error in estimating b: \\[-?0\\.[0-9]+\\]")
expect_match("${out}" "training time: [0-9.]+ ms \\(3 epochs, 96 updates\\)")

# The loss history as CSV: a header, 6 training and 3 validation points.
set(csv ${WORK}/cli_linreg_history.csv)
file(REMOVE ${csv})
run_expect(0 out --epochs 3 --seed 4 --csv ${csv})
file(STRINGS ${csv} lines)
list(LENGTH lines n)
if(NOT n EQUAL 10)
  message(FATAL_ERROR "${csv} has ${n} lines, expected 10")
endif()
list(GET lines 0 header)
expect_match("${header}" "^curve,x,loss$")
list(GET lines 9 last)
expect_match("${last}" "^val_loss,3,[0-9.e-]+$")

# Other dimensions draw the true w from the seed.
run_expect(0 out --num-inputs 5 --epochs 10 --num-train 2000 --num-val 100)
expect_match("${out}" "error in estimating w: \\[[-0-9., ]+\\]")

# Bad input: one line naming the mistake and exit 2 for options, a readable line and exit 1
# otherwise.
run_expect(2 out --bogus)
expect_match("${out}" "^clnum-linreg: unknown option '--bogus' \\(see --help\\)\n$")
run_expect(2 out --lr nan)
run_expect(2 out --batch-size 0)
run_expect(1 out --device no-such-device:0)
expect_match("${out}" "clnum-linreg: no device matches 'no-such-device:0'")
run_expect(1 out --lr 100 --epochs 30)
expect_match("${out}" "clnum-linreg: cln_fit: the loss became")
run_expect(1 out --csv /nonexistent-dir/x.csv)
expect_match("${out}" "cannot write /nonexistent-dir/x.csv")
run_expect(0 out --help)
expect_match("${out}" "--list-devices")
# --version: the program and the library's version (cln_version()).
run_expect(0 out --version)
expect_match("${out}" "^clnum-linreg [0-9]+\\.[0-9]+\\.[0-9]+\n$")
run_expect(0 out --list-devices)
expect_match("${out}" "\\* [0-9]+:[0-9]+ ")

# Rows kept in host memory (--placement host: what rows too large for the device get by
# themselves) train through the concise API, streamed, to the parameters of rows on the
# device, within float32 rounding; the exact solver reads them on the host, to the same bits.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
foreach(where device host)
  run_expect(0 out --seed 3 --placement ${where} --json ${WORK}/cli_linreg_${where}.json)
  run_expect(0 out --seed 3 --placement ${where} --solver exact
             --json ${WORK}/cli_linreg_exact_${where}.json)
  expect_match("${out}" "error in estimating w: ")
endforeach()
foreach(kind "" exact_)
  file(READ ${WORK}/cli_linreg_${kind}device.json on_device)
  file(READ ${WORK}/cli_linreg_${kind}host.json on_host)
  foreach(key "w;0" "w;1" "b")
    string(JSON a GET "${on_device}" ${key})
    string(JSON b GET "${on_host}" ${key})
    if(kind STREQUAL "exact_" AND NOT a STREQUAL b)
      message(FATAL_ERROR "the exact ${key}: ${a} from device rows, ${b} from host rows")
    endif()
    expect_near("${kind}${key} from host rows" "${b}" "${a}" 0.00002)
  endforeach()
endforeach()
run_expect(2 out --placement nowhere)
expect_match("${out}" "--placement: 'nowhere' is not one of auto, device, host")
