cmake_minimum_required(VERSION 3.20) # script mode: today's policies
# clnum-linreg under mpirun (built with -DCLNUM_MPI=ON), as a user runs it. Run by CTest:
#   cmake -DMPIEXEC=mpirun "-DMPIFLAGS=a|b" -DEXE=clnum-linreg -DWORK=dir -DSCENARIO=name
#         -P cli_mpi.cmake
# Scenarios:
#   equal       `mpirun -np 2 clnum-linreg --batch-size 64 ...` (the global minibatch: 32 rows
#               of each rank's shard) prints the parameters of one process drawing the same
#               global order (the hidden `--shards 2`: cln_sharded_draw with batch 2 x 32),
#               within float32 rounding, and its training losses; the plain order of one
#               process gives other parameters (so the check is not vacuous); on synthetic
#               data (uneven shards: 1001 rows; on the devices and in host memory, streamed)
#               and on a CSV file (--standardize). Rank 0 alone prints. `mpirun -np 1` is
#               the program alone, bit for bit.
#   bad_data    only rank 1 gets a --data path that does not exist: every rank exits 1, and
#               rank 0 alone prints rank 1's message, once.
#   bad_device  only rank 1 gets a CLNUM_DEVICE that matches no device: the same.
#   bad_option  a --batch-size that the ranks do not divide, an unknown option, and ranks
#               given different solvers: every rank exits 2, the reason ("see --help")
#               printed once.
# Every mpirun has a time limit (--timeout): a rank left waiting fails the test instead of
# hanging it. The bad_* runs go through a launcher script that records each rank's own exit
# status (and gives rank 1 its bad value), so the test sees every rank's status, not only
# the first that mpirun reports.

include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

set(limit 60) # seconds, for one mpirun
math(EXPR backstop "${limit} + 30") # in case mpirun itself does not end
string(REPLACE "|" ";" flags "${MPIFLAGS}")
list(APPEND flags --timeout ${limit})
set(dir ${WORK}/cli_mpi_${SCENARIO})
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})

# The launcher: rank R takes CLI_MPI_DEVICE_R as CLNUM_DEVICE and CLI_MPI_ARG_R as one more
# argument when they are set, runs the program, and writes its exit status to rank.R.
set(launcher ${dir}/launch.sh)
file(WRITE ${launcher} [=[
rank=${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-$PMI_RANK}}
eval "device=\${CLI_MPI_DEVICE_$rank:-}"
eval "arg=\${CLI_MPI_ARG_$rank:-}"
[ -n "$device" ] && export CLNUM_DEVICE="$device"
[ -n "$arg" ] && set -- "$@" "$arg"
"$@"
echo $? > "$CLI_MPI_RC_DIR/rank.$rank"
exit 0
]=])

# mpirun -np NP [ENV VAR=VALUE...] ARGS...: sets out, err and rc in the caller.
function(mpi_run np)
  set(env "")
  set(args ${ARGN})
  list(FIND args ARGS at)
  if(NOT at EQUAL -1)
    list(SUBLIST args 0 ${at} env)
    math(EXPR at "${at} + 1")
    list(SUBLIST args ${at} -1 args)
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env ${env} ${MPIEXEC} ${flags} -np ${np} ${args}
    RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e TIMEOUT ${backstop})
  if(rc MATCHES "timeout" OR "${o}${e}" MATCHES "time limit for job execution has been reached")
    message(FATAL_ERROR "mpirun -np ${np} ${args}: still running after ${limit} s (a rank "
                        "waits for another that will not come)\n${o}\n${e}")
  endif()
  set(out "${o}" PARENT_SCOPE)
  set(err "${e}" PARENT_SCOPE)
  set(rc "${rc}" PARENT_SCOPE)
endfunction()

# The number of times regex matches text.
function(count_matches text regex out_var)
  # the matches come as a list: a ';' in them would split one into two
  string(REPLACE ";" "," text "${text}")
  string(REPLACE ";" "," regex "${regex}")
  string(REGEX MATCHALL "${regex}" found "${text}")
  list(LENGTH found n)
  set(${out_var} ${n} PARENT_SCOPE)
endfunction()

function(expect_once text regex)
  count_matches("${text}" "${regex}" n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "'${regex}' is printed ${n} times, expected once (rank 0 alone):\n${text}")
  endif()
endfunction()

# A failing run through the launcher: every rank exits with `code`, and the message matching
# `regex` is printed once, with no other error line.
function(expect_failure code regex)
  mpi_run(2 CLI_MPI_RC_DIR=${dir} ${ARGN})
  set(all "${out}${err}")
  foreach(r 0 1)
    if(NOT EXISTS ${dir}/rank.${r})
      message(FATAL_ERROR "rank ${r} recorded no exit status (it died or was killed):\n${all}")
    endif()
    file(READ ${dir}/rank.${r} status)
    string(STRIP "${status}" status)
    file(REMOVE ${dir}/rank.${r})
    if(NOT status EQUAL code)
      message(FATAL_ERROR "rank ${r} exited with ${status}, expected ${code}:\n${all}")
    endif()
  endforeach()
  expect_once("${all}" "clnum-linreg: [^\n]*${regex}")
  expect_once("${all}" "clnum-linreg: ")
  expect_no_match("${out}" "device: |error in estimating|training time")
  set(all "${all}" PARENT_SCOPE)
