#!/usr/bin/env bash
# warden schema / decide --db / apply on the sample database (examples/campaign.sql): decide is a
# dry run, apply writes only with the sentinel, a second apply finds nothing more to do for the
# same rules, and bad database files exit 3 with the reason. Usage: db_commands.sh WARDEN ROOT
set -euo pipefail
warden=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { python3 -c "import sqlite3,sys; print(sqlite3.connect('c.db').execute(sys.argv[1]).fetchone()[0])" "$1"; }
run=(--db c.db --runtime "$root/examples/campaign.runtime.json")
noon=(--now 2026-02-03T12:00:00Z)

"$warden" schema --db c.db | grep -q "schema version 3 (created)" || fail "schema not created"
"$warden" schema --db c.db | grep -q "(already there)" || fail "schema not idempotent"
python3 -c "import sqlite3; c=sqlite3.connect('c.db'); c.executescript(open('$root/examples/campaign.sql').read())"

# Older databases (version 2: no issue #8 jobs columns; version 1: no recovery_history either)
# are refused (exit 3, older_schema) until `warden schema` upgrades them in place, rows kept.
for old in 1 2; do
  cp c.db v$old.db
  python3 - v$old.db $old <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for col in ("monitoring", "adaptive_restart", "stall_timeout_minutes", "created_at"):
    c.execute(f"ALTER TABLE jobs DROP COLUMN {col}")
if sys.argv[2] == "1":
    c.execute("DROP TABLE recovery_history")
c.execute("UPDATE warden_meta SET value = ? WHERE key = 'schema_version'", (sys.argv[2],))
c.commit()
PY
  set +e
  err=$("$warden" decide --db v$old.db --runtime "$root/examples/campaign.runtime.json" "${noon[@]}" 2>&1); code=$?
  set -e
  [ $code = 3 ] && grep -q "older_schema" <<<"$err" || fail "version $old database: exit $code: $err"
  "$warden" schema --db v$old.db | grep -q "schema version 3 (upgraded from version $old)" || fail "version $old not upgraded"
  [ "$(python3 -c "import sqlite3; print(sqlite3.connect('v$old.db').execute('select count(*) from jobs where monitoring is null and created_at is null').fetchone()[0])")" = 8 ] ||
    fail "version $old: rows not kept, or the new columns not NULL"
  "$warden" decide --db v$old.db --runtime "$root/examples/campaign.runtime.json" "${noon[@]}" --format text >/dev/null ||
    fail "version $old: decide after the upgrade"
done

out=$("$warden" decide "${run[@]}" "${noon[@]}" --format text)
grep -q "would set job 7 phac-20260101 retryable -> running (reconcile: per-job lock held)" <<<"$out" || fail "decide --db: $out"
[ "$(q "select status from jobs where id = 7")" = retryable ] || fail "decide --db wrote"

out=$("$warden" apply "${run[@]}" "${noon[@]}" --sentinel "$work/no-sentinel")
grep -q "dry run: the sentinel is absent, nothing applied" <<<"$out" || fail "apply without sentinel: $out"
[ "$(q "select status from jobs where id = 7")" = retryable ] || fail "apply without the sentinel wrote"

touch sentinel
out=$("$warden" apply "${run[@]}" "${noon[@]}" --sentinel sentinel)
grep -q "committed: 5 applied, 0 conflicts" <<<"$out" || fail "apply: $out"
grep -q "runtime_only: restart job 5" <<<"$out" || fail "the stop is not reported for the host: $out"
[ "$(q "select status from jobs where id = 7")" = running ] || fail "reconcile not applied"
[ "$(q "select status || '/' || failure_class from jobs where id = 15")" = "failed/infra_error_config" ] || fail "classification not applied"
[ "$(q "select version from jobs where id = 5")" = 5 ] || fail "stall recovery: two chained writes expected"
[ "$(q "select monitoring || '/' || adaptive_restart || '/' || stall_timeout_minutes || '/' || max_container_restarts from jobs where id = 5")" = "1/1/60/20" ] ||
  fail "stall recovery: recovery options (issue #8) not written"
[ "$(q "select count(*) from recovery_history where job_id = 5")" = 1 ] || fail "stall recovery not recorded in recovery_history"

out=$("$warden" apply "${run[@]}" --sentinel sentinel --now 2026-02-03T12:05:00Z)
grep -qE "^applied: .*(reconcile|stall_recovery|consistency_repair|failure_classification)" <<<"$out" &&
  fail "second apply repeated a rule: $out"
[ "$(q "select count(*) from job_starts")" -gt 4 ] || fail "queue fill start not recorded: $out"

echo "not sqlite" > bad.db
set +e
err=$("$warden" decide --db bad.db 2>&1); code=$?
set -e
[ $code = 3 ] && grep -q "not_a_database" <<<"$err" || fail "bad file: exit $code: $err"
set +e
err=$("$warden" apply --db missing.db --sentinel sentinel 2>&1); code=$?
set -e
[ $code = 3 ] && grep -q "cannot_open" <<<"$err" || fail "missing file: exit $code: $err"
[ ! -e missing.db ] || fail "apply created a database"

# A writer holding the lock: apply waits the busy timeout (--busy-timeout-ms, 300 ms here rather
# than the default 5 s, so the test does not sleep), then fails cleanly, writing nothing. The
# holder keeps the lock until apply has returned, however slow a loaded machine makes it.
python3 -c "
import os, sqlite3, time
c = sqlite3.connect('c.db', isolation_level=None); c.execute('BEGIN IMMEDIATE')
open('locked', 'w').close()
for _ in range(1200):
    if os.path.exists('release'): break
    time.sleep(0.05)" &
holder=$!
while [ ! -e locked ]; do sleep 0.05; done
before=$(q "select sum(version) from jobs")
set +e
err=$("$warden" apply "${run[@]}" --sentinel sentinel --now 2026-02-03T12:10:00Z --busy-timeout-ms 300 2>&1); code=$?
set -e
touch release
wait $holder
[ $code = 3 ] && grep -q "busy" <<<"$err" || fail "locked database: exit $code: $err"
[ "$(q "select sum(version) from jobs")" = "$before" ] || fail "a locked database was written"
echo "db commands: ok"
