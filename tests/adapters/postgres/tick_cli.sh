#!/usr/bin/env bash
# `warden probe --db`, `warden tick` and `apply --host-config` on PostgreSQL (issue 20, item 3),
# against the throwaway server (server.sh, the postgres_server CTest fixture), on real parts as
# tests/host/tick_cli.sh does on SQLite: the sample campaign (examples/campaign.sql), per-job locks
# held by util-linux flock, a worker stand-in whose children are crawl stand-ins, real start
# commands. Asserted each time: the rows, job_starts and the runtime effects.
#   1. probe --db postgresql://: the same runtime document as probe --db on the SQLite copy;
#   2. a tick: the stalled crawl stopped, its row retryable, the healthy crawl left alone;
#   3. the next tick starts jobs with the real start command, each start counted;
#   4. a start command that fails (from the rows of 3): each start undone with the PostgreSQL
#      undo_start (row as before, no start counted);
#   5. apply --host-config with the failing start: the same undo, through `apply`.
#   6. tick.scope_lock: a tick skipped while another session holds the scope, run once it is
#      free; refused with a SQLite tick.database.
# Usage: tick_cli.sh WARDEN ROOT SERVER_DIR PYTHON
set -u
warden=$1 root=$2 server=$3 py=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$server/conninfo" ] || fail "no server: $server/conninfo is missing (postgres.server.start failed?)"
sock=$(cat "$server/root")
db=tick_$$
# cli_setup.sh's cleanup runs this too: the databases the test made.
cleanup_extra() {
  for d in "$db" "${db}_rec" "${db}_rec2" "${db}_app"; do
    psql -h "$sock" -U warden -d postgres -qAtc "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1
  done
}
. "$root/tests/host/cli_setup.sh" # the work dir, `now`, the SQLite copy c.db
admin() { psql -h "$sock" -U warden -d postgres -qAtc "$1" >/dev/null || fail "psql: $1"; }
q() { psql -h "$sock" -U warden -d "$1" -qAtc "$2"; }
url() { echo "postgresql://warden@/$1?host=$sock"; }
rows() { q "$1" "select string_agg(id || ':' || status || ':' || version || ':' || retry_count, ' ' order by id) from jobs"; }
starts() { q "$1" "select count(*) from job_starts"; }

admin "CREATE DATABASE $db"
"$warden" schema --db "$(url "$db")" >/dev/null || fail "schema"
psql -h "$sock" -U warden -d "$db" -q -v ON_ERROR_STOP=1 <"$root/examples/campaign.sql" >/dev/null ||
  fail "campaign.sql"

. "$root/tests/host/tick_setup.sh"
config() { # FILE DATABASE START_COMMAND_JSON
  host_config "$1" "$2" "$3" "$work/warden.prom"
}
ok_start="[\"sh\", \"-c\", \"echo {id} >>$work/started.txt\"]"
bad_start="[\"sh\", \"-c\", \"echo cannot launch {name:sh} >&2; exit 4\"]"
config host.json "$(url "$db")" "$ok_start"
touch enabled
starts_before=$(starts "$db")

# 1. probe --db: the runtime document read from PostgreSQL is the one read from SQLite.
"$warden" probe --host-config host.json --db c.db --now "$now" >probe.sqlite.json 2>err.txt ||
  fail "probe --db c.db: $(cat err.txt)"
"$warden" probe --host-config host.json --db "$(url "$db")" --now "$now" >probe.pg.json 2>err.txt ||
  fail "probe --db postgresql: $(cat err.txt)"
# (The disk's use moves between two probes: everything else must be equal.)
"$py" - probe.sqlite.json probe.pg.json <<'PY' || fail "probe --db postgresql differs from SQLite"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    d["host"].pop("disk_used_percent")
assert a == b, (a, b)
PY
grep -q '"job_id": 5' probe.pg.json || fail "probe --db postgresql: no lock for job 5: $(cat probe.pg.json)"

# 2. The real tick: the stalled crawl stopped, its row retryable, the healthy one left alone.
"$warden" tick --host-config host.json --now "$now" --format json >applied.json 2>err.txt ||
  fail "tick: exit $?: $(cat err.txt)"
