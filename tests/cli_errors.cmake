# clnum-linreg on bad input (issue 4): every failure is one readable line on stderr and a
# non-zero exit, 2 for a bad option or value (the line ends "(see --help)"), 1 otherwise. Run
# by CTest with -DEXE and -DWORK.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# one_line(TEXT REGEX): stderr is exactly one line, "clnum-linreg: ...", matching REGEX
function(one_line text regex)
  # the note of a first run's kernel build is not a failure's (cli_progress.cmake tests it)
  string(REGEX REPLACE "(^|\n)clnum-linreg: buil(ding|t) kernels for [^\n]*" "" text "${text}")
  string(REGEX REPLACE "^\n+" "" text "${text}")
  string(REGEX REPLACE "\n$" "" text "${text}")
  if(text MATCHES "\n")
    message(FATAL_ERROR "more than one line on stderr:\n${text}")
  endif()
  expect_match("${text}" "^clnum-linreg: ${regex}")
endfunction()

# Values the parser refuses: one line naming the option, "see --help", exit 2 (not the
# whole usage).
foreach(bad "--epochs;0" "--lr;inf" "--lr;-0.1" "--lr;nan" "--batch-size;0" "--seed;\t-1"
            "--num-train;0" "--noise;-1" "--val-fraction;1" "--bogus" "--epochs"
            "--json" "--quiet=1" "--solver;exact;--epochs;5" "--solver;exact;--lr;0.1"
            "--plot;x.png" "--log-y" "--title;t" "--exclude;a;--features;b")
  run_expect(2 out ${bad})
  list(GET bad 0 opt)
  string(REGEX REPLACE "=.*" "" opt "${opt}")
  one_line("${last_stderr}" "[^\n]*${opt}[^\n]* \\(see --help\\)$")
  expect_no_match("${out}" "usage:")
endforeach()

# The plot is SVG: a name for another image format is refused with the hint; --solver exact
# refuses what only SGD uses, as it refuses --plot.
run_expect(2 out --plot loss.PNG)
one_line("${last_stderr}" "--plot loss.PNG: the plot is an SVG file, not .png: name it FILE.svg \\(see --help\\)$")
run_expect(2 out --solver exact --batch-size 8)
one_line("${last_stderr}" "--batch-size is for SGD: it does not go with --solver exact \\(see --help\\)$")

# A device that does not exist, by the option and by the environment; a selector that is not
# one is a bad value (exit 2), as README says of every bad option.
run_expect(1 out --device 7:3)
one_line("${last_stderr}" "no device matches '7:3'")
run_expect(2 out --device 1:2:3)
one_line("${last_stderr}" "--device: device selector '1:2:3': expected PLATFORM:DEVICE with one ':' \\(see --help\\)$")
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

# --delimiter: a character that the reader gives a meaning of its own is a bad value, exit 2
# with one line, and the reason names the option and the value as given (issue 11): '#'
# starts comment lines, '"' quotes fields, CR and LF end records.
set(csv ${WORK}/cli_errors_delimiter.csv)
file(WRITE ${csv} "x#y\n1#2\n3#5\n4#1\n")
function(bad_delimiter shown why)
  run_expect(2 out --data ${csv} ${ARGN} --quiet)
  one_line("${last_stderr}" "--delimiter '${shown}': ${why}.* \\(see --help\\)$")
endfunction()
bad_delimiter("#" "'#' starts comment lines, so it cannot also separate fields" --delimiter "#")
bad_delimiter("#" "'#' starts comment lines" "--delimiter=#")
bad_delimiter("\"" "'\"' quotes fields, so it cannot also separate them" --delimiter "\"")
bad_delimiter("\\\\x0a" "a line break ends records, so it cannot separate fields" --delimiter "\n")
bad_delimiter("\\\\x0d" "a line break ends records" --delimiter "\r")
bad_delimiter("::" "a delimiter is one character \\(or 'tab'\\)" --delimiter "::")