endfunction()

# w and b of a --json summary, as a list "w0;w1;...;b".
function(json_params file out_var)
  file(READ ${file} j)
  string(JSON n LENGTH "${j}" w)
  math(EXPR last "${n} - 1")
  set(values "")
  foreach(i RANGE ${last})
    string(JSON v GET "${j}" w ${i})
    list(APPEND values ${v})
  endforeach()
  string(JSON v GET "${j}" b)
  list(APPEND values ${v})
  set(${out_var} "${values}" PARENT_SCOPE)
endfunction()

# Two runs' parameters and training losses agree within float32 rounding (2e-5 absolute on
# values of order 1 to 10; the resolution of expect_near is 1e-6).
function(expect_same_fit what a b)
  json_params(${a} pa)
  json_params(${b} pb)
  foreach(va vb IN ZIP_LISTS pa pb)
    expect_near("${what}: a parameter" "${va}" "${vb}" 0.00002)
  endforeach()
  file(READ ${a} ja)
  file(READ ${b} jb)
  foreach(key epochs updates)
    string(JSON x GET "${ja}" ${key})
    string(JSON y GET "${jb}" ${key})
    if(NOT x EQUAL y)
      message(FATAL_ERROR "${what}: ${key} ${x} and ${y}")
    endif()
  endforeach()
  string(JSON n LENGTH "${ja}" train_loss y)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON x GET "${ja}" train_loss y ${i})
    string(JSON y GET "${jb}" train_loss y ${i})
    expect_near("${what}: training loss point ${i}" "${x}" "${y}" 0.0001)
  endforeach()
endfunction()

# Some parameter differs by more than 1e-3: another minibatch order.
function(expect_other_fit what a b)
  json_params(${a} pa)
  json_params(${b} pb)
  foreach(va vb IN ZIP_LISTS pa pb)
    to_micro("${va}" x)
    to_micro("${vb}" y)
    math(EXPR d "${x} - (${y})")
    if(d GREATER 1000 OR d LESS -1000)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "${what}: the parameters are the same (${pa} and ${pb}): the order did "
                      "not change anything, so the comparison above proves nothing")
endfunction()

