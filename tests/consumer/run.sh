#!/usr/bin/env bash
# Installs the built tree to a prefix, then builds and runs a host project against it: with every
# component (find), with nlohmann_json, libsqlite3 and libpq hidden (minimal: a host that uses
# none of them must not need them), and embedding the source tree (add_subdirectory). In find and
# embed modes a program also links warden::compiled (the compiled mode).
set -euo pipefail
src=$1 build=$2 work=$3 cxx=$4
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
# ccache, when installed, as for our own targets: with the work dir as its base, a later run (CI's
# fresh clone, another build dir) reuses these host builds' objects.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="$(command -v cmake);-E;env;CCACHE_BASEDIR=$work;CCACHE_NOHASHDIR=1;$(command -v ccache)")
fi
for mode in find minimal embed; do
  case $mode in
    find) extra=(-DCMAKE_PREFIX_PATH="$work/prefix") ;;
    minimal) extra=(-DCMAKE_PREFIX_PATH="$work/prefix" -DWARDEN_CONSUMER_MINIMAL=ON
                    -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON
                    -DCMAKE_DISABLE_FIND_PACKAGE_SQLite3=ON
                    -DCMAKE_DISABLE_FIND_PACKAGE_PostgreSQL=ON) ;;
    embed) extra=(-DWARDEN_SOURCE_DIR="$src") ;;
  esac
  log="$work/$mode.log"
  if ! { cmake -S "$src/tests/consumer" -B "$work/$mode" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" "${extra[@]}" &&
         cmake --build "$work/$mode"; } >"$log" 2>&1; then
    cat "$log"
    exit 1
  fi
  expected=(consumer consumer_sim)
  [ "$mode" = minimal ] || expected+=(consumer_json consumer_sqlite consumer_postgres)
  for program in "${expected[@]}"; do
    "$work/$mode/$program"
    echo "consumer ($mode): $program ok"
  done
  # The compiled mode's decide (warden::compiled) plans the worked example byte for byte as the
  # header-only engine does: tests/golden/dry_run.txt, which the unit test "the worked example's
  # dry run matches its golden file" holds the header-only engine to.
  if [ "$mode" != minimal ]; then
    "$work/$mode/consumer_compiled" >"$work/$mode/compiled.txt"
    diff -u "$src/tests/golden/dry_run.txt" "$work/$mode/compiled.txt"
    echo "consumer ($mode): consumer_compiled plans as the header-only engine does"
  fi
done
# The simulator's executable is installed beside the CLI when the build made it.
if [ -e "$build/sim/warden-sim" ]; then
  "$work/prefix/bin/warden-sim" --help >/dev/null
  echo "consumer: installed warden-sim runs"
fi
