#!/usr/bin/env bash
# warden schema / decide --db / apply on the sample database (examples/campaign.sql): decide is a
# dry run, apply writes only with the sentinel, a second apply finds nothing more to do for the
# same rules, and bad database files exit 3 with the reason; issue 15's cases follow. Rows are
# read and written with the sqlite3 shell (a declared dependency, ./dev): it starts in
# milliseconds where python3 takes a second or more on a loaded machine. Usage: db_commands.sh
# WARDEN ROOT
set -euo pipefail
warden=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 c.db "$1"; }
run=(--db c.db --runtime "$root/examples/campaign.runtime.json")
noon=(--now 2026-02-03T12:00:00Z)

"$warden" schema --db c.db | grep -q "schema version 6 (created)" || fail "schema not created"
"$warden" schema --db c.db | grep -q "(already there)" || fail "schema not idempotent"
sqlite3 c.db <"$root/examples/campaign.sql"

# Older databases (version 5: no issue #21 columns; version 4: no issue #17 columns either; version 2: no issue #8 jobs columns either;
# version 1: no recovery_history either) are refused (exit 3, older_schema) until `warden schema`
# upgrades them in place, rows kept.
for old in 1 2 4 5; do
  cp c.db v$old.db
  {
    echo "ALTER TABLE jobs DROP COLUMN class;"
    echo "ALTER TABLE jobs DROP COLUMN group_key;"
    [ $old -lt 5 ] && {
      echo "ALTER TABLE jobs DROP COLUMN updated_at;"
      for col in docker_shm_size skip_final_build initial_workers; do
        echo "ALTER TABLE jobs DROP COLUMN $col;"
      done
      echo "ALTER TABLE recovery_history DROP COLUMN crawled_pages;"
    }
    [ $old -lt 3 ] && for col in monitoring adaptive_restart stall_timeout_minutes created_at; do
      echo "ALTER TABLE jobs DROP COLUMN $col;"
    done
    [ $old = 1 ] && echo "DROP TABLE recovery_history;"
    echo "UPDATE warden_meta SET value = '$old' WHERE key = 'schema_version';"
  } | sqlite3 v$old.db
  set +e
  err=$("$warden" decide --db v$old.db --runtime "$root/examples/campaign.runtime.json" "${noon[@]}" 2>&1); code=$?
  set -e
  [ $code = 3 ] && grep -q "older_schema" <<<"$err" || fail "version $old database: exit $code: $err"
  "$warden" schema --db v$old.db | grep -q "schema version 6 (upgraded from version $old)" || fail "version $old not upgraded"
  if [ $old -lt 5 ]; then
    [ "$(sqlite3 v$old.db 'select count(*) from jobs where monitoring is null and created_at is null and updated_at is null and docker_shm_size is null and initial_workers is null')" = 8 ] ||
      fail "version $old: rows not kept, or the new columns not NULL"
  fi
  [ "$(sqlite3 v$old.db "select count(*) from jobs where class = '' and group_key = ''")" = 8 ] ||
    fail "version $old: rows not kept, or class and group_key not empty"
  "$warden" decide --db v$old.db --runtime "$root/examples/campaign.runtime.json" "${noon[@]}" --format text >/dev/null ||
    fail "version $old: decide after the upgrade"
done

out=$("$warden" decide "${run[@]}" "${noon[@]}" --format text)
grep -q "would set job 7 phac-20260101 retryable -> running (reconcile: per-job lock held)" <<<"$out" || fail "decide --db: $out"
[ "$(q "select status from jobs where id = 7")" = retryable ] || fail "decide --db wrote"

out=$("$warden" apply "${run[@]}" "${noon[@]}" --sentinel "$work/no-sentinel")
grep -q "dry run: the sentinel is absent, nothing applied" <<<"$out" || fail "apply without sentinel: $out"
[ "$(q "select status from jobs where id = 7")" = retryable ] || fail "apply without the sentinel wrote"

