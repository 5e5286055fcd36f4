# tools/check_layers.sh passes on the tree, and fails, naming the file, on a copy of src/ and
# cl/ with an upward include, a header named without its layer, and kernels out of order.
# Run as: cmake -DSCRIPT=tools/check_layers.sh -DSOURCE=<tree> -DWORK=<dir> -P layers.cmake
execute_process(COMMAND sh ${SCRIPT} ${SOURCE} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the tree breaks its layers:\n${out}")
endif()

function(expect_caught what file find replace expected)
  set(copy ${WORK}/layers-${what})
  file(REMOVE_RECURSE ${copy})
  file(MAKE_DIRECTORY ${copy})
  file(COPY ${SOURCE}/src ${SOURCE}/cl DESTINATION ${copy})
  file(READ ${copy}/${file} text)
  string(FIND "${text}" "${find}" at)
  if(at LESS 0)
    message(FATAL_ERROR "${what}: '${find}' is not in ${file}; update this test")
  endif()
  string(REPLACE "${find}" "${replace}" text "${text}")
  file(WRITE ${copy}/${file} "${text}")
  execute_process(COMMAND sh ${SCRIPT} ${copy} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(rc EQUAL 0 OR NOT out MATCHES "${expected}")
    message(FATAL_ERROR "${what}: not caught (exit ${rc}):\n${out}")
  endif()
  file(REMOVE_RECURSE ${copy})
endfunction()

expect_caught(upward src/runtime/buffer.c "#include \"runtime/internal.h\""
              "#include \"runtime/internal.h\"\n#include \"train/board.h\""
              "src/runtime/buffer.c:[0-9]+: \"train/board.h\": runtime includes train")
expect_caught(bare src/tensor/ops.c "#include \"tensor/tensor_impl.h\"" "#include \"tensor_impl.h\""
              "src/tensor/ops.c:[0-9]+: \"tensor_impl.h\": include a header by its layer")
expect_caught(order src/runtime/kernel_list.h "    CLNI_CL_FILE(\"runtime/handoff.cl\")"
              "    CLNI_CL_FILE(\"model/linreg.cl\")\n    CLNI_CL_FILE(\"runtime/handoff.cl\")"
              "cl/runtime/handoff.cl is compiled after a layer above it")
