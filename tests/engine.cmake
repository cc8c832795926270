# The engine's own tests: unit (per rule, rail and core file), property, golden, compile-fail,
# header self-containment, install/find_package consumer, and the layout check.

# Catch2's main is the slowest TU to compile: build it once for every test binary.
add_library(warden_catch_main OBJECT main.cpp)
target_link_libraries(warden_catch_main PUBLIC Catch2::Catch2)
# Same standard as the tests, or Catch compiles its string_view support out of the main TU.
target_compile_features(warden_catch_main PUBLIC cxx_std_20)

file(GLOB_RECURSE _unit_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/unit/*.cpp)
add_executable(warden_unit_tests $<TARGET_OBJECTS:warden_catch_main> ${_unit_sources})
target_link_libraries(warden_unit_tests PRIVATE warden::warden warden_project_options
                      Catch2::Catch2 rapidcheck)
target_compile_definitions(warden_unit_tests PRIVATE WARDEN_GOLDEN_DIR="${CMAKE_CURRENT_SOURCE_DIR}/golden")
catch_discover_tests(warden_unit_tests TEST_PREFIX "unit: ")

file(GLOB _property_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/property/*.cpp)
add_executable(warden_property_tests $<TARGET_OBJECTS:warden_catch_main> ${_property_sources})
target_link_libraries(warden_property_tests PRIVATE warden::warden warden_project_options
                      Catch2::Catch2 rapidcheck)
catch_discover_tests(warden_property_tests TEST_PREFIX "property: ")

if(TARGET warden_sqlite)
  add_executable(warden_adapter_tests $<TARGET_OBJECTS:warden_catch_main> adapters/sqlite_test.cpp
    adapters/sqlite_apply_test.cpp)
  target_link_libraries(warden_adapter_tests PRIVATE warden::sqlite warden_project_options Catch2::Catch2)
  catch_discover_tests(warden_adapter_tests TEST_PREFIX "adapters: ")
endif()

# Every public header compiles on its own (hana's TestHeaders pattern).
file(GLOB_RECURSE _public_headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/include
     ${PROJECT_SOURCE_DIR}/include/warden/*.hpp)
set(_header_tus)
foreach(_header IN LISTS _public_headers)
  string(MAKE_C_IDENTIFIER ${_header} _name)
  set(_tu ${CMAKE_CURRENT_BINARY_DIR}/headers/${_name}.cpp)
  file(CONFIGURE OUTPUT ${_tu} CONTENT "#include <${_header}>\n#include <${_header}> // include guard\n")
  list(APPEND _header_tus ${_tu})
endforeach()
add_library(warden_header_tests OBJECT ${_header_tus})
target_link_libraries(warden_header_tests PRIVATE warden::warden warden_project_options rapidcheck Catch2::Catch2)
if(TARGET warden_sqlite)
  target_link_libraries(warden_header_tests PRIVATE warden::sqlite)
endif()
find_package(nlohmann_json QUIET)
if(nlohmann_json_FOUND)
  target_link_libraries(warden_header_tests PRIVATE nlohmann_json::nlohmann_json)
endif()

# Compile-fail tests: each TU must fail with a diagnostic that says what to write.
set(_compile_fail_flags -std=c++20 -fsyntax-only -I${PROJECT_SOURCE_DIR}/include)
function(warden_compile_fail name expected)
  add_test(NAME "compile_fail: ${name}"
           COMMAND ${CMAKE_CXX_COMPILER} ${_compile_fail_flags} ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/${name}.cpp)
  set_tests_properties("compile_fail: ${name}" PROPERTIES WILL_FAIL TRUE)
  add_test(NAME "compile_fail: ${name} says why"
           COMMAND ${CMAKE_COMMAND} -DCOMPILER=${CMAKE_CXX_COMPILER} -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/${name}.cpp
                   "-DFLAGS=${_compile_fail_flags}" "-DEXPECTED=${expected}"
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/expect_diagnostic.cmake)
endfunction()
warden_compile_fail(rail_without_name "this rail has no name")
warden_compile_fail(rail_without_check "this rail checks no action")
warden_compile_fail(rail_set_not_a_tuple "a rail set must be a boost::hana::tuple")
warden_compile_fail(rail_names_the_type "type_is_not_a_warden_rail<.*my_broken_rail")
warden_compile_fail(rail_with_int_dry_run_gate "dry_run_gate. must be declared exactly")
# The positive control: the same harness compiles a correct host rail.
add_test(NAME "compile_fail: control compiles"
         COMMAND ${CMAKE_CXX_COMPILER} ${_compile_fail_flags} ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/control_host_rail.cpp)

# A consumer project finds the installed package, and one embeds the source tree.
add_test(NAME "consumer: find_package and add_subdirectory"
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/consumer-work ${CMAKE_CXX_COMPILER})
set_tests_properties("consumer: find_package and add_subdirectory" PROPERTIES TIMEOUT 600)

# .clang-format is the law for layout.
find_program(CLANG_FORMAT clang-format)
find_package(Git QUIET)
if(CLANG_FORMAT AND GIT_FOUND AND EXISTS ${PROJECT_SOURCE_DIR}/.git)
  add_test(NAME "layout: clang-format"
           COMMAND bash -c "git ls-files -z '*.hpp' '*.cpp' | xargs -0 ${CLANG_FORMAT} --dry-run --Werror"
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endif()

# Tests of the toolchain, layout and packaging rather than of our code: the sanitizer pass skips them.
get_property(_all_tests DIRECTORY PROPERTY TESTS)
foreach(_t IN LISTS _all_tests)
  if(_t MATCHES "^(compile_fail|consumer|layout):")
    set_tests_properties("${_t}" PROPERTIES LABELS tooling)
  endif()
endforeach()
