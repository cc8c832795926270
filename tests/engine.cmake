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
# Fewer, larger TUs: each unit test file spends most of its compile time parsing the engine,
# Catch2 and rapidcheck, so batches of files share that work (CI builds this target twice, g++
# and clang with sanitizers, on 2 cores). A file whose file-scope helpers share a name with
# another file's stays a TU of its own.
set_target_properties(warden_unit_tests PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
set_source_files_properties(
  unit/facts/runner_class_test.cpp unit/rules/recovery_options_test.cpp
  unit/rules/same_source_sweep_test.cpp unit/rails/progress_circuit_test.cpp
  unit/facts/build_test.cpp
  DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)

file(GLOB _property_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/property/*.cpp)
add_executable(warden_property_tests $<TARGET_OBJECTS:warden_catch_main> ${_property_sources})
target_link_libraries(warden_property_tests PRIVATE warden::warden warden_project_options
                      Catch2::Catch2 rapidcheck)
catch_discover_tests(warden_property_tests TEST_PREFIX "property: ")

# WARDEN_ASSERT (include/warden/detail/assert.hpp) is on in the test targets, whatever the build
# type; a Release host has it off unless it defines WARDEN_ENABLE_ASSERTS.
target_compile_definitions(warden_unit_tests PRIVATE WARDEN_ENABLE_ASSERTS)
target_compile_definitions(warden_property_tests PRIVATE WARDEN_ENABLE_ASSERTS)
# ... and off, it generates nothing: built as a Release host is (NDEBUG, not asked), a failing
# assert with a side effect must neither abort nor run.
add_executable(warden_assert_off_test assert/compiled_away.cpp)
target_link_libraries(warden_assert_off_test PRIVATE warden::warden warden_project_options)
target_compile_definitions(warden_assert_off_test PRIVATE NDEBUG)
add_test(NAME "assert: compiled away when off" COMMAND warden_assert_off_test)

if(TARGET warden_sqlite)
  add_executable(warden_adapter_tests $<TARGET_OBJECTS:warden_catch_main> adapters/sqlite_test.cpp
    adapters/sqlite_apply_test.cpp)
  find_package(Threads REQUIRED)
  target_link_libraries(warden_adapter_tests PRIVATE warden::sqlite warden_project_options Catch2::Catch2
                        Threads::Threads)
  target_compile_definitions(warden_adapter_tests PRIVATE WARDEN_ENABLE_ASSERTS)
  # The mapping file on SQLite (issue 20, item 2) reads its JSON with warden::json.
  if(TARGET warden_json)
    target_sources(warden_adapter_tests PRIVATE adapters/sqlite_mapping_test.cpp)
    target_link_libraries(warden_adapter_tests PRIVATE warden::json)
    target_compile_definitions(warden_adapter_tests PRIVATE
      WARDEN_EXAMPLES_DIR="${PROJECT_SOURCE_DIR}/examples")
  endif()
  catch_discover_tests(warden_adapter_tests TEST_PREFIX "adapters: ")
  # One TU instead of two, as warden_unit_tests above (temp_db and count are shared:
  # support/temp_sqlite.hpp).
  set_target_properties(warden_adapter_tests PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
endif()

# Every public header compiles on its own (hana's TestHeaders pattern). Nothing runs, so a build
# that only runs tests (the sanitizer pass) may leave it out.
if(WARDEN_BUILD_HEADER_TESTS)
  file(GLOB_RECURSE _public_headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/include
       ${PROJECT_SOURCE_DIR}/include/warden/*.hpp)
  if(NOT TARGET warden_host)
    list(FILTER _public_headers EXCLUDE REGEX "^warden/host/") # Linux only
  endif()
  if(NOT TARGET warden_postgres)
    list(FILTER _public_headers EXCLUDE REGEX "^warden/adapters/postgres") # needs libpq
  endif()
  set(_header_tus)
  foreach(_header IN LISTS _public_headers)
    string(MAKE_C_IDENTIFIER ${_header} _name)
    set(_tu ${CMAKE_CURRENT_BINARY_DIR}/headers/${_name}.cpp)
    file(CONFIGURE OUTPUT ${_tu} CONTENT "#include <${_header}>\n#include <${_header}> // include guard\n")
    list(APPEND _header_tus ${_tu})
  endforeach()
  # ... and the decide path includes no fmt (issue #22: the decide-only TU's compile time).
  list(APPEND _header_tus ${CMAKE_CURRENT_SOURCE_DIR}/headers/engine_without_fmt.cpp)
  # ... and <warden/decide.hpp> in the compiled mode declares decide with the core types only.
  list(APPEND _header_tus ${CMAKE_CURRENT_SOURCE_DIR}/headers/decide_compiled_mode.cpp)
  add_library(warden_header_tests OBJECT ${_header_tus})
  target_link_libraries(warden_header_tests PRIVATE warden::warden warden_project_options rapidcheck Catch2::Catch2)
  if(TARGET warden_sqlite)
    target_link_libraries(warden_header_tests PRIVATE warden::sqlite)
  endif()
  if(TARGET warden_json)
    target_link_libraries(warden_header_tests PRIVATE warden::json)
  endif()
  if(TARGET warden_postgres)
    target_link_libraries(warden_header_tests PRIVATE warden::postgres)
  endif()
endif()

# Compile-fail tests: each TU must fail with a diagnostic that says what to write. They are
# compiled as a host would compile them, against the real target: the include directories, compile
# definitions and options of warden::warden (with those of everything it links, Boost and fmt),
# plus our warnings-as-errors, written to a response file at generate time. So a header that cannot
# be found fails the control TU instead of passing as an expected error.
set(_cf_warden $<TARGET_PROPERTY:warden,INTERFACE_INCLUDE_DIRECTORIES>)
# The compiler's own include directories stay implicit: -I/usr/include breaks #include_next.
string(REGEX REPLACE "([][+.*?()^$|\\])" "\\\\\\1" _cf_implicit "${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES}")
list(JOIN _cf_implicit "|" _cf_implicit)
set(_cf_includes "$<FILTER:$<REMOVE_DUPLICATES:${_cf_warden}>,EXCLUDE,^(${_cf_implicit})/?$>")
set(_cf_defines $<TARGET_PROPERTY:warden,INTERFACE_COMPILE_DEFINITIONS>)
set(_cf_options $<TARGET_PROPERTY:warden,INTERFACE_COMPILE_OPTIONS>
                $<TARGET_PROPERTY:warden_project_options,INTERFACE_COMPILE_OPTIONS>)
set(_cf_rsp ${CMAKE_CURRENT_BINARY_DIR}/compile_fail/flags.rsp)
file(GENERATE OUTPUT ${_cf_rsp} CONTENT
     "$<$<BOOL:${_cf_includes}>:\"-I$<JOIN:${_cf_includes},\"\n\"-I>\"\n>$<$<BOOL:${_cf_defines}>:\"-D$<JOIN:${_cf_defines},\"\n\"-D>\"\n>$<JOIN:${_cf_options},\n>\n")
set(_compile_fail_flags ${CMAKE_CXX20_STANDARD_COMPILE_OPTION} -fsyntax-only @${_cf_rsp})
# warden_compile_fail(<name> <expected regex> [SOURCE <file stem>] [DEFINES <d>...]): compiles
# compile_fail/<file stem or name>.cpp, which must fail, without crashing the compiler, with a
# diagnostic matching the regex (one compile: expect_diagnostic.cmake checks all three).
function(warden_compile_fail name expected)
  cmake_parse_arguments(PARSE_ARGV 2 _cf "" "SOURCE" "DEFINES")
  if(NOT _cf_SOURCE)
    set(_cf_SOURCE ${name})
  endif()
  set(_source ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/${_cf_SOURCE}.cpp)
  set(_flags ${_compile_fail_flags})
  foreach(_d IN LISTS _cf_DEFINES)
    list(APPEND _flags -D${_d})
  endforeach()
  add_test(NAME "compile_fail: ${name} says why"
           COMMAND ${CMAKE_COMMAND} -DCOMPILER=${CMAKE_CXX_COMPILER} -DSOURCE=${_source}
                   "-DFLAGS=${_flags}" "-DEXPECTED=${expected}"
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/expect_diagnostic.cmake)
endfunction()
warden_compile_fail(rail_without_name "this rail has no name")
warden_compile_fail(rail_without_check "this rail checks no action")
warden_compile_fail(rail_set_not_a_tuple "a rail set must be a boost::hana::tuple")
warden_compile_fail(rail_names_the_type "type_is_not_a_warden_rail<.*my_broken_rail")
warden_compile_fail(rail_with_int_dry_run_gate "dry_run_gate. must be declared exactly")
# The builders a host calls first (compile_fail/builder.hpp): each mistake, through each builder,
# must be named there, not reported as "no matching function for call to with_rail".
set(_cf_builders with_rail make_rails compose)
foreach(_i RANGE 2)
  list(GET _cf_builders ${_i} _builder)
  math(EXPR _n "${_i} + 1")
  warden_compile_fail(${_builder}_non_const_check "this rail's check is not const: declare it"
                      SOURCE builder_non_const_check DEFINES WARDEN_BUILDER=${_n})
  warden_compile_fail(${_builder}_check_returns_bool
                      "this rail's check must return warden::verdict \\(not bool"
                      SOURCE builder_check_returns_bool DEFINES WARDEN_BUILDER=${_n})
  warden_compile_fail(${_builder}_without_name "this rail has no name: add .static constexpr"
                      SOURCE builder_without_name DEFINES WARDEN_BUILDER=${_n})
  add_test(NAME "compile_fail: control compiles via ${_builder}"
           COMMAND ${CMAKE_CXX_COMPILER} ${_compile_fail_flags} -DWARDEN_BUILDER=${_n}
                   ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/control_builder.cpp)
endforeach()
# The positive control: the same harness compiles a correct host rail.
add_test(NAME "compile_fail: control compiles"
         COMMAND ${CMAKE_CXX_COMPILER} ${_compile_fail_flags} ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/control_host_rail.cpp)

# A consumer project finds the installed package, and one embeds the source tree.
add_test(NAME "consumer: find_package and add_subdirectory"
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/consumer-work ${CMAKE_CXX_COMPILER})
set_tests_properties("consumer: find_package and add_subdirectory" PROPERTIES TIMEOUT 1500)

# .clang-format is the law for layout.
find_program(CLANG_FORMAT clang-format)
find_package(Git QUIET)
if(CLANG_FORMAT AND GIT_FOUND AND EXISTS ${PROJECT_SOURCE_DIR}/.git)
  add_test(NAME "layout: clang-format"
           COMMAND bash -c "git ls-files -z '*.hpp' '*.cpp' | xargs -0 ${CLANG_FORMAT} --dry-run --Werror"
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endif()

# The include graph runs one way: core/detail < facts < rules, rails (never each other) < engine;
# io/ never includes rails/ (docs/architecture.md, "Layers"). The second test proves the check
# can fail: a temp tree with one bad include per rule must be refused, each named.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME "layout: layering"
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/layering/check_layering.py
                   ${PROJECT_SOURCE_DIR})
  add_test(NAME "layout: layering check refuses bad includes"
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/layering/check_layering_test.py)
endif()

# Tests of the toolchain, layout and packaging rather than of our code: the sanitizer pass skips them.
get_property(_all_tests DIRECTORY PROPERTY TESTS)
foreach(_t IN LISTS _all_tests)
  if(_t MATCHES "^(compile_fail|consumer|layout):")
    set_tests_properties("${_t}" PROPERTIES LABELS tooling)
  endif()
endforeach()
