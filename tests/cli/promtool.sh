#!/usr/bin/env bash
# `promtool check metrics` (lint included) on the textfile of every fixture, valid or refused,
# and every metric family documented in docs/metrics.md.
set -u
warden=$1 dir=$2 doc=$3
promtool=${PROMTOOL:-promtool}
command -v "$promtool" >/dev/null || { echo "FAIL: promtool not found (Debian package prometheus)"; exit 1; }
status=0 checked=0
for f in "$dir"/*.json; do
  out=$("$warden" metrics "$f" 2>/dev/null)
  if [ -z "$out" ]; then echo "FAIL: $(basename "$f"): no textfile"; status=1; continue; fi
  if ! problems=$(printf '%s\n' "$out" | "$promtool" check metrics 2>&1) || [ -n "$problems" ]; then
    echo "FAIL: $(basename "$f"): $problems"
    status=1
  fi
  for family in $(printf '%s\n' "$out" | awk '$1 == "#" && $2 == "TYPE" { print $3 }'); do
    grep -qF "\`$family\`" "$doc" || { echo "FAIL: $family is not in $doc"; status=1; }
  done
  checked=$((checked + 1))
done
[ $checked -gt 0 ] || { echo "FAIL: no fixtures in $dir"; exit 1; }
[ $status -eq 0 ] && echo "ok: promtool accepts the metrics of $checked fixtures"
exit $status