# Text from the file reaches the output safely (issue 10). A header with the bytes 0xFF 0xFE
# (not UTF-8), a colour escape ESC[31m, a line break inside a quoted name and a tab: the JSON
# summary is valid JSON in valid UTF-8 with the names escaped (U+FFFD for what is not UTF-8),
# and every error quoting a name is one line without a raw control character (\xHH instead).
string(ASCII 255 254 notutf8)
string(ASCII 27 esc)
set(header "${notutf8}x,\"a${esc}[31m\",\"b\nc\",t\tab,y\n")
set(hostile ${WORK}/cli_errors_hostile.csv)
file(WRITE ${hostile} "${header}1,0,0,2,7\n0,1,0,1,3\n0,0,1,5,4\n2,1,3,0,9\n1,1,1,1,5\n3,0,2,1,8\n")
set(json ${WORK}/cli_errors_hostile.json)
file(REMOVE ${json})
run_expect(0 out --data ${hostile} --solver exact --val-fraction 0 --json ${json})
find_program(PYTHON3 python3)
if(PYTHON3)
  execute_process(COMMAND ${PYTHON3} -c
    "import json, sys\nd = json.load(open(sys.argv[1], encoding='utf-8'))\nwant = ['\\ufffd\\ufffdx', 'a\\x1b[31m', 'b\\nc', 't\\tab']\nassert d['features'] == want, d['features']\nassert d['target'] == 'y', d['target']"
    ${json} RESULT_VARIABLE rc OUTPUT_VARIABLE pout ERROR_VARIABLE perr)
  if(NOT rc EQUAL 0)
    file(READ ${json} j)
    message(FATAL_ERROR "the JSON summary of a hostile header is not valid or not as expected:\n${perr}\n${j}")
  endif()
else()
  message(STATUS "python3 not found: the JSON summary is only parsed by CMake")
  file(READ ${json} j)
  string(JSON n LENGTH "${j}" features)
endif()

# Every control character (C0 but NUL, DEL, C1), the quote and the backslash in one name;
# valid UTF-8 in another; in a third, what is not UTF-8 (a stray continuation byte, an
# overlong form, a surrogate, a code point above U+10FFFF, a sequence cut short), each byte
# of it one U+FFFD.
if(PYTHON3)
  string(ASCII 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29
         30 31 127 controls)
  string(ASCII 194 133 194 155 195 169 226 130 172 240 159 152 128 utf8)   # U+0085 U+009B é € 😀
  string(ASCII 128 97 192 175 98 237 160 128 99 244 144 128 128 100 226 130 broken)
  file(WRITE ${hostile} "\"${controls}\"\"\\\",\"${utf8}\",\"${broken}\",y\n"
       "1,0,0,1\n0,1,0,2\n0,0,1,3\n1,1,0,5\n0,1,1,4\n")
  run_expect(0 out --data ${hostile} --solver exact --val-fraction 0 --json ${json})
  execute_process(COMMAND ${PYTHON3} -c
    "import json, sys\nd = json.load(open(sys.argv[1], encoding='utf-8'))\nr = '\\ufffd'\nwant = [''.join(map(chr, range(1, 32))) + '\\x7f\"\\\\', '\\x85\\x9b\\xe9\\u20ac\\U0001f600', r + 'a' + 2 * r + 'b' + 3 * r + 'c' + 4 * r + 'd' + 2 * r]\nassert d['features'] == want, (d['features'], want)"
    ${json} RESULT_VARIABLE rc ERROR_VARIABLE perr)
  if(NOT rc EQUAL 0)
    file(READ ${json} j)
    message(FATAL_ERROR "the JSON summary of names with every control character is not valid or not as expected:\n${perr}\n${j}")
  endif()
endif()

# one printable line: no control character but the final line break, no byte that is not UTF-8
function(printable_line text regex)
  one_line("${text}" "${regex}")
  string(REGEX REPLACE "\n$" "" text "${text}")
  string(ASCII 1 2 3 4 5 6 7 8 9 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 127 ctl)
  expect_no_match("${text}" "[${ctl}]")
  expect_no_match("${text}" "${notutf8}")
endfunction()
file(WRITE ${hostile} "${header}1,z,0,2,7\n")
run_expect(1 out --data ${hostile} --quiet)
printable_line("${last_stderr}" ".*cli_errors_hostile.csv:3:3: 'z' in column 'a\\\\x1b\\[31m' is not a number")
file(WRITE ${hostile} "${header}1,0,z,2,7\n")
run_expect(1 out --data ${hostile} --quiet)
printable_line("${last_stderr}" ".*:3:5: 'z' in column 'b\\\\x0ac' is not a number")
file(WRITE ${hostile} "${header}1,0,0,${esc}[2J,7\n")
run_expect(1 out --data ${hostile} --quiet)
printable_line("${last_stderr}" ".*:3:7: '\\\\x1b\\[2J' in column 't\\\\x09ab' is not a number")
file(WRITE ${hostile} "${header}1,0,0,2,7\n")
run_expect(1 out --data ${hostile} --target nope --quiet)
printable_line("${last_stderr}" ".*no target column 'nope': the header has 5 columns \\('\\\\xff\\\\xfex', 'a\\\\x1b\\[31m', 'b\\\\x0ac', 't\\\\x09ab', 'y'\\)")

