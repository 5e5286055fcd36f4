cmake_minimum_required(VERSION 3.20) # script mode: today's policies (quoted strings are not variables)
# Saved models from the command line (model_file.h), for clnum-linreg and clnum-softmax:
# --save writes the trained model with its features' names, standardisation and classes;
# --load trains it on, its epochs numbered on, to the bits of one longer run; --load
# --predict applies it to new rows, their columns matched by name; "-" is standard input or
# output, with the other lines on stderr. Run by CTest with -DEXE (clnum-linreg) -DSOFTMAX
# -DWORK -DPYTHON3.

include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
set(dir ${WORK}/cli_model)
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})
unset(ENV{CLNUM_TEST_SIGNAL_AT_EPOCH})
set(LINREG ${EXE})

# one_line(TEXT REGEX): stderr is one line, "PROGRAM: ...", matching REGEX (a driver's own
# lines, "MESA: ...", and the note of a first run's kernel build left out).
function(one_line text regex)
  string(REGEX REPLACE "(^|\n)(MESA: |clnum-[a-z]+: buil(ding|t) kernels for )[^\n]*" "" text "${text}")
  string(REGEX REPLACE "^\n+" "" text "${text}")
  string(REGEX REPLACE "\n+$" "" text "${text}")
  if(text MATCHES "\n")
    message(FATAL_ERROR "more than one line on stderr:\n${text}")
  endif()
  expect_match("${text}" "^clnum-[a-z]+: ${regex}")
endfunction()

