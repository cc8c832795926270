#!/usr/bin/env bash
# `warden schema / decide / apply --db postgresql://...` against the throwaway server (server.sh,
# the postgres_server CTest fixture): the worked example's rows decide and apply exactly as on
# SQLite (same plan text, same rows after); --scope-lock skips the tick while another session
# holds the scope; a server that is not there exits 3 naming the database, never the password.
# Usage: cli_test.sh WARDEN ROOT SERVER_DIR
set -euo pipefail
warden=$1
root=$2
server=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$server/conninfo" ] || fail "no server: $server/conninfo is missing (postgres.server.start failed?)"
sock=$(cat "$server/root")
work=$(mktemp -d)
db=cli_$$
cleanup() {
  [ -n "${holder:-}" ] && kill "$holder" 2>/dev/null
  psql -h "$sock" -U warden -d postgres -qAtc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
psql -h "$sock" -U warden -d postgres -qAtc "CREATE DATABASE $db" >/dev/null
url="postgresql://warden@/$db?host=$sock"
q() { psql -h "$sock" -U warden -d "$db" -qAtc "$1"; }
run=(--runtime "$root/examples/campaign.runtime.json" --now 2026-02-03T12:00:00Z)

"$warden" schema --db "$url" | grep -q "PostgreSQL database $db: schema version 1 (created)" || fail "schema not created"
"$warden" schema --db "$url" | grep -q "(already there)" || fail "schema not idempotent"
psql -h "$sock" -U warden -d "$db" -q -v ON_ERROR_STOP=1 <"$root/examples/campaign.sql" >/dev/null
"$warden" schema --db c.db >/dev/null
sqlite3 c.db <"$root/examples/campaign.sql"

# decide: the same plan as on SQLite, and nothing written.
want=$("$warden" decide --db c.db "${run[@]}" --format text)
got=$("$warden" decide --db "$url" "${run[@]}" --format text)
[ "$got" = "$want" ] || fail "decide --db postgresql differs from SQLite:
$got
--- SQLite:
$want"
grep -q "would set job 7 phac-20260101 retryable -> running" <<<"$got" || fail "decide: $got"
[ "$(q "select status from jobs where id = 7")" = retryable ] || fail "decide --db wrote"

# apply without the sentinel: a dry run.
out=$("$warden" apply --db "$url" "${run[@]}" --sentinel "$work/no-sentinel")
grep -q "dry run: the sentinel is absent, nothing applied" <<<"$out" || fail "apply without sentinel: $out"
[ "$(q "select max(version) from jobs")" = 6 ] || fail "apply without the sentinel wrote"

# --scope-lock: while another session holds the scope, the tick is skipped and nothing written.
mkfifo hold
psql -h "$sock" -U warden -d "$db" -qAt <hold >held.out 2>&1 &
holder=$!
exec 7>hold
echo "SELECT pg_advisory_lock(hashtextextended('warden-scope:crawl-host-1', 0)); SELECT 'held';" >&7
for _ in $(seq 50); do grep -q held held.out 2>/dev/null && break; sleep 0.1; done
grep -q held held.out || fail "the holder did not take the scope: $(cat held.out)"
touch sentinel
out=$("$warden" apply --db "$url" "${run[@]}" --sentinel sentinel --scope-lock crawl-host-1 2>&1)
grep -q "skipped: scope crawl-host-1 is held" <<<"$out" || fail "apply with a held scope: $out"
[ "$(q "select count(*) from jobs where version > 3 and id <> 15")" = 0 ] || fail "a skipped tick wrote"
exec 7>&-
wait "$holder" || true
holder=

# apply: the same lines and the same rows after as on SQLite.
want=$("$warden" apply --db c.db "${run[@]}" --sentinel sentinel)
got=$("$warden" apply --db "$url" "${run[@]}" --sentinel sentinel --scope-lock crawl-host-1)
[ "$got" = "$want" ] || fail "apply --db postgresql differs from SQLite:
$got
--- SQLite:
$want"
grep -q "^committed: [1-9][0-9]* applied, 0 conflicts" <<<"$got" || fail "apply: $got"
cols="id, status, started_at, finished_at, retry_count, coalesce(failure_class, ''), version"
pg_rows=$(q "select $cols from jobs order by id" | tr '|' ' ')
sq_rows=$(sqlite3 c.db "select $cols from jobs order by id" | tr '|' ' ')
[ "$pg_rows" = "$sq_rows" ] || fail "rows after apply differ:
$pg_rows
--- SQLite:
$sq_rows"
[ "$(q "select count(*) from job_starts")" = "$(sqlite3 c.db "select count(*) from job_starts")" ] ||
  fail "job_starts differ"

# --format json: the apply result document.
"$warden" apply --db "$url" "${run[@]}" --sentinel sentinel --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["committed"] is True, d' || fail "apply --format json"

# --mapping: the HealthArchive-shaped archive_jobs (examples/mappings), its own names and statuses.
q "CREATE SCHEMA host"
hurl="postgresql://warden@/$db?host=$sock&options=-csearch_path%3Dhost"
psql -h "$sock" -U warden -d "$db" -q -v ON_ERROR_STOP=1 -c "SET search_path = host" \
  -f "$root/examples/mappings/archive_jobs.sql" >/dev/null
map=(--mapping "$root/examples/mappings/archive_jobs.json")
"$warden" schema --db "$hurl" "${map[@]}" | grep -q "schema version 1 (created)" || fail "schema with --mapping"
q "INSERT INTO host.archive_jobs (job_id, job_name, state, campaign_kind, campaign_year, queued_at, row_version)
   VALUES (4, 'hc-news-20260101', 'queued', 'annual', 2026, 1770000000, 1),
          (2, 'phac-20260101', 'indexed', 'annual', 2026, 1770000000, 7)"
echo '{"now": "2026-02-03T12:00:00Z", "host": {"sentinel": true, "deploy_lock": false,
  "disk_used_percent": 40}, "config": {"ensure_min_running_jobs": 1}}' >host.runtime.json
