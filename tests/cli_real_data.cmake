cmake_minimum_required(VERSION 3.20) # script mode: today's policies
# clnum-linreg on real data that a Debian package ships: the CSV datasets of python3-statsmodels
# (-DDATASETS=.../statsmodels/datasets). Run by CTest with -DEXE -DWORK -DDATASETS.
#  - Longley (1967), NIST's reference regression: the exact solver prints NIST's certified
#    coefficients; SGD (standardised, float32) is ill-conditioned here and only approaches
#    the least-squares fit: its training MSE is above the exact one, and within 25% of it.
#  - Brownlee's stack loss (21 rows, 3 features, well conditioned): SGD on the full batch
#    agrees with the exact solution, whose coefficients are the textbook ones
#    (-39.9197 + 0.7156 AIRFLOW + 1.2953 WATERTEMP - 0.1521 ACIDCONC).
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

set(longley ${DATASETS}/longley/longley.csv)
set(lf --data ${longley} --target TOTEMP --features GNPDEFL,GNP,UNEMP,ARMED,POP,YEAR --val-fraction 0)
run_expect(0 out ${lf} --solver exact)
# NIST StRD certified values, to the 8 digits printed
expect_match("${out}" "GNPDEFL +15\\.061872\n")
expect_match("${out}" "GNP +-0\\.035819179\n")
expect_match("${out}" "UNEMP +-2\\.0202298\n")
expect_match("${out}" "ARMED +-1\\.0332269\n")
expect_match("${out}" "POP +-0\\.051104106\n")
expect_match("${out}" "YEAR +1829\\.1515\n")
expect_match("${out}" "\n\\(bias\\) +-3482258\\.6\n")
expect_match("${out}" "condition number about 11[01]")

set(json ${WORK}/cli_real_longley.json)
run_expect(0 out ${lf} --standardize --epochs 10000 --lr 0.1 --batch-size 16 --quiet --json ${json})
file(READ ${json} j)
string(JSON sgd_mse GET "${j}" train_mse)
string(JSON exact_mse GET "${j}" train_mse_exact)
string(JSON b_exact GET "${j}" b_exact)
expect_near("Longley exact b (JSON)" "${b_exact}" -3482258.63459582 0.0001)
expect_near("Longley exact training MSE" "${exact_mse}" 52276.503 0.001)
# SGD cannot beat least squares on the rows it trains on, and gets close
expect_between("Longley SGD training MSE" "${sgd_mse}" 52276.5 65345)
message(STATUS "Longley: SGD training MSE ${sgd_mse}, exact ${exact_mse}")

set(stack ${DATASETS}/stackloss/stackloss.csv)
set(json ${WORK}/cli_real_stackloss.json)
run_expect(0 out --data ${stack} --target STACKLOSS --standardize --val-fraction 0
           --epochs 1000 --lr 0.1 --batch-size 21 --json ${json})
expect_match("${out}" "21 rows, 21 training and 0 validation")
file(READ ${json} j)
set(names AIRFLOW WATERTEMP ACIDCONC)
set(textbook 0.7156 1.2953 -0.1521)
foreach(k RANGE 2)
  list(GET names ${k} name)
  list(GET textbook ${k} want)
  string(JSON got GET "${j}" features ${k})
  if(NOT got STREQUAL name)
    message(FATAL_ERROR "feature ${k} is '${got}', expected ${name}")
  endif()
  string(JSON w GET "${j}" w ${k})
  string(JSON we GET "${j}" w_exact ${k})
  expect_near("stack loss exact w[${name}]" "${we}" ${want} 0.0001)
  expect_near("stack loss SGD w[${name}] against exact ${we}" "${w}" "${we}" 0.002)
endforeach()
string(JSON b GET "${j}" b)
string(JSON be GET "${j}" b_exact)
expect_near("stack loss exact b" "${be}" -39.9197 0.0001)
expect_near("stack loss SGD b against exact ${be}" "${b}" "${be}" 0.05)
message(STATUS "stack loss: SGD b ${b}, exact ${be}")

# ---- rank-deficient training rows: the exact solver gives the minimum-norm solution -------
# (it refused these and threw SGD's finished run away: exit 1, nothing printed or saved)
# A constant feature: fair_pt.csv ships a column 'constant' of 1.0. It gets weight 0, the
# others those of the fit without it.
set(fair ${DATASETS}/fair/fair_pt.csv)
set(json ${WORK}/cli_real_constant.json)
run_expect(0 out --data ${fair} --target naffairs --features constant,age,education
           --val-fraction 0 --standardize --epochs 20 --quiet --json ${json})
expect_match("${out}" "\nconstant +[-0-9.e]+ +0\n")
file(READ ${json} j)
string(JSON w0 GET "${j}" w_exact 0)
string(JSON sgd1 GET "${j}" w 1)
if(NOT w0 MATCHES "^-?0(\\.0)?$") # a JSON real: 0.0
  message(FATAL_ERROR "the constant feature's exact weight is ${w0}, expected 0")
endif()
set(json2 ${WORK}/cli_real_constant_ref.json)
run_expect(0 out --data ${fair} --target naffairs --features age,education --val-fraction 0
           --solver exact --json ${json2})
file(READ ${json2} j2)
foreach(k 0 1)
  math(EXPR k1 "${k} + 1")
  string(JSON a GET "${j}" w_exact ${k1})
  string(JSON e GET "${j2}" w ${k})
  expect_near("fair_pt: exact w[${k1}] beside a constant feature" "${a}" "${e}" 0.000001)
