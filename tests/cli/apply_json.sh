#!/usr/bin/env bash
# Issue 19 on the SQLite path, through the CLI on a real database file (examples/campaign.sql):
# the sentinel file is the only authority to write (apply without --sentinel is a usage error,
# a runtime document's "sentinel": true writes nothing without the file), `apply --format json`
# (schema-valid, with the runtime actions: crawls to launch, pids to stop), `--metrics-out` on
# decide and apply (written atomically, promtool-valid, apply series beside the plan's), and
# `--log-format json`. Usage: apply_json.sh WARDEN ROOT (PROMTOOL in the environment)
set -euo pipefail
warden=$1
root=$2
promtool=${PROMTOOL:-promtool}
work=$(mktemp -d)
standins=()
trap 'for p in "${standins[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; chmod -R u+w "$work"; rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 c.db "$1"; }
schema() { python3 "$root/tests/cli/validate_schema.py" "$root/docs" "$1"; }
prom_ok() { # file
  local problems
  problems=$("$promtool" check metrics <"$1" 2>&1) || fail "promtool: $1: $problems"
  [ -z "$problems" ] || fail "promtool: $1: $problems"
  for family in $(awk '$1 == "#" && $2 == "TYPE" { print $3 }' "$1"); do
    grep -qF "\`$family\`" "$root/docs/metrics.md" || fail "$family is not in docs/metrics.md"
  done
}
# Two starts in one tick show the crawls to launch; the per-tick pace (max_starts_per_tick,
# default 1) is not what this tests, so the runtime document lifts it.
python3 - "$root/examples/campaign.runtime.json" campaign.runtime.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["config"]["max_starts_per_tick"] = 0
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
run=(--db c.db --runtime campaign.runtime.json)
noon=(--now 2026-02-03T12:00:00Z)
command -v "$promtool" >/dev/null || fail "promtool not found (Debian package prometheus)"
"$warden" schema --db c.db >/dev/null
sqlite3 c.db <"$root/examples/campaign.sql"
rows_before=$(q "select group_concat(id || status || version) from jobs")
grep -q '"sentinel": true' "$root/examples/campaign.runtime.json" || fail "the runtime document no longer says sentinel true"

# 1. No --sentinel: a usage error, whatever the runtime document says; nothing written.
set +e
err=$("$warden" apply "${run[@]}" "${noon[@]}" 2>&1); code=$?
set -e
[ $code = 2 ] || fail "apply without --sentinel: exit $code"
grep -q "apply needs --sentinel PATH" <<<"$err" || fail "apply without --sentinel: $err"
[ "$(q "select group_concat(id || status || version) from jobs")" = "$rows_before" ] || fail "apply without --sentinel wrote"

# 2. --sentinel naming an absent file: a dry run although the document says "sentinel": true.
mkdir textfiles
"$warden" apply "${run[@]}" "${noon[@]}" --sentinel "$work/absent" --format json \
  --metrics-out textfiles/warden.prom >dry.json
[ "$(q "select group_concat(id || status || version) from jobs")" = "$rows_before" ] || fail "the document's sentinel wrote"
schema apply-result <dry.json || fail "dry run: schema"
python3 - dry.json <<'PY' || fail "dry run document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dry_run"] is True and d["committed"] is False, d
assert d["runtime_actions"] == [], d["runtime_actions"]
assert d["actions"] and all(a["status"] in ("dry_run", "blocked") for a in d["actions"]), d["actions"]
assert any(a["status"] == "blocked" and a["rail"] == "sentinel_gate" for a in d["actions"])
assert d["plan"]["outcome"]["result"] == "dry_run", d["plan"]["outcome"]
PY
prom_ok textfiles/warden.prom
grep -qx "warden_apply_dry_run 1" textfiles/warden.prom || fail "dry run: warden_apply_dry_run"
grep -qx "warden_host_sentinel_present 0" textfiles/warden.prom || fail "dry run: the sentinel is the file's"

# 3. With the file: applied, with the runtime actions for the host.
touch sentinel
"$warden" apply "${run[@]}" "${noon[@]}" --sentinel sentinel --format json \
  --metrics-out textfiles/warden.prom >applied.json