# ... and the table and the data line show them as \xHH too, every line printable.
file(WRITE ${hostile} "${header}1,0,0,2,7\n0,1,0,1,3\n0,0,1,5,4\n2,1,3,0,9\n1,1,1,1,5\n3,0,2,1,8\n")
run_expect(0 out --data ${hostile} --solver exact --val-fraction 0)
string(REGEX REPLACE "\n$" "" lines "${out}")
string(REPLACE "\n" ";" lines "${lines}")
foreach(line IN LISTS lines)
  printable_line("clnum-linreg: ${line}" ".*")
endforeach()
expect_match("${out}" "\n\\\\xff\\\\xfex +-?[0-9]")
expect_match("${out}" "\na\\\\x1b\\[31m +-?[0-9]")
expect_match("${out}" "\nb\\\\x0ac +-?[0-9]")
expect_match("${out}" "\nt\\\\x09ab +-?[0-9]")
expect_match("${out}" "data: .*cli_errors_hostile.csv: 6 rows.*target 'y'")

# ---- the output files, checked before anything runs (issue 6) -----------------------------
# An output that is the --data file (by its name, a hard link or a symbolic link), or two
# outputs that are one file, is refused: one line, exit 2, the data as it was.
set(data ${WORK}/cli_errors_outputs.csv)
set(data_text "x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n")
file(WRITE ${data} "${data_text}")
file(REMOVE ${WORK}/cli_errors_outputs_link.csv ${WORK}/cli_errors_outputs_hard.csv)
file(CREATE_LINK ${data} ${WORK}/cli_errors_outputs_link.csv SYMBOLIC)
file(CREATE_LINK ${data} ${WORK}/cli_errors_outputs_hard.csv)
foreach(out "--csv;${data}" "--json;${data}" "--plot;${data}"
            "--csv;${WORK}/cli_errors_outputs_link.csv" "--json;${WORK}/cli_errors_outputs_hard.csv")
  run_expect(2 o --data ${data} --val-fraction 0 ${out})
  list(GET out 0 opt)
  one_line("${last_stderr}" "${opt} [^\n]*cli_errors_outputs(_link|_hard)?.csv is the --data file [^\n]*: writing it would replace the training data")
  expect_no_match("${o}" "usage:|device:")
  file(READ ${data} now)
  if(NOT now STREQUAL data_text)
    message(FATAL_ERROR "${opt} the --data file changed it:\n${now}")
  endif()
endforeach()
set(same ${WORK}/cli_errors_same.json)
file(REMOVE ${same})
run_expect(2 o --json ${same} --plot ${WORK}/./cli_errors_same.json)
one_line("${last_stderr}" "--json [^\n]*cli_errors_same.json and --plot [^\n]*cli_errors_same.json are the same file: one would replace the other")
run_expect(2 o --json ${same} --csv ${same} --epochs 1)
one_line("${last_stderr}" "--json .* and --csv .* are the same file")
run_expect(2 o --json ${same} --save ${same} --epochs 1)
one_line("${last_stderr}" "--json .* and --save .* are the same file")
# Devices are not one file: /dev/null twice is fine.
run_expect(0 o --epochs 1 --quiet --json /dev/null --csv /dev/null)

# An output that cannot be written fails at once, before the device or the data are touched:
# one line with the reason, exit 1. A folder under a file fails for root too; a read-only
# folder does not stop root (CI's tests run as root), so that case needs another user.
run_expect(1 o --epochs 3 --json ${data}/x.json)
one_line("${last_stderr}" "--json: cannot write [^\n]*cli_errors_outputs.csv/x.json: Not a directory")
expect_no_match("${o}" "device:")
run_expect(1 o --data ${data} --val-fraction 0 --csv ${WORK}/no-such-folder/h.csv)
one_line("${last_stderr}" "--csv: cannot write [^\n]*no-such-folder/h.csv: No such file or directory")
expect_no_match("${o}" "device:|data:")
run_expect(1 o --epochs 3 --plot ${WORK})
one_line("${last_stderr}" "--plot: cannot write [^\n]*: Is a directory")
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(uid STREQUAL "0")
  message(STATUS "running as root, whom a read-only folder does not stop: that case is skipped")
else()
  set(ro ${WORK}/cli_errors_readonly)
  file(REMOVE_RECURSE ${ro})
  file(MAKE_DIRECTORY ${ro})
  file(CHMOD ${ro} PERMISSIONS OWNER_READ OWNER_EXECUTE)
  run_expect(1 o --epochs 3 --json ${ro}/x.json)
  file(CHMOD ${ro} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  one_line("${last_stderr}" "--json: cannot write [^\n]*cli_errors_readonly/x.json: Permission denied")
  expect_no_match("${o}" "device:")
endif()
