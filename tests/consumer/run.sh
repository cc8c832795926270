#!/usr/bin/env bash
# Installs the built tree to a prefix, then builds and runs a host project against it
# (find_package), and again embedding the source tree (add_subdirectory).
set -euo pipefail
src=$1 build=$2 work=$3 cxx=$4
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
for mode in find embed; do
  extra=(-DCMAKE_PREFIX_PATH="$work/prefix")
  [ "$mode" = embed ] && extra=(-DWARDEN_SOURCE_DIR="$src")
  log="$work/$mode.log"
  if ! { cmake -S "$src/tests/consumer" -B "$work/$mode" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" "${extra[@]}" &&
         cmake --build "$work/$mode"; } >"$log" 2>&1; then
    cat "$log"
    exit 1
  fi
  "$work/$mode/consumer"
  echo "consumer ($mode): ok"
done