"$py" - applied.json "$crawl5" "$crawl3" <<'PY' || fail "tick: document"
import json, sys
d = json.load(open(sys.argv[1]))
crawl5, crawl3 = int(sys.argv[2]), int(sys.argv[3])
assert d["dry_run"] is False and d["committed"] is True, d
assert d["counts"]["applied"] >= 2 and d["counts"]["conflicts"] == 0, d["counts"]
restarts = [r for r in d["runtime_results"] if r["kind"] == "restart"]
assert len(restarts) == 1 and restarts[0]["job_id"] == 5 and restarts[0]["ok"], d["runtime_results"]
pids = {p["pid"]: p["outcome"] for p in restarts[0]["pids"]}
assert pids.get(crawl5) == "terminated", restarts
assert crawl3 not in pids, restarts
PY
[ "$(q "$db" "select status from jobs where id = 5")" = retryable ] || fail "stalled job 5 not retryable: $(rows "$db")"
[ "$(q "$db" "select status from jobs where id = 3")" = running ] || fail "job 3 moved: $(rows "$db")"
[ "$(starts "$db")" -eq "$starts_before" ] || fail "a start was counted without a start"
for _ in $(seq 50); do alive "$crawl5" || break; sleep 0.1; done
! alive "$crawl5" || fail "the stalled crawl (pid $crawl5) still runs"
alive "$crawl3" || fail "the healthy crawl (pid $crawl3) was stopped"
[ ! -e started.txt ] || fail "a start command ran while a job was stalled"
grep -qx "warden_apply_committed 1" warden.prom || fail "tick: warden_apply_committed"
# Copies of the rows as recovered, for 4 and 5 (CREATE DATABASE ... TEMPLATE copies them).
for d in "${db}_rec" "${db}_rec2" "${db}_app"; do admin "CREATE DATABASE $d TEMPLATE $db"; done

# 3. The next tick: queue fill starts jobs through the real start command.
"$warden" tick --host-config host.json --now "$now" --format json >started.json 2>err.txt ||
  fail "second tick: exit $?: $(cat err.txt)"
"$py" - started.json <<'PY' || fail "second tick: document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["committed"] is True, d
starts = [r for r in d["runtime_results"] if r["kind"] == "start"]
assert starts and all(r["ok"] and r["undo"] is None for r in starts), d["runtime_results"]
open("started.expected", "w").write("".join(f'{r["job_id"]}\n' for r in starts))
PY
sort -n started.txt | cmp -s - <(sort -n started.expected) ||
  fail "start commands run: $(cat started.txt 2>/dev/null) expected $(cat started.expected)"
for id in $(cat started.expected); do
  [ "$(q "$db" "select status from jobs where id = $id")" = running ] || fail "started job $id not running"
done
[ "$(starts "$db")" -eq $((starts_before + $(wc -l <started.expected))) ] || fail "job_starts not counted"
alive "$crawl3" || fail "the healthy crawl (pid $crawl3) was stopped"

# 4. A start command that fails, on the recovered rows: each start undone, rows as before.
config fails.json "$(url "${db}_rec")" "$bad_start"
before=$(rows "${db}_rec") starts_before=$(starts "${db}_rec")
"$warden" tick --host-config fails.json --now "$now" --format json >failed.json 2>err.txt ||
  fail "failing tick: exit $?: $(cat err.txt)"
"$py" - failed.json <<'PY' || fail "failing start: document"
import json, sys
d = json.load(open(sys.argv[1]))
starts = [r for r in d["runtime_results"] if r["kind"] == "start"]
assert starts, d["runtime_results"]
for r in starts:
    assert r["ok"] is False and r["undo"] == "applied", r
    assert r["command"]["exit_status"] == 4 and r["detail"] == "start command exited 4", r
open("undone.txt", "w").write(" ".join(str(r["job_id"]) for r in starts))
PY
cols="status, retry_count, coalesce(started_at, -1), coalesce(finished_at, -1)"
for id in $(cat undone.txt); do
  a=$(q "${db}_rec2" "select $cols from jobs where id = $id")
  b=$(q "${db}_rec" "select $cols from jobs where id = $id")
  [ "$a" = "$b" ] || fail "job $id not undone: was $a, now $b"
  [ "$(q "${db}_rec" "select last_error from jobs where id = $id")" = "start command exited 4" ] ||
    fail "job $id: last_error not the reason"
done
[ "$(starts "${db}_rec")" -eq "$starts_before" ] || fail "a failed start was counted in job_starts"
grep -qx "warden_runtime_starts_undone $(wc -w <undone.txt)" warden.prom ||
  fail "failing tick: warden_runtime_starts_undone"

# 5. apply --host-config on PostgreSQL: the runtime document from probe --db, the same undo.
app=$(url "${db}_app")
"$warden" probe --host-config fails.json --db "$app" --now "$now" >rt.json 2>err.txt ||
  fail "probe for apply: $(cat err.txt)"