# A host-defined failure class (issue #14) is stored as "host_<n>" and survives load and apply.
python3 -c "import sqlite3; c=sqlite3.connect('c.db'); c.execute(\"update jobs set failure_class = 'host_70' where id = 7\"); c.commit()"
touch sentinel
out=$("$warden" apply "${run[@]}" "${noon[@]}" --sentinel sentinel)
grep -q "committed: 5 applied, 0 conflicts" <<<"$out" || fail "apply: $out"
grep -q "runtime_only: restart job 5" <<<"$out" || fail "the stop is not reported for the host: $out"
[ "$(q "select status from jobs where id = 7")" = running ] || fail "reconcile not applied"
[ "$(q "select status || '/' || failure_class from jobs where id = 7")" = "running/host_70" ] || fail "host-defined class lost by apply"
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
{
  echo "BEGIN IMMEDIATE;"
  echo ".shell touch locked"
  for _ in $(seq 1200); do [ -e release ] && break; sleep 0.05; done
  echo "ROLLBACK;"
} | sqlite3 c.db &
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

# --- Issue 15 ----------------------------------------------------------------------------------
late=(--now 2026-02-03T12:10:00Z) # after the applies above, whose writes are at 12:05
expect_exit() { # code, then the command; sets $err to its stderr, $out to its stdout
  local want=$1; shift
  set +e
  out=$("$@" 2>err.txt); code=$?
  set -e
  err=$(cat err.txt)
  [ "$code" = "$want" ] || fail "$*: exit $code, not $want: $err"
}

# Item 9: --now is range-checked before use (INT64_MIN seconds overflowed computing the history
# window, undefined behaviour under the sanitizers): a usage error, as in formats.md.
expect_exit 2 "$warden" decide "${run[@]}" --now -9223372036854775808
grep -q "outside the years 0001..9999" <<<"$err" || fail "--now range: $err"
expect_exit 2 "$warden" apply "${run[@]}" --sentinel sentinel --now 253402300800
# ... and decide without --db refuses the database flags instead of ignoring them.
expect_exit 2 "$warden" decide --deploy-lock sentinel "$root/tests/cli/fixtures/rule_reconcile.json"
grep -q -- "--deploy-lock needs --db" <<<"$err" || fail "decide --deploy-lock without --db: $err"

# Item 7: a pid outside 2..4194303 in the runtime facts refuses the tick (exit 1), naming it.
sed 's/"pid": 5151/"pid": -1/' "$root/examples/campaign.runtime.json" >badpid.json
expect_exit 1 "$warden" apply --db c.db --runtime badpid.json --sentinel sentinel "${late[@]}"
grep -q "^error: processes\[1\].pid: must be in 2..4194303" <<<"$err" || fail "pid -1: $err"

# Item 6: database errors name the table, column and job id, not a document path.
cp c.db e.db
sqlite3 e.db "UPDATE jobs SET last_progress_at = 1770200000 WHERE id = 3"
expect_exit 1 "$warden" decide --db e.db --runtime "$root/examples/campaign.runtime.json" "${late[@]}"
grep -q "^error: jobs.last_progress_at where id = 3: " <<<"$err" || fail "database error naming: $err"

# Item 5: one bad row does not stop the others' automation. Job 3's retry_count is refused
# (named, exit 1) and nothing is written for it; job 7's reconcile commits in the same apply.
"$warden" schema --db r.db >/dev/null
sqlite3 r.db <"$root/examples/campaign.sql"
sqlite3 r.db "UPDATE jobs SET retry_count = 2147483647 WHERE id = 3"
v3=$(sqlite3 r.db "select version from jobs where id = 3")
expect_exit 1 "$warden" apply --db r.db --runtime "$root/examples/campaign.runtime.json" --sentinel sentinel "${noon[@]}"
grep -q "^error: jobs.retry_count where id = 3: " <<<"$err" || fail "bad row not named: $err"
grep -q "^committed: " <<<"$out" || fail "the other jobs' actions were not committed: $out"
[ "$(sqlite3 r.db "select status from jobs where id = 7")" = running ] || fail "job 7 not reconciled beside the bad row"
[ "$(sqlite3 r.db "select version from jobs where id = 3")" = "$v3" ] || fail "the bad row was written"

# Item 6: a deleted job's start history is skipped with a warning; the tick goes on (it exited 1
# with "starts[0].job_id: no job with this id" until the rows aged out of the 24 h window).
cp c.db d.db
sqlite3 d.db "PRAGMA foreign_keys = OFF; DELETE FROM jobs WHERE id = 11"
expect_exit 0 "$warden" decide --db d.db --runtime "$root/examples/campaign.runtime.json" "${late[@]}" --format text
grep -q "^warning: job_starts: 3 rows of job 11 skipped: no jobs row has this id" <<<"$err" ||
  fail "deleted job's history: $err"

