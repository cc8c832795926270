#!/usr/bin/env bash
# Runs the warden binary on one fixture and checks it against NAME.expect. Directives, one a line:
#   args: decide --format text   the command line; the fixture path is appended (or - with stdin)
#   input: other.json            the fixture to read (default NAME.json)
#   stdin                        feed the fixture on stdin and pass -
#   exit: N                      the exit code (required)
#   stdout: TEXT                 TEXT is a whole line of stdout
#   stderr: TEXT                 TEXT is a whole line of stderr
#   stdout~: TEXT / stderr~: TEXT  some line starts with TEXT (for text owned by a library)
#   !stdout: TEXT / !stderr: TEXT  no such whole line
#   stdout-lines: N / stderr-lines: N  exactly N lines
# Usage: check.sh WARDEN FIXTURE_DIR NAME
set -u
warden=$1 dir=$2 name=$3
expect="$dir/$name.expect"
[ -f "$expect" ] || { echo "no $expect"; exit 1; }

args="" input="$dir/$name.json" use_stdin=0 want_exit=""
while IFS= read -r line; do
  case "$line" in
    args:*) args=${line#args: } ;;
    input:*) input="$dir/${line#input: }" ;;
    stdin) use_stdin=1 ;;
    exit:*) want_exit=${line#exit: } ;;
  esac
done <"$expect"
[ -n "$want_exit" ] || { echo "$expect: no exit: line"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086 # args is a word list on purpose
if [ $use_stdin -eq 1 ]; then
  "$warden" $args - <"$input" >"$work/out" 2>"$work/err"
else
  "$warden" $args "$input" >"$work/out" 2>"$work/err" </dev/null
fi
got_exit=$?

failures=0
starts_with() { # file prefix
  awk -v p="$2" 'index($0, p) == 1 { found = 1 } END { exit !found }' "$1"
}
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
[ "$got_exit" = "$want_exit" ] || fail "exit $got_exit, expected $want_exit"
while IFS= read -r line; do
  case "$line" in
    stdout:*) grep -qxF -- "${line#stdout: }" "$work/out" || fail "no stdout line: ${line#stdout: }" ;;
    stderr:*) grep -qxF -- "${line#stderr: }" "$work/err" || fail "no stderr line: ${line#stderr: }" ;;
    'stdout~:'*) starts_with "$work/out" "${line#stdout~: }" || fail "no stdout line starting: ${line#stdout~: }" ;;
    'stderr~:'*) starts_with "$work/err" "${line#stderr~: }" || fail "no stderr line starting: ${line#stderr~: }" ;;
    '!stdout:'*) ! grep -qxF -- "${line#!stdout: }" "$work/out" || fail "unwanted stdout line: ${line#!stdout: }" ;;
    '!stderr:'*) ! grep -qxF -- "${line#!stderr: }" "$work/err" || fail "unwanted stderr line: ${line#!stderr: }" ;;
    stdout-lines:*) n=$(wc -l <"$work/out"); [ "$n" -eq "${line#stdout-lines: }" ] || fail "stdout has $n lines, expected ${line#stdout-lines: }" ;;
    stderr-lines:*) n=$(wc -l <"$work/err"); [ "$n" -eq "${line#stderr-lines: }" ] || fail "stderr has $n lines, expected ${line#stderr-lines: }" ;;
  esac
done <"$expect"

if [ $failures -ne 0 ]; then
  echo "--- command: $warden $args $input"
  echo "--- stdout (first 40 lines)"; head -n 40 "$work/out"
  echo "--- stderr (first 40 lines)"; head -n 40 "$work/err"
  exit 1
fi
echo "ok: $name"