endforeach()
string(JSON a GET "${j}" b_exact)
string(JSON e GET "${j2}" b)
expect_near("fair_pt: exact b beside a constant feature" "${a}" "${e}" 0.000001)

# Two identical features: stack loss with AIRFLOW twice. They share its textbook weight.
set(stack2 ${WORK}/cli_real_stackloss_twice.csv)
file(STRINGS ${stack} lines)
list(POP_FRONT lines) # the header
set(text "STACKLOSS,AIRFLOW,WATERTEMP,ACIDCONC,AIRFLOW2\n")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "^([^,]*),([^,]*),(.*)$" "\\1,\\2,\\3,\\2" line "${line}")
  string(APPEND text "${line}\n")
endforeach()
file(WRITE ${stack2} "${text}")
set(json ${WORK}/cli_real_twice.json)
run_expect(0 out --data ${stack2} --target STACKLOSS --standardize --val-fraction 0
           --epochs 200 --lr 0.05 --batch-size 21 --quiet --json ${json})
file(READ ${json} j)
string(JSON a GET "${j}" w_exact 0)
string(JSON a2 GET "${j}" w_exact 3)
expect_near("stack loss, AIRFLOW twice: exact w[AIRFLOW]" "${a}" 0.3578 0.0001)
expect_near("stack loss, AIRFLOW twice: exact w[AIRFLOW2]" "${a2}" 0.3578 0.0001)
string(JSON a GET "${j}" w_exact 1)
expect_near("stack loss, AIRFLOW twice: exact w[WATERTEMP]" "${a}" 1.2953 0.0001)
string(JSON a GET "${j}" b_exact)
expect_near("stack loss, AIRFLOW twice: exact b" "${a}" -39.9197 0.0001)
string(JSON a GET "${j}" w 0) # SGD's result is there too
string(JSON a GET "${j}" train_mse)

# Fewer training rows than features + 1: star98 (303 rows, 21 features), 99% held out
# leaves 3; the exact solution fits them exactly, SGD's run is printed beside it.
set(json ${WORK}/cli_real_few_rows.json)
run_expect(0 out --data ${DATASETS}/star98/star98.csv --target MATHTOT --val-fraction 0.99
           --standardize --epochs 5 --quiet --json ${json})
expect_match("${out}" "parameter +sgd +exact")
file(READ ${json} j)
string(JSON a GET "${j}" num_train)
if(NOT a EQUAL 3)
  message(FATAL_ERROR "star98 with 99% held out: ${a} training rows, expected 3")
endif()
string(JSON a GET "${j}" train_mse_exact)
expect_near("star98, 3 training rows: exact training MSE" "${a}" 0 0.000001)
string(JSON a GET "${j}" train_mse)

# 10,000 features, 12 rows: columns k, k + 10, k + 20, ... are equal (rank 10), so the
# minimum-norm solution gives them equal weights.
set(wide ${WORK}/cli_real_wide.csv)
set(header "")
foreach(k RANGE 9999)
  string(APPEND header "x${k},")
endforeach()
set(text "${header}y\n")
set(seed 12345)
foreach(i RANGE 11)
  set(block "")
  foreach(k RANGE 9)
    math(EXPR seed "(${seed} * 1103515245 + 12345) % 2147483648")
    math(EXPR v "${seed} % 2001 - 1000")
    string(APPEND block "${v},")
  endforeach()
  string(REPEAT "${block}" 1000 row)
  math(EXPR y "${seed} % 97")
  string(APPEND text "${row}${y}\n")
endforeach()
file(WRITE ${wide} "${text}")
set(json ${WORK}/cli_real_wide.json)
run_expect(0 out --data ${wide} --val-fraction 0 --standardize --epochs 3 --lr 0.00001
           --batch-size 12 --quiet --json ${json})
file(READ ${json} j)
string(JSON n LENGTH "${j}" w_exact)
if(NOT n EQUAL 10000)
  message(FATAL_ERROR "10,000 features: ${n} exact weights")
endif()
foreach(k 0 3 9)
  string(JSON a GET "${j}" w_exact ${k})
  math(EXPR k2 "${k} + 9990")
  string(JSON a2 GET "${j}" w_exact ${k2})
  expect_near("10,000 features: exact w[${k2}] against w[${k}]" "${a2}" "${a}" 0.000001)
endforeach()
string(JSON a GET "${j}" w 9999)

# The rank, and whether the solution is the only one, in the output and the JSON summary.
run_expect(0 out --data ${fair} --target naffairs --features constant,age,education
           --val-fraction 0 --solver exact)
expect_match("${out}" "rank 2 of 3 features, condition number about")
expect_match("${out}" "not unique: .*minimum-norm solution.*one of infinitely many")
run_expect(0 out ${lf} --solver exact)
expect_match("${out}" "rank 6 of 6 features, condition number about 11[01]\n")
expect_no_match("${out}" "not unique")
foreach(run "longley 6 ON" "constant 2 OFF" "twice 3 OFF" "few_rows 2 OFF" "wide 10 OFF")
  separate_arguments(run)
  list(GET run 0 name)
  list(GET run 1 want_rank)
  list(GET run 2 want_unique)
  file(READ ${WORK}/cli_real_${name}.json j)
  string(JSON rank GET "${j}" rank)
  string(JSON unique GET "${j}" unique)
  if(NOT rank EQUAL want_rank OR NOT unique STREQUAL want_unique)
    message(FATAL_ERROR "${name}: JSON rank ${rank}, unique ${unique}; expected ${want_rank}, ${want_unique}")
  endif()
endforeach()
