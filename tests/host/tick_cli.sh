#!/usr/bin/env bash
# `warden tick` end to end on real parts (docs/host.md, "tick"): the sample campaign database
# (examples/campaign.sql) in a real SQLite file, per-job locks held by util-linux flock, a worker
# stand-in whose children are crawl stand-ins (their cmdline names the job's output dir), real
# start commands, the textfile checked by promtool. Asserted each time: the rows, the textfile
# and the runtime effects (processes stopped or left alone, start commands run or not).
#   1. sentinel file absent: a plan, nothing written, nothing carried out;
#   2. --dry-run with the sentinel present: the plan, nothing written (rows, textfile, progress
#      state file), nothing carried out;
#   3. the run lock held by `flock FILE sleep 5`: exit 0 at once, nothing written;
#   4. a real tick: applied in one transaction, the stalled crawl's process stopped (queue fill
#      waits while a job is found stalled), the healthy one left alone, the textfile written;
#      the next tick launches the start with the real start command;
#   5. a start command that fails (from the same rows): the start is undone (row as before, no
#      start counted).
# Usage: tick_cli.sh WARDEN REPO_ROOT PYTHON (PROMTOOL in the environment)
set -u
warden=$1 root=$2 py=$3
promtool=${PROMTOOL:-promtool}
. "$root/tests/host/cli_setup.sh"
command -v "$promtool" >/dev/null || fail "promtool not found (Debian package prometheus)"
rows() { sqlite3 "$1" "select group_concat(id || ':' || status || ':' || version || ':' || retry_count, ' ') from jobs"; }
starts() { sqlite3 "$1" "select count(*) from job_starts"; }
prom_ok() { # file
  local problems
  problems=$("$promtool" check metrics <"$1" 2>&1) || fail "promtool: $1: $problems"
  [ -z "$problems" ] || fail "promtool: $1: $problems"
}

. "$root/tests/host/tick_setup.sh"
mkdir textfiles
config() { # FILE START_COMMAND_JSON [EXTRA_PROBE_JSON]
  host_config "$1" "$work/c.db" "$2" "$work/textfiles/warden.prom" "${3:-}"
}
config host.json "[\"sh\", \"-c\", \"echo {id} >>$work/started.txt\"]"
before=$(rows c.db) starts_before=$(starts c.db)

# 1. The sentinel file is absent: a dry run, whatever else holds.
"$warden" tick --host-config host.json --now "$now" --format json >absent.json 2>err.txt ||
  fail "tick without the sentinel: exit $?: $(cat err.txt)"
[ "$(rows c.db)" = "$before" ] || fail "tick without the sentinel wrote rows"
[ ! -e started.txt ] || fail "tick without the sentinel ran a start command"
alive "$crawl5" || fail "tick without the sentinel stopped a crawl"
"$py" - absent.json <<'PY' || fail "sentinel absent: document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dry_run"] is True and d["committed"] is False, d
assert d["runtime_actions"] == [] and d["runtime_results"] == [], d
assert any(a["status"] == "blocked" and a["rail"] == "sentinel_gate" for a in d["actions"]), d["actions"]
PY
prom_ok textfiles/warden.prom
grep -qx "warden_apply_dry_run 1" textfiles/warden.prom || fail "sentinel absent: warden_apply_dry_run"
grep -qx "warden_host_sentinel_present 0" textfiles/warden.prom || fail "sentinel absent: sentinel metric"
[ -e tick.lock ] || fail "the run lock file was not created"

# 2. --dry-run with the sentinel present: the plan on stdout, nothing written, not even the
# textfile (the timer's) or the progress state file.
touch enabled
rm textfiles/warden.prom
config dry.json "[\"sh\", \"-c\", \"echo {id} >>$work/started.txt\"]" \
  ", \"progress\": {\"state_file\": \"$work/progress.json\", \"log_globs\": [\"*.log\"]}"