schema apply-result <applied.json || fail "apply: schema"
python3 - applied.json <<'PY' || fail "apply document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dry_run"] is False and d["committed"] is True, d
assert d["counts"] == {"applied": 5, "conflicts": 0, "not_reached": 0, "unsupported": 0, "blocked": 0}, d["counts"]
assert [a["status"] for a in d["actions"]].count("applied") == 5
restart = [r for r in d["runtime_actions"] if r["kind"] == "restart"]
assert len(restart) == 1 and restart[0]["job_id"] == 5 and restart[0]["pids"] == [5151], d["runtime_actions"]
assert restart[0]["runner"] == "worker" and restart[0]["name"] == "hc-20260101"
assert d["actions"][restart[0]["action_index"]]["status"] == "runtime_only"
PY
[ "$(q "select status from jobs where id = 7")" = running ] || fail "apply --format json did not write"
prom_ok textfiles/warden.prom
grep -qx "warden_apply_committed 1" textfiles/warden.prom || fail "warden_apply_committed"
grep -qx 'warden_apply_actions{status="applied"} 5' textfiles/warden.prom || fail "apply_actions applied"
grep -qx 'warden_apply_actions{status="runtime_only"} 1' textfiles/warden.prom || fail "apply_actions runtime_only"
grep -qx 'warden_apply_runtime_actions{kind="restart"} 1' textfiles/warden.prom || fail "runtime restart"
grep -qx 'warden_plan_actions{rule="stall_recovery"} 3' textfiles/warden.prom || fail "the plan's series are not beside"
[ "$(stat -c %a textfiles/warden.prom)" = 644 ] || fail "textfile mode $(stat -c %a textfiles/warden.prom)"
[ "$(ls -A textfiles)" = warden.prom ] || fail "temporary files left: $(ls -A textfiles)"

# 4. Five minutes later: crawls to launch, each with the fields a start command needs.
"$warden" apply "${run[@]}" --now 2026-02-03T12:05:00Z --sentinel sentinel --format json \
  --metrics-out textfiles/warden.prom >starts.json
schema apply-result <starts.json || fail "starts: schema"
python3 - starts.json <<'PY' || fail "starts document"
import json, sys
d = json.load(open(sys.argv[1]))
starts = [r for r in d["runtime_actions"] if r["kind"] == "start"]
assert [s["job_id"] for s in starts] == [9, 12], starts
assert starts[0]["output_dir"] == "/srv/crawls/phac-covid-20260101" and starts[0]["source"] == "phac"
assert starts[0]["tool_options"]["max_container_restarts"] == 20
for s in starts:
    assert d["actions"][s["action_index"]]["status"] == "applied"
    assert d["actions"][s["action_index"]]["action"]["kind"] == "start_job"
PY
[ "$(q "select count(*) from jobs where id in (9, 12) and status = 'running'")" = 2 ] || fail "starts not written"
prom_ok textfiles/warden.prom
grep -qx 'warden_apply_runtime_actions{kind="start"} 2' textfiles/warden.prom || fail "runtime starts"

# 5. The text output is unchanged by default (hosts parse it).
"$warden" apply "${run[@]}" --now 2026-02-03T12:10:00Z --sentinel "$work/absent" | head -1 |
  grep -qx "dry run: the sentinel is absent, nothing applied" || fail "apply's default text"

# 6. decide --metrics-out, from a document and from the database; a refused input still writes.
"$warden" decide "$root/tests/cli/fixtures/rule_stall_recovery.json" --metrics-out d.prom >/dev/null
prom_ok d.prom
grep -qx "warden_input_valid 1" d.prom || fail "decide --metrics-out"
"$warden" decide "${run[@]}" --now 2026-02-03T12:10:00Z --metrics-out d2.prom >/dev/null
prom_ok d2.prom
! grep -q "warden_apply_" d2.prom || fail "decide writes apply series"
set +e
"$warden" decide "$root/tests/cli/fixtures/bad_times.json" --metrics-out bad.prom >/dev/null 2>&1; code=$?
set -e
[ $code = 1 ] || fail "refused input: exit $code"
grep -qx "warden_input_valid 0" bad.prom || fail "refused input: no textfile"

