#!/usr/bin/env bash
# `warden probe` end to end on real parts (docs/host.md): the sample campaign database, a lock
# held by util-linux flock, a lock dir cut over to a regular file (ENOTDIR: unprobeable even as
# root), a worker stand-in whose child is a crawl stand-in, then `warden decide --runtime` on the
# probe's output: the unprobeable lock is taken as held and job 7 reconciled.
# Usage: probe_cli.sh WARDEN REPO_ROOT PYTHON
set -u
warden=$1 root=$2 py=$3
. "$root/tests/host/cli_setup.sh"

# Lock dirs per job: job 7's "dir" is a regular file, so its probe fails with ENOTDIR.
for id in 3 5 9 11 12 15 16; do mkdir "locks$id"; done
: >locks7
: >locks3/job.lock
set -m # helpers in their own process groups, so cleanup kills their children too
flock -x locks3/job.lock sleep 60 &
pids+=($!)
# The worker stand-in; its child names job 5's output dir as a crawl does.
sh -c 'sh -c "sleep 60; true" archive-tool --output-dir /srv/crawls/hc-20260101/ & wait' &
worker=$!
pids+=($worker)
echo "$worker" >worker.pid
set +m
for _ in $(seq 100); do
  grep -q archive-tool /proc/*/cmdline 2>/dev/null && [ -n "$(flock -n locks3/job.lock true || echo held)" ] && break
  sleep 0.1
done

cat >host.json <<JSON
{
  "probe": {
    "job_lock_path": "$work/locks{id}/job.lock",
    "processes": {
      "output_dir_patterns": [["--output-dir", "{output_dir}"], ["--output-dir={output_dir}"]],
      "cmdline_contains": ["archive-tool"]
    },
    "worker": {"main_pid_file": "$work/worker.pid"},
    "disk_path": "$work",
    "sentinel_path": "$work/enabled",
    "deploy_lock_path": "$work/deploy.lock",
    "progress": {"state_file": "$work/progress.json", "log_globs": ["archive_*.combined.log"]}
  },
  "actions": {}
}
JSON

"$warden" probe --host-config host.json --db c.db --now "$now" >rt.json 2>err.txt ||
  fail "probe exit $?: $(cat err.txt)"
grep -qx "warning: job 7: lock $work/locks7/job.lock unprobeable (Not a directory): taken as held" err.txt ||
  fail "no unprobeable warning: $(cat err.txt)"
"$py" - "$worker" <<'PY' || fail "probe output"
import json, sys
rt = json.load(open("rt.json"))
worker = int(sys.argv[1])
assert rt["unprobeable_locks"] == [{"job_id": 7, "errno": 20}], rt["unprobeable_locks"]
assert rt["locks"] == [{"job_id": 3}], rt["locks"]
crawls = [p for p in rt["processes"] if p["output_dir"] == "/srv/crawls/hc-20260101"]
assert len(crawls) == 1, rt["processes"]
assert crawls[0]["origin"] == "worker" and crawls[0]["ppid"] == worker, crawls
assert rt["host"]["worker_alive"] is True
assert rt["host"]["process_list_readable"] is True
assert rt["host"]["sentinel"] is False and rt["host"]["deploy_lock"] is False
assert 0 < rt["host"]["disk_used_percent"] <= 100
ids = sorted(p["job_id"] for p in rt["progress"])
assert ids == [3, 5, 7, 16], ids  # running (3, 5), and waiting with an attempt not finished (7, 16)
PY
[ -f progress.json ] || fail "no progress state file"

# decide on the probe's output: job 7 reconciled because its lock is taken as held.
"$warden" decide --db c.db --runtime rt.json --now "$now" --format text >plan.txt 2>err.txt ||
  fail "decide exit $?: $(cat err.txt)"
grep -q "per-job lock unprobeable, taken as held" plan.txt || fail "job 7 not reconciled: $(cat plan.txt)"
# ... and without the unprobeable lock, it is not (the check above can fail).
"$py" -c 'import json; d = json.load(open("rt.json")); d["unprobeable_locks"] = []; json.dump(d, open("rt2.json", "w"))'
"$warden" decide --db c.db --runtime rt2.json --now "$now" --format text >plan2.txt 2>&1 || fail "decide 2"
! grep -q "per-job lock unprobeable" plan2.txt || fail "reconciled without the lock"

# The probe's progress is written over the rows read: job 3 (running, fresh in the database)
# reported with no progress for 4 hours is stalled; without the overlay it is not.
"$py" -c 'import json; d = json.load(open("rt.json")); d["progress"] = [{"job_id": 3, "last_progress_at": "2026-02-03T08:00:00Z", "crawled_pages": 5, "progress_known": True}]; json.dump(d, open("rt3.json", "w"))'
"$warden" decide --db c.db --runtime rt3.json --now "$now" --format text >plan3.txt 2>&1 || fail "decide 3"
grep -q "set job 3 cihr-20260101 running -> retryable (stall_recovery: no progress, 240 min without progress)" plan3.txt ||
  fail "progress not written over job 3: $(cat plan3.txt)"
! grep -q "job 3 cihr-20260101 running -> retryable" plan2.txt || fail "job 3 stalled without the overlay"

# A bad host config names the key, exit 1; a missing one is exit 2.
echo '{"probe": {"job_lock_path": "relative/{id}"}}' >bad.json
"$warden" probe --host-config bad.json >out.txt 2>err.txt
[ $? -eq 1 ] || fail "bad config: exit not 1"
grep -qx 'error: bad.json: probe.job_lock_path: "relative/{id}" is not an absolute path' err.txt ||
  fail "bad config message: $(cat err.txt)"
"$warden" probe --host-config missing.json >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing config: exit not 2"
"$warden" probe --host-config host.json --db c.db --jobs x.json >/dev/null 2>&1
[ $? -eq 2 ] || fail "--db with --jobs: exit not 2"
echo "ok"
