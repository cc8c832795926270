#!/usr/bin/env bash
# 10 MB of nested arrays, then of nested objects, generated here (never committed): each must be
# refused with exit 1 and one error naming where the nesting went past the limit, not crash.
set -u
warden=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

half=$((5 * 1024 * 1024))
{ head -c $half /dev/zero | tr '\0' '['; head -c $half /dev/zero | tr '\0' ']'; } >"$work/arrays.json"
# {"a":{"a":...}} to about 10 MB: 5 bytes down, 1 byte up per level.
levels=$((10 * 1024 * 1024 / 6))
{ yes '{"a":' | head -n $levels | tr -d '\n'; echo -n 1; head -c $levels /dev/zero | tr '\0' '}'; } >"$work/objects.json"

check() { # file expected-error-line
  local file=$1 want=$2
  "$warden" decide "$file" >"$work/out" 2>"$work/err"
  local got=$?
  if [ $got -ne 1 ]; then echo "FAIL: $(basename "$file"): exit $got, expected 1"; status=1; fi
  if [ -s "$work/out" ]; then echo "FAIL: $(basename "$file"): stdout not empty"; status=1; fi
  if ! grep -qxF -- "$want" "$work/err"; then
    echo "FAIL: $(basename "$file"): no stderr line: ${want:0:120}..."
    head -c 400 "$work/err"; echo
    status=1
  fi
}

# The 65th container is refused: 64 levels are allowed. Its path is 64 "[0]" steps.
path_arrays="\$$(printf '[0]%.0s' $(seq 64))"
check "$work/arrays.json" "error: $path_arrays: nested deeper than 64 levels"
path_objects="a$(printf '.a%.0s' $(seq 63))"
check "$work/objects.json" "error: $path_objects: nested deeper than 64 levels"

ls -l "$work"/*.json | awk '{ print "input:", $5, "bytes" }'
[ $status -eq 0 ] && echo "ok: deep nesting refused"
exit $status