"$py" - rt.json <<'PY' || fail "runtime document"
import json, sys
d = json.load(open(sys.argv[1]))
d["config"] = {"ensure_min_running_jobs": 4, "daily_start_cap": 10}
json.dump(d, open(sys.argv[1], "w"))
PY
starts_before=$(starts "${db}_app")
"$warden" apply --db "$app" --runtime rt.json --now "$now" --sentinel enabled \
  --host-config fails.json --scope-lock crawl-host-1 --format json >apply.json 2>err.txt ||
  fail "apply --host-config: exit $?: $(cat err.txt)"
"$py" - apply.json undone.txt <<'PY' || fail "apply --host-config: document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["committed"] is True, d
starts = [r for r in d["runtime_results"] if r["kind"] == "start"]
assert starts and all(r["ok"] is False and r["undo"] == "applied" for r in starts), d["runtime_results"]
assert " ".join(str(r["job_id"]) for r in starts) == open(sys.argv[2]).read(), starts
PY
for id in $(cat undone.txt); do
  a=$(q "${db}_rec2" "select $cols from jobs where id = $id")
  b=$(q "${db}_app" "select $cols from jobs where id = $id")
  [ "$a" = "$b" ] || fail "apply --host-config: job $id not undone: was $a, now $b"
done
[ "$(starts "${db}_app")" -eq "$starts_before" ] || fail "apply --host-config: a failed start counted"

# 6. tick.scope_lock: while another session (a second watchdog) holds the scope, a tick is
#    skipped, exit 0, nothing written; once it is free, the tick runs. On SQLite it is refused.
"$py" - host.json scoped.json <<'PY' || fail "scoped config"
import json, sys
d = json.load(open(sys.argv[1]))
d["tick"]["scope_lock"] = "crawl-host-1"
d["tick"]["run_lock_path"] = d["tick"]["run_lock_path"] + ".scoped"
json.dump(d, open(sys.argv[2], "w"))
PY
mkfifo hold
psql -h "$sock" -U warden -d "$db" -qAt <hold >held.out 2>&1 &
holder=$!
pids+=($holder)
exec 7>hold
echo "SELECT pg_advisory_lock(hashtextextended('warden-scope:crawl-host-1', 0)); SELECT 'held';" >&7
for _ in $(seq 50); do grep -q held held.out 2>/dev/null && break; sleep 0.1; done
grep -q held held.out || fail "the holder did not take the scope: $(cat held.out)"
# Job 3's crawl still runs under its lock: with its row made retryable, a tick that runs revives it.
q "$db" "update jobs set status = 'retryable', version = version + 1 where id = 3" >/dev/null
before=$(rows "$db") starts_before=$(starts "$db")
out=$("$warden" tick --host-config scoped.json --now "$now" 2>err.txt) ||
  fail "tick with a held scope: exit $?: $(cat err.txt)"
grep -q "skipped: scope crawl-host-1 is held" <<<"$out" || fail "tick with a held scope: $out"
grep -q "scope crawl-host-1 is held by another watchdog" err.txt || fail "no log line: $(cat err.txt)"
[ "$(rows "$db")" = "$before" ] || fail "a skipped tick wrote: $before -> $(rows "$db")"
[ "$(starts "$db")" -eq "$starts_before" ] || fail "a skipped tick counted a start"
exec 7>&-
wait "$holder" 2>/dev/null || true
"$warden" tick --host-config scoped.json --now "$now" --format json >scoped.out.json 2>err.txt ||
  fail "tick with a free scope: exit $?: $(cat err.txt)"
"$py" - scoped.out.json <<'PY' || fail "tick with a free scope: document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["committed"] is True, d
PY
[ "$(rows "$db")" != "$before" ] || fail "the tick with a free scope changed nothing: $before"
"$py" - host.json sqlite_scoped.json "$work/c.db" <<'PY' || fail "sqlite scoped config"
import json, sys
d = json.load(open(sys.argv[1]))
d["tick"]["scope_lock"] = "crawl-host-1"
d["tick"]["database"] = sys.argv[3]
json.dump(d, open(sys.argv[2], "w"))
PY
"$warden" tick --host-config sqlite_scoped.json --now "$now" >/dev/null 2>err.txt
code=$?
[ $code = 1 ] || fail "tick.scope_lock with SQLite: exit $code"
grep -q "tick.scope_lock: needs a PostgreSQL tick.database" err.txt ||
  fail "tick.scope_lock with SQLite: $(cat err.txt)"
echo "ok"