# Item 8: a name cannot add a line to apply's output, nor a fake runner group before the real
# one: control characters, backslash and parentheses in names are escaped.
cp c.db n.db
sqlite3 n.db "UPDATE jobs SET name = 'hc' || char(10) || 'runtime_only: restart job 9 (runner worker, pids 1)' WHERE id = 5"
expect_exit 0 "$warden" apply --db n.db --runtime "$root/examples/campaign.runtime.json" --sentinel sentinel "${late[@]}"
[ "$(grep -c "^runtime_only: " <<<"$out")" = 1 ] || fail "a name added a line: $out"
grep -qF 'job 5 hc\nruntime_only: restart job 9 \x28runner worker, pids 1\x29 (runner worker, pids 5151) (' <<<"$out" ||
  fail "escaped name: $out"

# Item 9: a writer killed during a commit leaves a hot journal. decide (read-only) cannot roll it
# back: exit 3, needs_recovery, saying what happened and how to recover; apply without the
# sentinel opens read-write, which rolls it back, and writes nothing else.
cp c.db h.db
{
  echo "PRAGMA cache_size = 1; BEGIN IMMEDIATE; CREATE TABLE filler (x);"
  echo "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 300)"
  echo "  INSERT INTO filler SELECT hex(randomblob(500)) FROM n;"
  echo "UPDATE jobs SET version = version + 100;"
  echo ".shell touch spilled"
  for _ in $(seq 1200); do [ -e killed ] && break; sleep 0.05; done
} | sqlite3 h.db &
writer=$!
while [ ! -e spilled ]; do sleep 0.05; done
kill -9 $writer
touch killed
wait $writer 2>/dev/null || true
[ -s h.db-journal ] || fail "no hot journal left behind"
expect_exit 3 "$warden" decide --db h.db --runtime "$root/examples/campaign.runtime.json" "${late[@]}"
grep -q "database needs_recovery: .*killed.*h.db-journal.*warden apply --db" <<<"$err" ||
  fail "hot journal message: $err"
expect_exit 0 "$warden" apply --db h.db --runtime "$root/examples/campaign.runtime.json" "${late[@]}" --sentinel "$work/no-sentinel"
[ "$(sqlite3 h.db "select max(version) from jobs")" -lt 100 ] || fail "the killed transaction survived"
expect_exit 0 "$warden" decide --db h.db --runtime "$root/examples/campaign.runtime.json" "${late[@]}"

# Issue #21 Done when: the host of examples/classes.json (annual and monthly crawls, one crawl per
# source, backoff on monthly retries, a deadline on monthly jobs, a closed campaign year) decides
# through SQLite exactly as from its JSON document, then applies: the overdue monthly job is
# failed, last year's annual job started, nothing else written.
"$warden" schema --db k.db >/dev/null
sqlite3 k.db <"$root/examples/classes.sql"
krun=(--db k.db --runtime "$root/examples/classes.runtime.json" "${noon[@]}")
from_db=$("$warden" decide "${krun[@]}" --format text)
from_json=$("$warden" decide "$root/examples/classes.json" --format text)
[ "$from_db" = "$from_json" ] || fail "classes: SQLite and JSON decide differently: $from_db"
grep -q "backoff: not before 2026-02-03T12:02:43Z; 163 s to go (retry 1)" <<<"$from_db" ||
  fail "classes: no backoff: $from_db"
"$warden" apply "${krun[@]}" --sentinel sentinel >/dev/null
[ "$(sqlite3 k.db "select status from jobs where id = 2")" = failed ] ||
  fail "classes: job 2 not failed past its deadline"
[ "$(sqlite3 k.db "select status || ' ' || retry_count from jobs where id = 7")" = "running 2" ] ||
  fail "classes: last year's job 7 not started"
[ "$(sqlite3 k.db "select count(*) from jobs where status = 'running'")" = 2 ] ||
  fail "classes: more than jobs 1 and 7 running"

echo "db commands: ok"