# 7. A textfile that cannot be written: exit 2, the old file kept, no temporary file left.
cp textfiles/warden.prom old.prom
chmod a-w textfiles
if [ "$(id -u)" != 0 ]; then # root writes anyway
  set +e
  err=$("$warden" apply "${run[@]}" --now 2026-02-03T12:15:00Z --sentinel "$work/absent" \
    --metrics-out textfiles/warden.prom 2>&1 >/dev/null); code=$?
  set -e
  [ $code = 2 ] || fail "unwritable textfile: exit $code"
  grep -q "error: --metrics-out: cannot create a temporary file in textfiles" <<<"$err" || fail "unwritable: $err"
  cmp -s old.prom textfiles/warden.prom || fail "unwritable: the old textfile changed"
fi
chmod u+w textfiles
set +e
err=$("$warden" decide "$root/tests/cli/fixtures/rule_stall_recovery.json" \
  --metrics-out "$work/no-such-dir/w.prom" --log-format json 2>&1 >/dev/null); code=$?
set -e
[ $code = 2 ] || fail "missing dir: exit $code"
python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
assert len(lines) == 1 and lines[0]["level"] == "error" and lines[0]["field"] == "--metrics-out", lines
assert "cannot create a temporary file" in lines[0]["message"] and lines[0]["time"].endswith("Z")
' "$err" || fail "missing dir as a JSON log line: $err"

# 8. --log-format json: every diagnostic one JSON object per line, fields kept as fields.
set +e
err=$("$warden" --log-format json decide "$root/tests/cli/fixtures/bad_times.json" 2>&1 >/dev/null)
err2=$("$warden" decide "$root/tests/cli/fixtures/progress_fields_missing.json" --log-format json 2>&1 >/dev/null)
err3=$("$warden" apply "${run[@]}" --log-format json 2>&1 >/dev/null); code=$?
set -e
python3 -c '
import json, sys
errors = [json.loads(l) for l in sys.argv[1].splitlines()]
assert errors and all(e["level"] == "error" and "field" in e for e in errors), errors
assert any(e["field"] == "jobs[3].started_at" and e["job_id"] == 4 for e in errors), errors
warnings = [json.loads(l) for l in sys.argv[2].splitlines()]
assert len(warnings) == 1 and warnings[0]["level"] == "warning", warnings
assert "running job without last_progress_at" in warnings[0]["message"]
fatal = [json.loads(l) for l in sys.argv[3].splitlines()]
assert len(fatal) == 1 and fatal[0]["exit_status"] == 2 and "needs --sentinel" in fatal[0]["message"], fatal
' "$err" "$err2" "$err3" || fail "--log-format json: $err / $err2 / $err3"
[ $code = 2 ] || fail "apply without --sentinel (json log): exit $code"
# 9. --host-config: the runtime actions carried out on real processes. A fresh database; the
#    stalled job 5's crawl is a stand-in that ignores SIGTERM (the stop must escalate to
#    SIGKILL), the other crawls are live stand-ins too (nothing else may be signalled), and the
#    start command fails: its row goes back as it was, and no start is counted.
"$warden" schema --db h.db >/dev/null
sqlite3 h.db <"$root/examples/campaign.sql"
standin() { sh -c "trap '' TERM; exec sleep 120" </dev/null >/dev/null 2>&1 & echo $!; }
p5=$(standin); p7=$(standin); p3=$(standin)
standins=("$p5" "$p7" "$p3")
sed -e "s/5151/$p5/; s/4242/$p7/; s/3131/$p3/" campaign.runtime.json >h.runtime.json
cat >host.json <<JSON
{"actions": {
  "start_job": ["sh", "-c", "echo \"cannot launch {name}\" >&2; exit 4"],
  "restart_worker": ["sh", "-c", "echo restarted >> \"\$0\"", "$work/worker-restarts"],
  "stop_timeout_seconds": 1, "command_timeout_seconds": 10},
 "probe": {"ignored": "the probe's sections are not read by apply"}}
