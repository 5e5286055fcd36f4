cmake_minimum_required(VERSION 3.20) # script mode: today's policies (quoted strings are not variables)
# clnum-softmax (d2l 4.4's softmax regression) as a user runs it: synthetic classes (the
# epoch lines' format and count, accuracy well above chance, --quiet, --json, --plot), CSV
# files with text and integer labels, IDX files (Fashion-MNIST's format) that this script
# writes itself, raw and gzipped, and bad input turned into one line and an exit status (2
# for a bad option or value, 1 at run time); scikit-learn's iris.csv when Debian's
# python3-sklearn is there. Nothing here depends on the machine's speed: every run is a
# fixed number of epochs, and only their results are checked.
# Run by CTest with -DEXE -DWORK [-DRSVG] [-DIRIS] [-DPYTHON3].

include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
set(dir ${WORK}/cli_softmax)
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})
unset(ENV{CLNUM_TEST_SIGNAL_AT_EPOCH})

# run_expect of cli_common.cmake, naming this program.
function(run_expect code out_var)
  execute_process(COMMAND ${EXE} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL code)
    message(FATAL_ERROR "clnum-softmax ${ARGN}: exit ${rc}, expected ${code}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
  set(last_stdout "${out}" PARENT_SCOPE)
  set(last_stderr "${err}" PARENT_SCOPE)
endfunction()

# one_line(TEXT REGEX): TEXT (stderr) is one line, "clnum-softmax: ...", matching REGEX. Lines
# a driver writes of its own ("MESA: warning: ...", rusticl) are not the program's, nor the
# note of a first run's kernel build (cli_progress.cmake tests it).
function(one_line text regex)
  string(REGEX REPLACE "(^|\n)MESA: [^\n]*" "" text "${text}")
  string(REGEX REPLACE "(^|\n)clnum-softmax: buil(ding|t) kernels for [^\n]*" "" text "${text}")
  string(REGEX REPLACE "^\n+" "" text "${text}")
  string(REGEX REPLACE "\n+$" "" text "${text}")
  if(text MATCHES "\n")
    message(FATAL_ERROR "more than one line on stderr:\n${text}")
  endif()
  expect_match("${text}" "^clnum-softmax: ${regex}")
endfunction()

# check_epochs(OUT N WITH_VAL): OUT has exactly the lines "epoch 1: ..." to "epoch N: ...",
# in order, each in the documented format; sets last_acc to the last epoch's val_acc.
function(check_epochs out n with_val)
  set(num "[0-9]+\\.[0-9][0-9][0-9][0-9][0-9][0-9]")
  if(with_val)
    set(line_re "^epoch ([0-9]+): train_loss ${num} val_loss ${num} val_acc ([01]\\.[0-9][0-9][0-9][0-9])$")
  else()
    set(line_re "^epoch ([0-9]+): train_loss ${num}$")
  endif()
  string(REPLACE "\n" ";" lines "${out}")
  set(k 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "^epoch ")
      math(EXPR k "${k} + 1")
      if(NOT line MATCHES "${line_re}")
        message(FATAL_ERROR "an epoch line not in the format '${line_re}':\n${line}")
      endif()
      if(NOT CMAKE_MATCH_1 EQUAL k)
        message(FATAL_ERROR "epoch line ${k} is numbered ${CMAKE_MATCH_1}:\n${out}")
      endif()
      set(acc "${CMAKE_MATCH_2}")
    endif()
  endforeach()
  if(NOT k EQUAL n)
    message(FATAL_ERROR "${k} epoch lines, expected ${n}:\n${out}")
  endif()
  set(last_acc "${acc}" PARENT_SCOPE)
endfunction()

# json_len(FILE KEY VAR): the length of the JSON file's array KEY.
function(json_len file key var)
  file(READ ${file} j)
  string(JSON n ERROR_VARIABLE bad LENGTH "${j}" ${key})
  if(bad)
    message(FATAL_ERROR "${file}: no array '${key}': ${bad}\n${j}")
  endif()
  set(${var} ${n} PARENT_SCOPE)
endfunction()

function(json_get file key var)
  file(READ ${file} j)
  string(REPLACE "," ";" path "${key}")
  string(JSON v ERROR_VARIABLE bad GET "${j}" ${path})
  if(bad)
    message(FATAL_ERROR "${file}: no '${key}': ${bad}\n${j}")
  endif()
  set(${var} "${v}" PARENT_SCOPE)
endfunction()

# ---- synthetic classes: the default data -----------------------------------------------------
# 3 classes (chance: 1/3), d2l's defaults but for the epochs; the plot and the summary.
set(json ${dir}/synth.json)
set(svg ${dir}/synth.svg)
run_expect(0 out --epochs 4 --json ${json} --plot ${svg})
expect_match("${last_stdout}" "^device: [^\n]+\ndata: synthetic: 1000 training and 1000 validation rows, 2 inputs, 3 classes, noise 1, seed 0\nepoch 1: ")
check_epochs("${last_stdout}" 4 TRUE)
expect_between("the final val_acc" "${last_acc}" 0.9 1)
expect_match("${last_stdout}" "\nvalidation accuracy: ${last_acc} \\([0-9]+ of 1000 rows\\)\n")
expect_match("${last_stdout}" "\ntraining accuracy: [01]\\.[0-9]+ \\([0-9]+ of 1000 rows")
expect_match("${last_stdout}" "\nclass +train +val +val_acc\n0 +[0-9]+ +[0-9]+ +[01]\\.[0-9]+\n1 +[0-9]+ +[0-9]+ +[01]\\.[0-9]+\n2 +[0-9]+ +[0-9]+ +[01]\\.[0-9]+\n")
expect_match("${last_stdout}" "\ntraining time: [0-9.]+ ms \\(4 epochs, 16 updates, [a-z]+ path\\)\n$")
# the summary: every field, the per-epoch arrays as long as the epochs, accuracy as printed
file(READ ${json} j)
foreach(key device platform status epochs max_epochs train_loss val_loss val_acc time_ms classes
            train_counts val_counts num_classes final_val_acc train_acc)
  string(JSON type ERROR_VARIABLE missing TYPE "${j}" ${key})
  if(missing)
    message(FATAL_ERROR "the JSON summary lacks '${key}':\n${j}")
  endif()
endforeach()
expect_json(${json} status completed epochs 4 max_epochs 4 updates 16 num_classes 3 num_train
            1000 num_val 1000 source synthetic "classes,2" 2 batch_size 256)
foreach(key train_loss val_loss val_acc)
  json_len(${json} ${key} n)
  if(NOT n EQUAL 4)
    message(FATAL_ERROR "${key} has ${n} values, expected one per epoch (4)")
  endif()
endforeach()
json_get(${json} "val_acc,3" acc)
expect_near("the JSON's last val_acc" "${acc}" "${last_acc}" 0.00005)
json_get(${json} "val_acc,0" acc0)
json_get(${json} "train_loss,0" loss0)
json_get(${json} "train_loss,3" loss3)
expect_between("the first epoch's val_acc" "${acc0}" 0.5 1) # well above chance at once
to_micro("${loss0}" l0)
to_micro("${loss3}" l3)
if(NOT l3 LESS l0)
  message(FATAL_ERROR "the training loss did not fall: ${loss0} then ${loss3}")
endif()
json_get(${json} time_ms time_ms)
expect_match("${time_ms}" "^[0-9.e+-]+$")
# counts: each split's add up to its rows
foreach(split train val)
  set(sum 0)
  foreach(c 0 1 2)
    json_get(${json} "${split}_counts,${c}" n)
    math(EXPR sum "${sum} + ${n}")
  endforeach()
  if(NOT sum EQUAL 1000)
    message(FATAL_ERROR "the ${split} counts add up to ${sum}, not 1000")
  endif()
endforeach()
# the plot: chapter 4.4's three curves as d2l's board draws them, the accuracy in the title
file(READ ${svg} s)
expect_match("${s}" "<polyline id=\"train_loss\"")
expect_match("${s}" "<polyline id=\"val_loss\" stroke=\"#ff7f0e\" stroke-dasharray=")
expect_match("${s}" "softmax regression: final val_acc ${last_acc}</text>")
# val_acc dash-dot in C2, one point an epoch, the last at the axis's right end (4 epochs),
# each above that epoch's val_loss (about 0.97 against losses below 0.6) and inside the
# axes (y from 30, under the title, to 278): the y axis holds the accuracy too
set(curve_re "<polyline id=\"(val_loss|val_metric)\" stroke=\"#[0-9a-f]+\" stroke-dasharray=\"[0-9.,]+\" points=\"([^\"]*)\"")
expect_match("${s}" "<polyline id=\"val_metric\" stroke=\"#2ca02c\" stroke-dasharray=\"9.6,2.4,1.5,2.4\" points=\"")
string(REGEX MATCHALL "${curve_re}" curves "${s}")
list(LENGTH curves n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "the plot has ${n} dashed curves, expected val_loss and val_metric:\n${s}")
endif()
foreach(i 0 1)
  list(GET curves ${i} c)
  string(REGEX MATCH "${curve_re}" c "${c}")
  string(REPLACE " " ";" pts_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
endforeach()
list(LENGTH pts_val_metric n)
if(NOT n EQUAL 4)
  message(FATAL_ERROR "val_acc has ${n} points in the plot, expected 4: ${pts_val_metric}")
endif()
list(GET pts_val_metric 3 last)
expect_match("${last}" "^466\\.00,")
foreach(i 0 1 2 3)
  list(GET pts_val_metric ${i} a)
  list(GET pts_val_loss ${i} l)
  string(REGEX REPLACE "^[0-9.]+,([0-9]+)\\..*" "\\1" ya "${a}")
  string(REGEX REPLACE "^[0-9.]+,([0-9]+)\\..*" "\\1" yl "${l}")
  if(NOT (ya GREATER_EQUAL 30 AND ya LESS yl AND yl LESS_EQUAL 278))
    message(FATAL_ERROR "epoch ${i}: val_acc at ${a}, val_loss at ${l}: not val_acc above "
                        "val_loss inside the axes")
  endif()
endforeach()
# its legend row: the same line, named val_acc
expect_match("${s}" "stroke=\"#2ca02c\" stroke-width=\"1.5\" stroke-dasharray=\"9.6,2.4,1.5,2.4\"/>\n<text [^>]*>val_acc</text>")
expect_no_match("${s}" ">val_metric</text>")
if(RSVG)
  execute_process(COMMAND ${RSVG} -o ${dir}/synth.png ${svg} RESULT_VARIABLE rc)
  file(SIZE ${dir}/synth.png size)
  if(NOT rc EQUAL 0 OR size LESS 2000)
    message(FATAL_ERROR "rsvg-convert: exit ${rc}, ${size} bytes")
  endif()
endif()

# More classes in more dimensions, float64 where the device has it, rows in host memory.
run_expect(0 out --epochs 5 --num-classes 6 --num-inputs 4 --num-train 600 --num-val 300 --seed 7
           --batch-size 32 --placement host)
check_epochs("${last_stdout}" 5 TRUE)
expect_between("6 classes' val_acc (chance 0.17)" "${last_acc}" 0.6 1)
execute_process(COMMAND ${EXE} --epochs 2 --dtype float64 --quiet RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 1)
  one_line("${err}" ".*float64.*") # a device without cl_khr_fp64: said so, at run time
elseif(NOT rc EQUAL 0)
  message(FATAL_ERROR "--dtype float64: exit ${rc}\n${out}\n${err}")
endif()
# --title and --log-y reach the plot.
run_expect(0 out --epochs 2 --quiet --plot ${dir}/titled.svg --title "three classes" --log-y)
file(READ ${dir}/titled.svg s)
expect_match("${s}" ">three classes</text>")
expect_no_match("${s}" "final val_acc")
# Without validation rows the line is the training loss alone.
run_expect(0 out --epochs 3 --num-val 0)
check_epochs("${last_stdout}" 3 FALSE)
expect_match("${last_stdout}" "validation accuracy: none \\(no validation rows\\)")
# Weight decay trains too (and is in the summary).
run_expect(0 out --epochs 3 --weight-decay 0.5 --json ${json} --quiet)
expect_json(${json} weight_decay 0.5 status completed)

# --quiet: the device and the result lines, no data or epoch line.
run_expect(0 out --epochs 3 --quiet)
expect_no_match("${out}" "(^|\n)(epoch [0-9]|data:)")
expect_match("${last_stdout}" "^device: [^\n]+\nvalidation accuracy: ")
# --help and --list-devices
run_expect(0 out --help)
expect_match("${out}" "^usage: clnum-softmax")
expect_match("${out}" "--idx DIR")
run_expect(0 out --list-devices)
expect_match("${out}" "\\* the device clnum-softmax uses")

# ---- bad options and values: one line ending "(see --help)", exit 2 -------------------------
foreach(bad "--bogus" "--epochs;0" "--epochs;ten" "--lr;abc" "--lr;-1" "--lr;nan" "--batch-size;0"
            "--sigma;-1" "--weight-decay;-0.1" "--weight-decay;20" "--seed;-1" "--dtype;half"
            "--num-classes;1" "--placement;gpu" "--quiet=1" "--epochs"
            "--target;y" "--data;x.csv;--num-classes;4" "--data;x.csv;--idx;d"
            "--train-images;a" "--idx;d;--val-fraction;0.1"
            "--data;x.csv;--val-fraction;1" "--data;x.csv;--delimiter;ab" "--data;x.csv;--features;a,,b"
            "--train-images;a;--train-labels;b;--val-images;c" "--plot;x.png" "--log-y"
            "--title;t" "--exclude;a;--features;b" "--device;1:2:3" "--json")
  run_expect(2 out ${bad})
  one_line("${last_stderr}" ".+ \\(see --help\\)$")
endforeach()
run_expect(2 out --lr abc)
one_line("${last_stderr}" "--lr: 'abc' is not a valid finite number \\(see --help\\)$")
run_expect(2 out --bogus)
one_line("${last_stderr}" "unknown option '--bogus' \\(see --help\\)$")
set(ENV{CLNUM_TEST_SIGNAL_AT_EPOCH} 3:HUP)
run_expect(2 out --epochs 5 --quiet)
one_line("${last_stderr}" "CLNUM_TEST_SIGNAL_AT_EPOCH: '3:HUP' is not EPOCH")
unset(ENV{CLNUM_TEST_SIGNAL_AT_EPOCH})

# ---- failures at run time: one line, exit 1 --------------------------------------------------
run_expect(1 out --data ${dir}/no-such-file.csv)
one_line("${last_stderr}" ".*no-such-file.csv")
run_expect(1 out --idx ${dir}/no-such-folder)
one_line("${last_stderr}" "--idx .*no-such-folder: not a folder")
run_expect(1 out --idx ${dir})
one_line("${last_stderr}" "--idx: .*/train-images-idx3-ubyte: neither it nor train-images-idx3-ubyte.gz is there")
run_expect(1 out --device 7:3 --epochs 1)
one_line("${last_stderr}" ".*7:3")
run_expect(1 out --epochs 1 --json ${dir}/no-such-folder/x.json)
one_line("${last_stderr}" "--json: cannot write ")

# A run that diverges keeps what it did: the library's message, "diverged" in the summary.
set(div ${dir}/div.json)
run_expect(1 out --lr 1e38 --epochs 3 --json ${div} --plot ${dir}/div.svg)
one_line("${last_stderr}" "cln_fit: the loss became [^\n]* at epoch 1,")
expect_json(${div} status diverged epochs 0 max_epochs 3 updates 0)
json_len(${div} val_acc n)
file(READ ${dir}/div.svg s)
if(NOT n EQUAL 0 OR NOT s MATCHES ">diverged after 0 of 3 epochs</text>")
  message(FATAL_ERROR "a run that diverged at once: ${n} accuracies, or the plot lacks its title")
endif()
expect_no_match("${s}" "val_metric|val_acc</text>") # no epoch, no accuracy to draw

# SIGINT after epoch 2 (the test hook, cli_data.cmake): the epochs done, "interrupted", 130.
set(ENV{LINREG} "${EXE}")
set(ENV{CLNUM_TEST_SIGNAL_AT_EPOCH} 2)
execute_process(COMMAND sh -c "\"$LINREG\" \"$@\"" sh --epochs 6 --json ${dir}/int.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
unset(ENV{CLNUM_TEST_SIGNAL_AT_EPOCH})
if(NOT rc EQUAL 130)
  message(FATAL_ERROR "SIGINT after epoch 2: exit ${rc}, expected 130\n${out}\n${err}")
endif()
one_line("${err}" "SIGINT: stopped after epoch 2 of 6; writing the outputs of the epochs done$")
check_epochs("${out}" 2 TRUE)
expect_json(${dir}/int.json status interrupted epochs 2 max_epochs 6)

# ---- CSV files: labels as text and as integers ----------------------------------------------
# Three clusters in two features, their labels text ("cat", "dog", "bird": classes in bytewise
# order) or integers (10, 3, 7: classes in increasing order), with a comment line, a quoted
# header and an unused column.
set(text_csv "# generated by cli_softmax.cmake\nid,\"x1\",x2,animal,code\n")
set(seed 4242)
set(names cat dog bird)
set(codes 10 3 7)
foreach(i RANGE 1 150)
  math(EXPR seed "(${seed} * 1103515245 + 12345) % 2147483648")
  math(EXPR c "${seed} % 3")
  math(EXPR dx "(${seed} / 3) % 200 - 100")   # -100 .. 99, hundredths
  math(EXPR dy "(${seed} / 600) % 200 - 100")
  if(c EQUAL 0)
    math(EXPR x "500 + ${dx}")
    math(EXPR y "${dy}")
  elseif(c EQUAL 1)
    math(EXPR x "-500 + ${dx}")
    math(EXPR y "${dy}")
  else()
    math(EXPR x "${dx}")
    math(EXPR y "500 + ${dy}")
  endif()
  list(GET names ${c} name)
  list(GET codes ${c} code)
  string(APPEND text_csv "${i},${x}e-2,${y}e-2,${name},${code}\n")
endforeach()
set(csv ${dir}/animals.csv)
file(WRITE ${csv} "${text_csv}")
set(json ${dir}/animals.json)
run_expect(0 out --data ${csv} --target animal --features x1,x2 --epochs 20 --batch-size 16
           --json ${json})
expect_match("${last_stdout}" "data: .*animals.csv: 150 rows, 120 training and 30 validation \\(seed 0\\), 2 features, target 'animal' with 3 classes\n")
check_epochs("${last_stdout}" 20 TRUE)
expect_between("the animals' val_acc" "${last_acc}" 0.9 1)
expect_match("${last_stdout}" "\nclass +train +val +val_acc\nbird +[0-9]+ +[0-9]+ +[01]\\.[0-9]+\ncat +[0-9]+ +[0-9]+ +[01]\\.[0-9]+\ndog ")
expect_json(${json} source csv target animal num_classes 3 "classes,0" bird "classes,1" cat
            "classes,2" dog num_train 120 num_val 30 num_inputs 2)
run_expect(0 out --data ${csv} --target code --features x1,x2 --epochs 20 --batch-size 16
           --val-fraction 0.4 --seed 5 --standardize --json ${json})
check_epochs("${last_stdout}" 20 TRUE)
expect_between("the codes' val_acc" "${last_acc}" 0.9 1)
expect_json(${json} target code "classes,0" 3 "classes,1" 7 "classes,2" 10 num_train 90 num_val 60
            standardized ON) # a JSON true, as CMake reads it
# by index, without the header line (skipped): column 4 is "code"
run_expect(0 out --data ${csv} --skip-lines 2 --no-header --target 4 --features 1,2 --epochs 5
           --quiet --json ${json})
expect_json(${json} target 4 "classes,2" 10)
# a tab-separated copy
string(REPLACE "," "\t" tsv_text "${text_csv}")
file(WRITE ${dir}/animals.tsv "${tsv_text}")
run_expect(0 out --data ${dir}/animals.tsv --delimiter tab --target animal --features x1,x2
           --epochs 3 --quiet)
# A target column with a single class; one that is not there.
file(WRITE ${dir}/one.csv "x,y\n1,a\n2,a\n3,a\n")
run_expect(1 out --data ${dir}/one.csv --epochs 2)
one_line("${last_stderr}" ".*one.csv: the target column 'y' has a single class \\('a'\\): softmax regression needs two classes or more$")
run_expect(1 out --data ${csv} --target species --epochs 2)
one_line("${last_stderr}" ".*species")
# An output that is the data file: refused before anything is read, the file as it was.
run_expect(2 out --data ${csv} --target animal --json ${csv})
one_line("${last_stderr}" "--json .*animals.csv is the --data file .*: writing it would replace the training data$")
file(READ ${csv} after)
if(NOT after STREQUAL text_csv)
  message(FATAL_ERROR "the data file was changed")
endif()

# ---- IDX files (Fashion-MNIST's format), written here -----------------------------------------
# 4 x 4 images of 4 classes: class c lights up the 2 x 2 quadrant c (pixels 180 .. 255), the
# rest is dim (0 .. 59); 400 training and 100 validation images. Written raw (folder raw/),
# gzipped (gz/) and mixed; then malformed files: a wrong magic number, a short file, counts
# that disagree, a truncated gzip stream.
if(NOT PYTHON3)
  find_program(PYTHON3 python3)
endif()
if(PYTHON3)
  file(WRITE ${dir}/write_idx.py [=[
import gzip, os, random, struct, sys

out = sys.argv[1]
rng = random.Random(20240601)

def images(n):
    labels, pixels = [], bytearray()
    for _ in range(n):
        c = rng.randrange(4)
        labels.append(c)
        for r in range(4):
            for col in range(4):
                quadrant = (r // 2) * 2 + col // 2
                pixels.append(rng.randrange(180, 256) if quadrant == c else rng.randrange(60))
    img = struct.pack(">IIII", 0x803, n, 4, 4) + bytes(pixels)
    lab = struct.pack(">II", 0x801, n) + bytes(labels)
    return img, lab

def put(path, data, gz):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + (".gz" if gz else ""), "wb") as f:
        f.write(gzip.compress(data) if gz else data)

ti, tl = images(400)
vi, vl = images(100)
files = {"train-images-idx3-ubyte": ti, "train-labels-idx1-ubyte": tl,
         "t10k-images-idx3-ubyte": vi, "t10k-labels-idx1-ubyte": vl}
for name, data in files.items():
    put(os.path.join(out, "raw", name), data, False)
    put(os.path.join(out, "gz", name), data, True)
# mixed: the training images raw, the rest gzipped
for name, data in files.items():
    put(os.path.join(out, "mixed", name), data, name != "train-images-idx3-ubyte")
# malformed
put(os.path.join(out, "bad", "magic"), b"GIF89a" + ti[6:], False)
put(os.path.join(out, "bad", "short"), ti[:-5], False)
put(os.path.join(out, "bad", "labels99"), struct.pack(">II", 0x801, 99) + tl[8:8 + 99], False)
put(os.path.join(out, "bad", "cut.gz"), gzip.compress(ti)[:-12], False)
put(os.path.join(out, "bad", "zeros"), struct.pack(">II", 0x801, 400) + bytes(400), False)
]=])
  execute_process(COMMAND ${PYTHON3} ${dir}/write_idx.py ${dir}/idx RESULT_VARIABLE rc
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "writing the IDX files: ${err}")
  endif()

  # A folder of raw files and one of gzipped ones train the same, epoch for epoch.
  set(idx_args --epochs 8 --batch-size 32 --seed 3)
  run_expect(0 raw --idx ${dir}/idx/raw ${idx_args} --json ${dir}/idx.json)
  expect_match("${last_stdout}" "data: .*idx/raw \\(IDX\\): 400 training and 100 validation images of 16 pixels, 4 classes\n")
  check_epochs("${last_stdout}" 8 TRUE)
  expect_between("the IDX val_acc (chance 0.25)" "${last_acc}" 0.9 1)
  expect_json(${dir}/idx.json source idx num_inputs 16 num_classes 4 num_train 400 num_val 100
              "classes,3" 3)
  string(REGEX MATCHALL "epoch [0-9]+: [^\n]*" raw_epochs "${last_stdout}")
  run_expect(0 gz --idx ${dir}/idx/gz ${idx_args})
  string(REGEX MATCHALL "epoch [0-9]+: [^\n]*" gz_epochs "${last_stdout}")
  if(NOT raw_epochs STREQUAL gz_epochs)
    message(FATAL_ERROR "raw and gzipped IDX files trained differently:\n${raw_epochs}\n${gz_epochs}")
  endif()
  # the files one by one, raw and gzipped mixed; and without a validation pair
  set(m ${dir}/idx/mixed)
  run_expect(0 out --train-images ${m}/train-images-idx3-ubyte
             --train-labels ${m}/train-labels-idx1-ubyte.gz
             --val-images ${m}/t10k-images-idx3-ubyte.gz --val-labels ${m}/t10k-labels-idx1-ubyte.gz
             ${idx_args})
  string(REGEX MATCHALL "epoch [0-9]+: [^\n]*" mixed_epochs "${last_stdout}")
  if(NOT raw_epochs STREQUAL mixed_epochs)
    message(FATAL_ERROR "the files one by one trained differently:\n${raw_epochs}\n${mixed_epochs}")
  endif()
  run_expect(0 out --idx ${m} ${idx_args} --quiet) # a folder of raw and gzipped files
  run_expect(0 out --train-images ${m}/train-images-idx3-ubyte
             --train-labels ${m}/train-labels-idx1-ubyte.gz --epochs 2)
  check_epochs("${last_stdout}" 2 FALSE)
  # malformed files: exit 1, one line naming the file
  set(r ${dir}/idx/raw)
  foreach(case "magic;${r}/train-labels-idx1-ubyte" "short;${r}/train-labels-idx1-ubyte"
               "cut.gz;${r}/train-labels-idx1-ubyte" "${r}/train-images-idx3-ubyte;labels99")
    list(GET case 0 images)
    list(GET case 1 labels)
    if(NOT images MATCHES "/")
      set(images ${dir}/idx/bad/${images})
      set(named "${images}")
    else()
      set(labels ${dir}/idx/bad/${labels})
      set(named "${labels}")
    endif()
    run_expect(1 out --train-images ${images} --train-labels ${labels} --epochs 1)
    get_filename_component(base "${named}" NAME)
    string(REPLACE "." "\\." base "${base}")
    one_line("${last_stderr}" ".*${base}")
  endforeach()
  run_expect(1 out --train-images ${r}/train-images-idx3-ubyte --train-labels ${dir}/idx/bad/zeros
             --epochs 1)
  one_line("${last_stderr}" ".*zeros: every label is 0, a single class")
  # an output that is one of the IDX files: refused, exit 2
  run_expect(2 out --idx ${r} --json ${r}/t10k-labels-idx1-ubyte)
  one_line("${last_stderr}" "--json .* is the --idx file .*: writing it would replace the validation data$")
else()
  message(STATUS "python3 not found: the IDX cases (which it writes the files of) are skipped")
endif()

# ---- scikit-learn's iris.csv (Debian's python3-sklearn) -------------------------------------
# 150 rows, 4 features, labels 0, 1, 2 in the last column; its first line is a count line
# ("150,4,setosa,versicolor,virginica"), skipped, and there is no header.
if(IRIS AND EXISTS "${IRIS}")
  set(json ${dir}/iris.json)
  run_expect(0 out --data ${IRIS} --skip-lines 1 --no-header --standardize --epochs 50
             --batch-size 16 --json ${json})
  expect_match("${last_stdout}" "data: .*iris.csv: 150 rows, 120 training and 30 validation \\(seed 0\\), 4 features, target '4' with 3 classes, standardized\n")
  check_epochs("${last_stdout}" 50 TRUE)
  expect_between("iris's val_acc (chance 1/3)" "${last_acc}" 0.8 1)
  expect_json(${json} num_classes 3 "classes,0" 0 "classes,2" 2 num_train 120 num_val 30)
  set(sum 0)
  foreach(split train val)
    foreach(c 0 1 2)
      json_get(${json} "${split}_counts,${c}" n)
      math(EXPR sum "${sum} + ${n}")
    endforeach()
  endforeach()
  if(NOT sum EQUAL 150)
    message(FATAL_ERROR "iris's class counts add up to ${sum}, not 150")
  endif()
else()
  message(STATUS "iris.csv of python3-sklearn not found ('${IRIS}'): the iris case is skipped")
endif()