out=$("$warden" apply --db "$hurl" "${map[@]}" --runtime host.runtime.json --sentinel sentinel)
grep -q "^applied: start job 4" <<<"$out" || fail "apply --mapping: $out"
[ "$(q "select state || ' ' || row_version from host.archive_jobs where job_id = 4")" = "crawling 2" ] ||
  fail "apply --mapping did not store the host's status: $(q "select * from host.archive_jobs")"
[ "$(q "select state from host.archive_jobs where job_id = 2")" = indexed ] || fail "job 2 moved"
# The same mapping file on SQLite (docs/mapping.md): the same archive_jobs.sql, the same start.
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed"
sqlite3 host.db <"$root/examples/mappings/archive_jobs.sql"
"$warden" schema --db host.db "${map[@]}" | grep -q "schema version" || fail "SQLite schema with --mapping"
sqlite3 host.db "INSERT INTO archive_jobs (job_id, job_name, state, campaign_kind, campaign_year, queued_at, row_version)
   VALUES (4, 'hc-news-20260101', 'queued', 'annual', 2026, 1770000000, 1),
          (2, 'phac-20260101', 'indexed', 'annual', 2026, 1770000000, 7)"
out=$("$warden" apply --db host.db "${map[@]}" --runtime host.runtime.json --sentinel sentinel)
grep -q "^applied: start job 4" <<<"$out" || fail "SQLite apply --mapping: $out"
[ "$(sqlite3 host.db "select state || ' ' || row_version from archive_jobs where job_id = 4")" = "crawling 2" ] ||
  fail "SQLite apply --mapping did not store the host's status: $(sqlite3 host.db 'select * from archive_jobs')"
[ "$(sqlite3 host.db "select count(*) from job_starts where job_id = 4")" = 1 ] || fail "SQLite: no start recorded"
echo '{"table": "archive jobs"}' >bad.json
set +e
err=$("$warden" decide --db "$hurl" --mapping bad.json 2>&1); code=$?
set -e
[ $code = 2 ] && grep -q 'table: "archive jobs" is not a plain lower-case SQL name' <<<"$err" ||
  fail "a bad mapping: exit $code: $err"

# A server that is not there: exit 3, cannot_open, the database named, no password echoed.
set +e
err=$("$warden" decide --db "postgresql://warden:s3cret@/nosuchdb?host=$work/nowhere&connect_timeout=2" "${run[@]}" 2>&1)
code=$?
set -e
[ $code = 3 ] || fail "unreachable server: exit $code: $err"
grep -q "cannot_open" <<<"$err" && grep -q "nosuchdb" <<<"$err" || fail "unreachable server: $err"
grep -q "s3cret" <<<"$err" && fail "the password was printed: $err"
# --scope-lock on SQLite is a usage error.
set +e
"$warden" apply --db c.db "${run[@]}" --sentinel sentinel --scope-lock x >/dev/null 2>&1
code=$?
set -e
[ $code = 2 ] || fail "--scope-lock with SQLite: exit $code"
echo "ok"