JSON
hrun=(--db h.db --runtime h.runtime.json --sentinel sentinel --host-config host.json --format json)
"$warden" apply "${hrun[@]}" "${noon[@]}" --metrics-out textfiles/h.prom >h1.json 2>h1.err
schema apply-result <h1.json || fail "carried out: schema"
python3 - h1.json "$p5" <<'PY' || fail "carried out (restart) document"
import json, sys
d = json.load(open(sys.argv[1])); p5 = int(sys.argv[2])
res = d["runtime_results"]
assert len(res) == 1 and res[0]["kind"] == "restart" and res[0]["job_id"] == 5, res
assert res[0]["ok"] is True, res
assert res[0]["pids"] == [{"pid": p5, "outcome": "killed"}], res[0]["pids"]
assert res[0]["command"]["outcome"] == "exited" and res[0]["command"]["exit_status"] == 0
PY
# Alive and not a zombie (an orphaned stand-in waits for PID 1 to reap it, which in a container
# may never happen).
alive() { [ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat"; }
alive "$p5" && fail "the stalled crawl survived"
alive "$p7" && alive "$p3" || fail "a crawl that was not to be stopped was"
[ "$(cat worker-restarts)" = restarted ] || fail "restart_worker not run"
prom_ok textfiles/h.prom
grep -qx 'warden_runtime_action_results{kind="restart",result="ok"} 1' textfiles/h.prom || fail "runtime result series"
starts_before=$(sqlite3 h.db "select count(*) from job_starts")
rows9=$(sqlite3 h.db "select status || retry_count || coalesce(started_at, '-') from jobs where id in (9, 12) order by id")
set +e
"$warden" apply "${hrun[@]}" --now 2026-02-03T12:05:00Z --metrics-out textfiles/h.prom >h2.json 2>h2.err; code=$?
set -e
[ $code = 0 ] || fail "a failed start changed the exit status: $code"
schema apply-result <h2.json || fail "failed start: schema"
python3 - h2.json <<'PY' || fail "failed start document"
import json, sys
d = json.load(open(sys.argv[1]))
starts = [r for r in d["runtime_results"] if r["kind"] == "start"]
assert [s["job_id"] for s in starts] == [9, 12], starts
for s in starts:
    assert s["ok"] is False and s["detail"] == "start command exited 4", s
    assert s["command"]["exit_status"] == 4 and "cannot launch" in s["command"]["output"], s
    assert s["undo"] == "applied", s
PY
[ "$(sqlite3 h.db "select count(*) from job_starts")" = "$starts_before" ] || fail "a failed start was counted"
[ "$(sqlite3 h.db "select status || retry_count || coalesce(started_at, '-') from jobs where id in (9, 12) order by id")" = "$rows9" ] ||
  fail "failed starts not undone: $(sqlite3 h.db 'select id, status, version, last_error from jobs where id in (9, 12)')"
[ "$(sqlite3 h.db "select last_error from jobs where id = 9")" = "start command exited 4" ] || fail "no reason on the row"
grep -q "error: start job 9: start command exited 4 (start undone" h2.err || fail "no error line: $(cat h2.err)"
prom_ok textfiles/h.prom
grep -qx 'warden_runtime_action_results{kind="start",result="failed"} 2' textfiles/h.prom || fail "failed start series"
grep -qx 'warden_runtime_starts_undone 2' textfiles/h.prom || fail "undone series"
# A bad template is refused before anything is applied.
echo '{"actions": {"start_job": "systemd-run crawl {name}"}}' >bad-host.json
before=$(sqlite3 h.db "select group_concat(id || status || version) from jobs")
set +e
err=$("$warden" apply --db h.db --runtime h.runtime.json --sentinel sentinel --host-config bad-host.json \
  --now 2026-02-03T12:10:00Z 2>&1); code=$?
set -e
[ $code = 2 ] || fail "bad template: exit $code"
grep -q "actions.start_job: expected a non-empty array of strings" <<<"$err" || fail "bad template: $err"
[ "$(sqlite3 h.db "select group_concat(id || status || version) from jobs")" = "$before" ] || fail "bad template: applied anyway"
kill -KILL "$p7" "$p3" 2>/dev/null || true

echo "ok: sentinel authority, apply --format json, --metrics-out, --log-format json"