"$warden" tick --host-config dry.json --now "$now" --dry-run >dry.txt 2>err.txt ||
  fail "tick --dry-run: exit $?: $(cat err.txt)"
grep -q "^would " dry.txt || fail "tick --dry-run printed no plan: $(cat dry.txt)"
grep -qx "dry run: --dry-run, nothing applied" dry.txt || fail "tick --dry-run: $(cat dry.txt)"
[ "$(rows c.db)" = "$before" ] || fail "tick --dry-run wrote rows"
[ ! -e textfiles/warden.prom ] || fail "tick --dry-run wrote the timer's textfile"
[ ! -e progress.json ] || fail "tick --dry-run wrote the progress state file"
[ ! -e started.txt ] || fail "tick --dry-run ran a start command"
alive "$crawl5" || fail "tick --dry-run stopped a crawl"
# ... and the same config without --dry-run does write the state file (the check above can fail).
cp c.db c.db.keep
"$warden" tick --host-config dry.json --now "$now" --metrics-out "$work/other.prom" >/dev/null 2>err.txt ||
  fail "tick with progress: exit $?: $(cat err.txt)"
[ -e progress.json ] || fail "a tick did not write the progress state file"
# Undo that tick's effects for the next steps: rows back, the crawl stand-ins untouched?
alive "$crawl5" && alive "$crawl3" || fail "the progress tick stopped a crawl (progress unknown is not a stall)"
mv c.db.keep c.db
rm -f started.txt other.prom

# 3. Another tick holds the run lock: exit 0 at once, nothing written.
set -m
flock tick.lock sleep 5 &
holder=$!
pids+=($holder)
set +m
for _ in $(seq 50); do ! flock -n tick.lock true && break; sleep 0.1; done
start=$(date +%s%N)
"$warden" tick --host-config host.json --now "$now" >busy.txt 2>err.txt || fail "busy tick: exit $?"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed_ms" -lt 3000 ] || fail "busy tick waited ${elapsed_ms} ms for the run lock"
grep -q "another warden tick holds the run lock $work/tick.lock: nothing done" err.txt ||
  fail "busy tick: no log line: $(cat err.txt)"
[ ! -s busy.txt ] || fail "busy tick printed a plan: $(cat busy.txt)"
[ "$(rows c.db)" = "$before" ] || fail "busy tick wrote rows"
[ ! -e textfiles/warden.prom ] || fail "busy tick wrote the textfile"
[ ! -e started.txt ] || fail "busy tick ran a start command"
# flock(1)'s child, sleep, holds the lock too: end the holder's whole process group.
kill -- "-$holder" 2>/dev/null
wait "$holder" 2>/dev/null
for _ in $(seq 50); do flock -n tick.lock true && break; sleep 0.1; done

# 4. The real tick: rows, textfile and runtime effects.
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
assert [r["kind"] for r in d["runtime_results"]] == ["restart"], d["runtime_results"]
PY
[ "$(sqlite3 c.db "select status from jobs where id = 5")" = retryable ] || fail "stalled job 5 not retryable: $(rows c.db)"
[ "$(sqlite3 c.db "select status from jobs where id = 3")" = running ] || fail "job 3 moved: $(rows c.db)"
[ "$(starts c.db)" -eq "$starts_before" ] || fail "a start was counted without a start"
for _ in $(seq 50); do alive "$crawl5" || break; sleep 0.1; done
! alive "$crawl5" || fail "the stalled crawl (pid $crawl5) still runs"
alive "$crawl3" || fail "the healthy crawl (pid $crawl3) was stopped"
[ ! -e started.txt ] || fail "a start command ran while a job was stalled"
prom_ok textfiles/warden.prom
grep -qx "warden_apply_committed 1" textfiles/warden.prom || fail "tick: warden_apply_committed"
grep -qx "warden_runtime_action_results{kind=\"restart\",result=\"ok\"} 1" textfiles/warden.prom ||
  fail "tick: restart result metric"