# run_prog(PROGRAM CODE OUT_VAR ARGS...): as run_expect, for either program; stdout alone in
# last_stdout.
function(run_prog exe code out_var)
  execute_process(COMMAND ${exe} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL code)
    message(FATAL_ERROR "${exe} ${ARGN}: exit ${rc}, expected ${code}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
  set(last_stdout "${out}" PARENT_SCOPE)
  set(last_stderr "${err}" PARENT_SCOPE)
endfunction()

# json_of(FILE KEY VAR): the value at KEY (';'-separated path) of a JSON file.
function(json_of file key var)
  file(READ ${file} j)
  string(REPLACE "," ";" path "${key}")
  string(JSON v ERROR_VARIABLE bad GET "${j}" ${path})
  if(bad)
    message(FATAL_ERROR "${file}: no '${key}': ${bad}\n${j}")
  endif()
  set(${var} "${v}" PARENT_SCOPE)
endfunction()

# python(SCRIPT ARGS...): runs python3 on SCRIPT; a failed assertion fails the test.
function(python script)
  if(NOT PYTHON3)
    return()
  endif()
  execute_process(COMMAND ${PYTHON3} -c "${script}" ${ARGN} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "python3 check failed:\n${err}${out}")
  endif()
endfunction()

# ---- a CSV file: price = 3 rooms - 2 age + 0.5 area + 7, with an id and a text column ------
set(csv ${dir}/houses.csv)
set(text "id,rooms,age,area,name,price\n")
set(rows_text "name,area,extra,age,rooms\n") # the features in another order, a column more
set(seed 777)
foreach(i RANGE 1 60)
  math(EXPR seed "(${seed} * 1103515245 + 12345) % 2147483648")
  math(EXPR rooms "1 + ${seed} % 9")
  math(EXPR age "(${seed} / 9) % 100 - 50")
  math(EXPR area "100 + (${seed} / 900) % 1000")
  math(EXPR price2 "6 * ${rooms} - 4 * ${age} + ${area} + 14")
  math(EXPR whole "${price2} / 2")
  math(EXPR half "${price2} % 2")
  set(price "${whole}")
  if(half EQUAL 1)
    set(price "${whole}.5")
  endif()
  string(APPEND text "${i},${rooms},${age},${area},house ${i},${price}\n")
  if(i LESS_EQUAL 5)
    string(APPEND rows_text "\"house, ${i}\",${area},x${i},${age},${rooms}\n")
  endif()
endforeach()
file(WRITE ${csv} "${text}")
set(rows ${dir}/rows.csv)
file(WRITE ${rows} "${rows_text}")

# --version, and the version every JSON carries.
run_prog(${LINREG} 0 out --version)
string(REGEX MATCH "^clnum-linreg ([0-9.]+)\n$" m "${out}")
set(version "${CMAKE_MATCH_1}")
if(NOT version)
  message(FATAL_ERROR "--version printed '${out}'")
endif()
run_prog(${SOFTMAX} 0 out --version)
expect_match("${out}" "^clnum-softmax ${version}\n$")

# ---- clnum-linreg: train and save, standardised, the id and text columns excluded ----------
set(train --data ${csv} --exclude id,name --standardize --lr 0.1 --batch-size 16 --seed 2)
set(m1 ${dir}/m1.json)
run_prog(${LINREG} 0 out ${train} --epochs 30 --save ${m1} --json ${dir}/j1.json --quiet)
expect_json(${m1} format clnum-model kind linreg epochs_trained 30 standardized ON
            "features,0,name" rooms "features,1,name" age "features,2,name" area target price
            clnum_version ${version})
expect_json(${dir}/j1.json clnum_version ${version} epochs 30 epochs_trained 30 "features,2" area)

# Trained on: 30 then 20 more epochs give the bits of 50 at once (the epochs numbered on, so
# the same orders; the parameters saved bit for bit), the lines numbered 31 to 50.
run_prog(${LINREG} 0 out --load ${m1} --data ${csv} --lr 0.1 --batch-size 16 --seed 2 --epochs 20
         --save ${dir}/m2.json --json ${dir}/j2.json)
expect_match("${last_stdout}" "standardized as the --load model's training rows")
expect_match("${last_stdout}" "\nepoch 31: train_loss ")
expect_match("${last_stdout}" "\nepoch 50: train_loss ")
expect_no_match("${last_stdout}" "\nepoch (1|30|51):")
expect_json(${dir}/j2.json epochs 20 max_epochs 20 epochs_trained 50 status completed)
expect_json(${dir}/m2.json epochs_trained 50)
run_prog(${LINREG} 0 out ${train} --epochs 50 --json ${dir}/j50.json --quiet)
foreach(key "w,0" "w,1" "w,2" b train_mse)
  json_of(${dir}/j2.json ${key} resumed)
  json_of(${dir}/j50.json ${key} straight)
  if(NOT resumed STREQUAL straight)
    message(FATAL_ERROR "${key}: ${resumed} after 30 + 20 epochs, ${straight} after 50")
  endif()
endforeach()

# Predictions: the rows' columns by name, in any order, standardised as the training rows were;
# TARGET_hat a row, as the summary's w and b (the file's units) give it.
set(pred ${dir}/pred.csv)
run_prog(${LINREG} 0 out --load ${dir}/m2.json --predict ${rows} --output ${pred})
expect_match("${last_stdout}" "^device: [^\n]+\npredictions: 5 rows of [^\n]*rows.csv, price_hat, to [^\n]*pred.csv\n$")
file(READ ${pred} p)
expect_match("${p}" "^price_hat\n([-0-9.e+]+\n)+$")
python([=[
import csv, json, sys
j = json.load(open(sys.argv[1]))
w, b = dict(zip(j['features'], j['w'])), j['b']
rows = list(csv.DictReader(open(sys.argv[2])))
got = [float(r['price_hat']) for r in csv.DictReader(open(sys.argv[3]))]
assert len(got) == len(rows) == 5, got
for r, g in zip(rows, got):
    want = sum(w[k] * float(r[k]) for k in w) + b
    assert abs(g - want) <= 1e-4 * (1 + abs(want)), (g, want)
    true = 3 * float(r['rooms']) - 2 * float(r['age']) + 0.5 * float(r['area']) + 7
    assert abs(g - true) < 1, (g, true)
]=] ${dir}/j2.json ${rows} ${pred})
# ... the same from standard input to standard output, nothing else there
execute_process(COMMAND ${LINREG} --load ${dir}/m2.json --predict - INPUT_FILE ${rows}
                RESULT_VARIABLE rc OUTPUT_VARIABLE piped ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT piped STREQUAL p)
  message(FATAL_ERROR "--predict - to standard output: exit ${rc}\n${piped}\nexpected\n${p}\n${err}")
endif()
expect_match("${err}" "device: [^\n]+\npredictions: 5 rows of standard input, price_hat, to standard output\n")
# a feature missing from the rows: one line naming it, exit 1
file(WRITE ${dir}/no_age.csv "rooms,area\n3,500\n")
run_prog(${LINREG} 1 out --load ${dir}/m2.json --predict ${dir}/no_age.csv --output ${dir}/x.csv)
one_line("${last_stderr}" ".*age")

# The synthetic chapter saved and trained on (x1, x2), to standard output with --save -: the
# model alone there, the other lines on stderr.
execute_process(COMMAND ${LINREG} --epochs 2 --save - RESULT_VARIABLE rc OUTPUT_VARIABLE model
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "--save -: exit ${rc}\n${model}\n${err}")
endif()
file(WRITE ${dir}/syn.json "${model}")
expect_json(${dir}/syn.json kind linreg epochs_trained 2 "features,0,name" x1 "features,1,name" x2)
expect_match("${err}" "\nepoch 2: train_loss [^\n]*\nerror in estimating w: ")
run_prog(${LINREG} 0 out --load ${dir}/syn.json --epochs 1 --json - --quiet)
string(JSON n GET "${last_stdout}" epochs_trained)
if(NOT n EQUAL 3)
  message(FATAL_ERROR "--json - after --load: epochs_trained '${n}', expected 3\n${last_stdout}")
endif()

# --plot - and --csv -: the file alone on standard output too.
run_prog(${LINREG} 0 out --epochs 2 --plot -)
expect_match("${last_stdout}" "^<\\?xml [^\n]*\n<svg ")
expect_match("${last_stdout}" "</svg>\n$")
expect_match("${last_stderr}" "\nepoch 2: train_loss ")
run_prog(${LINREG} 0 out --epochs 2 --csv - --quiet)
expect_match("${last_stdout}" "^curve,x,loss\ntrain_loss,")

# What does not go with a saved model: one line, exit 2 (1 for a file that is not one).
foreach(bad "--load;${m1};--standardize" "--load;${m1};--features;rooms" "--predict;${rows}"
            "--load;${m1};--dtype;float64" "--load;${m1};--exclude;id"
            "--load;${m1};--predict;${rows};--epochs;3" "--output;x.csv"
            "--load;${m1};--solver;exact" "--solver;exact;--save;x.json"
            "--json;-;--save;-" "--load;-;--predict;-")
  run_prog(${LINREG} 2 out ${bad})
  one_line("${last_stderr}" ".+ \\(see --help\\)$|.*both standard (input|output).*")
endforeach()
file(WRITE ${dir}/not_model.json "{\"format\": \"something else\"}\n")
run_prog(${LINREG} 1 out --load ${dir}/not_model.json --predict ${rows})
one_line("${last_stderr}" ".+")
run_prog(${LINREG} 2 out --data ${csv} --save ${csv})
one_line("${last_stderr}" "--save [^\n]*houses.csv is the --data file")

# ---- clnum-softmax: synthetic classes, then a CSV file of text labels ----------------------
set(s1 ${dir}/s1.json)
run_prog(${SOFTMAX} 0 out --epochs 3 --save ${s1} --quiet)
expect_json(${s1} kind softmax epochs_trained 3 "classes,2" 2)
# Rows at the three centres (3, 0), (-3, 0) and (0, 3), twice as far out: classes 0, 1, 2.
file(WRITE ${dir}/points.csv "x2,x1\n0,6\n0,-6\n6,0\n")
set(spred ${dir}/spred.csv)
run_prog(${SOFTMAX} 0 out --load ${s1} --predict ${dir}/points.csv --output ${spred})
file(STRINGS ${spred} lines)
list(GET lines 0 header)
if(NOT header STREQUAL "y_hat,probability,p_0,p_1,p_2")
  message(FATAL_ERROR "the predictions' header is '${header}'")
endif()
set(k 0)
foreach(want 0 1 2)
  math(EXPR k "${k} + 1")
  list(GET lines ${k} line)
  expect_match("${line}" "^${want},")
endforeach()
python([=[
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    p = [float(r['p_%d' % c]) for c in range(3)]
    assert abs(sum(p) - 1) < 1e-6, p
    assert float(r['probability']) == max(p) == p[int(r['y_hat'])], r
    assert max(p) > 0.9, r
]=] ${spred})
# The same points with no header, after a line to skip: columns by index, x1 then x2 (the
# names x1, x2 of a model trained on synthetic data are not in a header here).
file(WRITE ${dir}/points_bare.csv "3 rows\n6,0\n-6,0\n0,6\n")
set(bare ${dir}/spred_bare.csv)
run_prog(${SOFTMAX} 0 out --load ${s1} --predict ${dir}/points_bare.csv --no-header --skip-lines 1
         --output ${bare})
file(STRINGS ${bare} lines)
list(LENGTH lines n)
if(NOT n EQUAL 4)
  message(FATAL_ERROR "--no-header --skip-lines 1: ${n} lines of predictions\n${lines}")
endif()
set(k 0)
foreach(want 0 1 2)
  math(EXPR k "${k} + 1")
  list(GET lines ${k} line)
  expect_match("${line}" "^${want},")
endforeach()
# Trained on: the epochs numbered on.
run_prog(${SOFTMAX} 0 out --load ${s1} --epochs 2 --json ${dir}/sj.json)
expect_match("${last_stdout}" "\nepoch 4: train_loss [^\n]*\nepoch 5: train_loss ")
expect_json(${dir}/sj.json epochs 2 epochs_trained 5 clnum_version ${version})

# Text labels: the classes by name, in the model's order, whatever a later file holds.
set(animals ${dir}/animals.csv)
set(text "x1,x2,animal,note\n")
set(subset "x1,x2,animal,note\n") # no bird
set(seed 99)
foreach(i RANGE 1 90)
  math(EXPR seed "(${seed} * 1103515245 + 12345) % 2147483648")
  math(EXPR c "${seed} % 3")
  math(EXPR d "(${seed} / 3) % 100")
  if(c EQUAL 0)
    set(row "5.${d},0.${d},cat,n${i}")
  elseif(c EQUAL 1)
    set(row "-5.${d},0.${d},dog,n${i}")
  else()
    set(row "0.${d},5.${d},bird,n${i}")
  endif()
  string(APPEND text "${row}\n")
  if(NOT c EQUAL 2)
    string(APPEND subset "${row}\n")
  endif()
endforeach()
file(WRITE ${animals} "${text}")
file(WRITE ${dir}/subset.csv "${subset}")
set(a1 ${dir}/a1.json)
run_prog(${SOFTMAX} 0 out --data ${animals} --target animal --exclude note --epochs 20
         --batch-size 16 --save ${a1} --quiet)
expect_json(${a1} "classes,0" bird "classes,1" cat "classes,2" dog target animal
            "features,1,name" x2)
run_prog(${SOFTMAX} 0 out --load ${a1} --data ${dir}/subset.csv --epochs 2 --batch-size 16
         --json ${dir}/aj.json)
expect_json(${dir}/aj.json num_classes 3 "classes,0" bird "train_counts,0" 0 epochs_trained 22)
file(WRITE ${dir}/animal_rows.csv "x2,x1\n0,6\n0,-6\n6,0\n")
execute_process(COMMAND ${SOFTMAX} --load ${a1} --predict - --quiet INPUT_FILE ${dir}/animal_rows.csv
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^animal_hat,probability,p_bird,p_cat,p_dog\ncat,[^\n]*\ndog,[^\n]*\nbird,[^\n]*\n$")
  message(FATAL_ERROR "--predict - of the animals: exit ${rc}\n${out}\n${err}")
endif()
# a label the model does not know: one line, exit 1
file(WRITE ${dir}/fish.csv "x1,x2,animal,note\n1,2,fish,a\n2,1,cat,b\n3,3,dog,c\n")
run_prog(${SOFTMAX} 1 out --load ${a1} --data ${dir}/fish.csv --epochs 1 --val-fraction 0)
one_line("${last_stderr}" "class 'fish' of the data is not one of the --load model's 3 classes")
# a linear regression is not a softmax model: one line, exit 1
run_prog(${SOFTMAX} 1 out --load ${m1} --epochs 1)
one_line("${last_stderr}" ".+")
foreach(bad "--load;${a1};--num-classes;4" "--load;${a1};--dtype;float64"
            "--predict;${rows}" "--load;${a1};--predict;${rows};--epochs;2")
  run_prog(${SOFTMAX} 2 out ${bad})
  one_line("${last_stderr}" ".+ \\(see --help\\)$")
endforeach()
