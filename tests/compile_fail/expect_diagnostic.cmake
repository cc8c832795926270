# Compiles SOURCE, expects failure, and expects the diagnostic to match EXPECTED. A compiler crash
# is not a diagnostic: it fails the test even when the expected text was printed before it.
execute_process(COMMAND ${COMPILER} ${FLAGS} ${SOURCE} RESULT_VARIABLE result
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must not")
endif()
if("${out}${err}" MATCHES "internal compiler error|frontend command failed|PLEASE submit a bug report")
  message(FATAL_ERROR "the compiler crashed on ${SOURCE}; a crash is not a diagnostic:\n${err}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECTED}")
  message(FATAL_ERROR "diagnostic does not say '${EXPECTED}':\n${err}")
endif()
