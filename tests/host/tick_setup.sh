# Shared setup of tests/host/tick_cli.sh (SQLite) and tests/adapters/postgres/tick_cli.sh
# (sourced after cli_setup.sh, in its work dir): `alive PID`, the crawls of the sample campaign
# running (`worker`, `crawl3`, `crawl5` set) and `host_config`, the host config both ticks read.
command -v flock >/dev/null || fail "flock(1) not found (util-linux)"
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# Jobs 3 and 5 run under the worker stand-in, each holding its lock with flock(1); job 5 made
# no progress for 90 min (its row), so it is stalled. Each crawl stand-in is an `sh` whose
# argv names the output dir; its pid is written to a file so the test can watch it.
mkdir locks
set -m # helpers in their own process groups, so cleanup kills their children too
sh -c "
  flock -x $work/locks/job-3.lock sh -c 'echo \$\$ >$work/crawl3.pid; sleep 120; true' archive-tool --output-dir /srv/crawls/cihr-20260101 &
  flock -x $work/locks/job-5.lock sh -c 'echo \$\$ >$work/crawl5.pid; sleep 120; true' archive-tool --output-dir /srv/crawls/hc-20260101/ &
  wait" &
worker=$!
pids+=($worker)
echo "$worker" >worker.pid
set +m
for _ in $(seq 100); do
  [ -s crawl3.pid ] && [ -s crawl5.pid ] && ! flock -n locks/job-3.lock true && ! flock -n locks/job-5.lock true && break
  sleep 0.1
done
crawl3=$(cat crawl3.pid) crawl5=$(cat crawl5.pid)
alive "$crawl3" && alive "$crawl5" || fail "the crawl stand-ins did not start"

# The host config of a tick on these parts: per-job locks, the crawl stand-ins' cmdlines, the
# worker's pid file, the sentinel file `enabled` in the work dir.
host_config() { # FILE DATABASE START_COMMAND_JSON METRICS_PATH [EXTRA_PROBE_JSON]
  cat >"$1" <<JSON
{
  "probe": {
    "job_lock_path": "$work/locks/job-{id}.lock",
    "processes": {
      "output_dir_patterns": [["--output-dir", "{output_dir}"]],
      "cmdline_contains": ["archive-tool"]
    },
    "worker": {"main_pid_file": "$work/worker.pid"},
    "disk_path": "$work",
    "sentinel_path": "$work/enabled"${5:-}
  },
  "actions": {
    "start_job": $3,
    "stop_timeout_seconds": 5,
    "command_timeout_seconds": 10
  },
  "tick": {
    "database": "$2",
    "run_lock_path": "$work/tick.lock",
    "metrics_path": "$4",
    "config": {"ensure_min_running_jobs": 4, "daily_start_cap": 10}
  }
}
JSON
}