cp c.db recovered.db

# The next tick: nothing is stalled, so queue fill starts a job through the real start command.
"$warden" tick --host-config host.json --now "$now" --format json >started.json 2>err.txt ||
  fail "second tick: exit $?: $(cat err.txt)"
"$py" - started.json <<'PY' || fail "second tick: document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["committed"] is True, d
starts = [r for r in d["runtime_results"] if r["kind"] == "start"]
assert starts and all(r["ok"] and r["undo"] is None for r in starts), d["runtime_results"]
assert all(r["command"]["exit_status"] == 0 for r in starts)
open("started.expected", "w").write("".join(f'{r["job_id"]}\n' for r in starts))
assert [r["job_id"] for r in d["runtime_actions"] if r["kind"] == "start"] == [r["job_id"] for r in starts]
PY
sort -n started.txt | cmp -s - <(sort -n started.expected) ||
  fail "start commands run: $(cat started.txt 2>/dev/null) expected $(cat started.expected)"
for id in $(cat started.expected); do
  [ "$(sqlite3 c.db "select status from jobs where id = $id")" = running ] || fail "started job $id not running"
done
[ "$(starts c.db)" -eq $((starts_before + $(wc -l <started.expected))) ] || fail "job_starts not counted"
alive "$crawl3" || fail "the healthy crawl (pid $crawl3) was stopped"
prom_ok textfiles/warden.prom
grep -qx "warden_runtime_action_results{kind=\"start\",result=\"ok\"} $(wc -l <started.expected)" textfiles/warden.prom ||
  fail "tick: start result metric"
find textfiles -name '.*' | grep -q . && fail "a temporary textfile was left behind"

# 5. A start command that fails, on the rows the second tick started from: each start is
# undone, the rows are as before, no start counted.
cp recovered.db c.db
starts_before=$(starts c.db)
rm -f started.txt
config fails.json "[\"sh\", \"-c\", \"echo cannot launch {name:sh} >&2; exit 4\"]"
"$warden" tick --host-config fails.json --now "$now" --format json --log-format json >failed.json 2>err.txt ||
  fail "failing tick: exit $?: $(cat err.txt)"
"$py" - failed.json err.txt <<'PY' || fail "failing start: document"
import json, sys
d = json.load(open(sys.argv[1]))
starts = [r for r in d["runtime_results"] if r["kind"] == "start"]
assert starts, d["runtime_results"]
for r in starts:
    assert r["ok"] is False and r["undo"] == "applied", r
    assert r["command"]["exit_status"] == 4 and r["detail"] == "start command exited 4", r
open("undone.txt", "w").write(" ".join(str(r["job_id"]) for r in starts))
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
errors = [l for l in lines if l["level"] == "error"]
assert {l["job_id"] for l in errors} >= {r["job_id"] for r in starts}, lines
PY
for id in $(cat undone.txt); do
  a=$(sqlite3 recovered.db "select status, retry_count, started_at from jobs where id = $id")
  b=$(sqlite3 c.db "select status, retry_count, started_at from jobs where id = $id")
  [ "$a" = "$b" ] || fail "job $id not undone: was $a, now $b"
done
[ "$(starts c.db)" -eq "$starts_before" ] || fail "a failed start was counted in job_starts"
prom_ok textfiles/warden.prom
grep -qx "warden_runtime_starts_undone $(wc -w <undone.txt)" textfiles/warden.prom ||
  fail "failing tick: warden_runtime_starts_undone"

# A host config without a "tick" section is refused, naming it; exit 1.
echo "{\"probe\": {}, \"actions\": {}}" >notick.json
"$warden" tick --host-config notick.json >/dev/null 2>err.txt
[ $? -eq 1 ] || fail "no tick section: exit not 1"
grep -qx "error: notick.json: tick: required by warden tick" err.txt || fail "no tick section: $(cat err.txt)"
echo "ok"
