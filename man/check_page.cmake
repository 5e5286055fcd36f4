# The man_page_* tests: cmake -DEXE=PROGRAM -DPAGE=PROGRAM.1 -DVERSION=X.Y.Z -P check_page.cmake
# The page (help2man's roff, made from PROGRAM --help at build time) names the program and the
# version, has its sections, and names every option that `PROGRAM --help` lists now, so a page
# that misses an option, or was left behind by a changed --help, fails. Where `man` is there,
# the page also renders with `man -l` without a warning.
get_filename_component(program ${EXE} NAME)
execute_process(COMMAND ${EXE} --help RESULT_VARIABLE rc OUTPUT_VARIABLE help ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${program} --help: exit ${rc}\n${help}${err}")
endif()
if(NOT EXISTS ${PAGE})
  message(FATAL_ERROR "${PAGE} is missing (the clnum_man_pages target makes it)")
endif()
file(READ ${PAGE} roff)

# roff to text: \- is a hyphen, \fB...\fR font changes, \(aq a quote.
string(REPLACE "\\-" "-" text "${roff}")
string(REGEX REPLACE "\\\\f[BIRP]" "" text "${text}")
string(REGEX REPLACE "\\\\f\\(..|\\\\f\\[[A-Z]*\\]" "" text "${text}")

string(TOUPPER ${program} upper)
if(NOT roff MATCHES "\n?\\.TH \"?${upper}\"? \"?1\"?[^\n]*${VERSION}")
  message(FATAL_ERROR "${PAGE}: no .TH line for ${upper}, section 1, version ${VERSION}:\n${roff}")
endif()
foreach(section NAME SYNOPSIS DESCRIPTION ENVIRONMENT "SEE ALSO")
  if(NOT roff MATCHES "\n\\.SH \"?${section}\"?\n")
    message(FATAL_ERROR "${PAGE}: no ${section} section:\n${roff}")
  endif()
endforeach()
string(REPLACE "-" "\\\\?-" roff_program "${program}")   # clnum-linreg or clnum\-linreg
if(NOT roff MATCHES "\\.SH NAME\n${roff_program} \\\\- [a-z]")
  message(FATAL_ERROR "${PAGE}: the NAME section does not name ${program}:\n${roff}")
endif()

string(REGEX MATCHALL "--[a-z0-9][a-z0-9-]*" options "${help}")
list(REMOVE_DUPLICATES options)
list(LENGTH options count)
if(count LESS 5)
  message(FATAL_ERROR "${program} --help lists ${count} options (${options}): not the usage?\n${help}")
endif()
set(missing "")
foreach(option IN LISTS options)
  # The whole option: --data is not found in --data-dir.
  if(NOT text MATCHES "(^|[^a-z0-9-])${option}([^a-z0-9-]|$)")
    list(APPEND missing ${option})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "${PAGE} does not name ${missing}, which `${program} --help` lists "
                      "(a page made from an older --help?)")
endif()

find_program(MAN man)
if(MAN)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env MANWIDTH=80 MAN_KEEP_FORMATTING=0
                          ${MAN} --warnings -l ${PAGE}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE shown ERROR_VARIABLE warnings)
  if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "" OR NOT shown MATCHES "${program}")
    message(FATAL_ERROR "man -l ${PAGE}: exit ${rc}\n${warnings}\n${shown}")
  endif()
  message(STATUS "man -l renders ${PAGE}")
else()
  message(STATUS "man is not here: ${PAGE} not rendered")
endif()
message(STATUS "${PAGE}: all ${count} options of ${program} --help")