if(SCENARIO STREQUAL "equal")
  # Synthetic data, 1001 training rows: shards of 501 and 500 rows.
  set(args --seed 7 --batch-size 64 --num-train 1001 --num-val 333 --epochs 3)
  mpi_run(2 ARGS ${EXE} ${args} --json ${dir}/mpi.json)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mpirun -np 2 clnum-linreg ${args}: exit ${rc}\n${out}\n${err}")
  endif()
  message("${out}")
  expect_once("${out}" "device: rank 0: ")
  expect_once("${out}" "device: rank 1: ")
  expect_once("${out}" "data-parallel: 2 ranks, each training on its shard \\(500 or 501 training rows\\); global minibatch 64 = 2 x 32")
  expect_once("${out}" "epoch 3: train_loss")
  expect_once("${out}" "error in estimating w: ")
  expect_once("${out}" "training time: [0-9.]+ ms \\(3 epochs, 48 updates; 2 ranks, ")
  run_expect(0 one ${args} --shards 2 --json ${dir}/shards.json)
  message("${one}")
  expect_match("${one}" "data-parallel order of 2 ranks in one process")
  expect_same_fit("mpirun -np 2 against one process with --shards 2" ${dir}/mpi.json ${dir}/shards.json)
  run_expect(0 plain ${args} --json ${dir}/plain.json)
  expect_other_fit("one process in its own order" ${dir}/mpi.json ${dir}/plain.json)
  # Shards kept in host memory and streamed: the same.
  mpi_run(2 ARGS ${EXE} ${args} --placement host --quiet --json ${dir}/mpi_host.json)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mpirun -np 2 clnum-linreg ${args} --placement host: exit ${rc}\n${out}\n${err}")
  endif()
  expect_same_fit("mpirun -np 2, host-resident shards" ${dir}/mpi_host.json ${dir}/shards.json)

  # One rank is the program alone: the same result, bit for bit, and today's lines.
  mpi_run(1 ARGS ${EXE} ${args} --json ${dir}/np1.json)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mpirun -np 1: exit ${rc}\n${out}\n${err}")
  endif()
  expect_match("${out}" "device: [^r]")
  expect_no_match("${out}" "rank|data-parallel")
  json_params(${dir}/np1.json p1)
  json_params(${dir}/plain.json p0)
  if(NOT p1 STREQUAL p0)
    message(FATAL_ERROR "mpirun -np 1 gives ${p1}, the program alone ${p0}")
  endif()

  # A CSV file: y = 3 a - 2 b + 0.5 c + 7 + noise, 203 rows with integer features; every
  # rank reads the file and trains on its shard of the split (81 + 81 training rows).
  set(csv ${dir}/data.csv)
  set(text "x1,x2,x3,y\n")
  set(seed 4242)
  foreach(i RANGE 1 203)
    math(EXPR seed "(${seed} * 1103515245 + 12345) % 2147483648")
    math(EXPR a "${seed} % 17 - 8")
    math(EXPR b "(${seed} / 17) % 23 - 11")
    math(EXPR c "(${seed} / 391) % 41")
    math(EXPR noise "(${seed} / 16031) % 21 - 10") # -10 .. 10 tenths
    math(EXPR y10 "30 * ${a} - 20 * ${b} + 5 * ${c} + 70 + ${noise}")
    math(EXPR whole "${y10} / 10")
    math(EXPR frac "${y10} % 10")
    if(frac LESS 0)
      math(EXPR frac "-(${frac})")
    endif()
    if(y10 LESS 0 AND whole EQUAL 0)
      set(whole "-0")
    endif()
    string(APPEND text "${a},${b},${c},${whole}.${frac}\n")
  endforeach()
  file(WRITE ${csv} "${text}")
  set(args --data ${csv} --standardize --epochs 2 --lr 0.05 --batch-size 16 --seed 5)
  mpi_run(2 ARGS ${EXE} ${args} --json ${dir}/mpi_csv.json)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mpirun -np 2 clnum-linreg ${args}: exit ${rc}\n${out}\n${err}")
  endif()
  message("${out}")
  expect_once("${out}" "parameter +sgd +exact")
  expect_once("${out}" "data-parallel: 2 ranks, each training on its shard \\(81 training rows\\); global minibatch 16 = 2 x 8")
  run_expect(0 one ${args} --shards 2 --json ${dir}/shards_csv.json)
  expect_same_fit("a CSV file, mpirun -np 2 against --shards 2" ${dir}/mpi_csv.json
                  ${dir}/shards_csv.json)
  run_expect(0 plain ${args} --json ${dir}/plain_csv.json)
  expect_other_fit("a CSV file, one process in its own order" ${dir}/mpi_csv.json
                   ${dir}/plain_csv.json)
  # The exact solution beside SGD's is the whole training split's, as alone.
  file(READ ${dir}/mpi_csv.json jm)
  file(READ ${dir}/plain_csv.json jp)
  string(JSON em GET "${jm}" b_exact)
  string(JSON ep GET "${jp}" b_exact)
  if(NOT em STREQUAL ep)
    message(FATAL_ERROR "the exact b under mpirun is ${em}, alone ${ep}")
  endif()

elseif(SCENARIO STREQUAL "bad_data")
  file(WRITE ${dir}/good.csv "x,y\n1,2\n2,4\n3,6.5\n4,8\n5,9.5\n6,12\n")
  expect_failure(1 "rank 1 of 2 failed: [^\n]*${dir}/missing.csv"
                 CLI_MPI_ARG_0=--data=${dir}/good.csv CLI_MPI_ARG_1=--data=${dir}/missing.csv
                 ARGS sh ${launcher} ${EXE} --val-fraction 0.25)

elseif(SCENARIO STREQUAL "bad_device")
  expect_failure(1 "rank 1 of 2 failed: CLNUM_DEVICE \\(from the environment\\): no device matches 'nowhere:0'"
                 CLI_MPI_DEVICE_1=nowhere:0 ARGS sh ${launcher} ${EXE})

elseif(SCENARIO STREQUAL "bad_option")
  expect_failure(2 "--batch-size 63 is the global minibatch: it must be a multiple of the 2 ranks"
                 ARGS sh ${launcher} ${EXE} --batch-size 63)
  expect_once("${all}" "\\(see --help\\)")
  expect_failure(2 "unknown option '--bogus'" ARGS sh ${launcher} ${EXE} --bogus)
  expect_once("${all}" "\\(see --help\\)")
  expect_failure(2 "rank 1 of 2: --lr: 'x' is not a valid finite number"
                 CLI_MPI_ARG_1=--lr=x ARGS sh ${launcher} ${EXE})
  expect_failure(2 "the ranks were given different command lines"
                 CLI_MPI_ARG_1=--solver=exact ARGS sh ${launcher} ${EXE})
  # Without the launcher, mpirun itself reports the failure.
  mpi_run(2 ARGS ${EXE} --shards 2)
  if(rc EQUAL 0)
    message(FATAL_ERROR "mpirun -np 2 clnum-linreg --shards 2 exited 0")
  endif()
  expect_once("${out}${err}" "clnum-linreg: --shards is for one process")

else()
  message(FATAL_ERROR "unknown scenario '${SCENARIO}'")
endif()
