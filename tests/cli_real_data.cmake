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
expect_match("${out}" "\nb +-3482258\\.6\n")
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
