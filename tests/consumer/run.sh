#!/usr/bin/env bash
# Installs the built tree to a prefix, then builds and runs a host project against it: with every
# component (find), with nlohmann_json and libsqlite3 hidden (minimal: a host that uses neither
# must not need them), and embedding the source tree (add_subdirectory).
set -euo pipefail
src=$1 build=$2 work=$3 cxx=$4
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
for mode in find minimal embed; do
  case $mode in
    find) extra=(-DCMAKE_PREFIX_PATH="$work/prefix") ;;
    minimal) extra=(-DCMAKE_PREFIX_PATH="$work/prefix" -DWARDEN_CONSUMER_MINIMAL=ON
                    -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON
                    -DCMAKE_DISABLE_FIND_PACKAGE_SQLite3=ON) ;;
    embed) extra=(-DWARDEN_SOURCE_DIR="$src") ;;
  esac
  log="$work/$mode.log"
  if ! { cmake -S "$src/tests/consumer" -B "$work/$mode" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" "${extra[@]}" &&
         cmake --build "$work/$mode"; } >"$log" 2>&1; then
    cat "$log"
    exit 1
  fi
  expected=(consumer consumer_sim)
  [ "$mode" = minimal ] || expected+=(consumer_json consumer_sqlite)
  for program in "${expected[@]}"; do
    "$work/$mode/$program"
    echo "consumer ($mode): $program ok"
  done
done
# The simulator's executable is installed beside the CLI when the build made it.
if [ -e "$build/sim/warden-sim" ]; then
  "$work/prefix/bin/warden-sim" --help >/dev/null
  echo "consumer: installed warden-sim runs"
fi
