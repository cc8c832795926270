#!/usr/bin/env python3
"""Generates a 100k-job snapshot (never committed), decides it with the warden binary and checks
the plan's summary against figures computed here. CMake gives this test a timeout."""
import json
import os
import subprocess
import sys
import tempfile
import time

JOBS = 100_000
warden = sys.argv[1]
now = "2026-02-03T12:00:00Z"
sources = ["hc", "phac", "cihr"]
statuses = ["queued", "running", "retryable", "completed", "failed"]


def job(i):
    status = statuses[i % 5]
    row = {"id": i + 1, "name": f"{sources[i % 3]}-{i}-20260101", "source": sources[i % 3],
           "output_dir": f"/srv/crawls/{i}", "status": status, "campaign_kind": "annual",
           "campaign_year": 2026, "queued_at": 1767225600 + i, "version": 1,
           "tool_options": {"max_container_restarts": 20, "error_threshold_timeout": 50,
                            "error_threshold_http": 50, "backoff_delay_minutes": 2}}
    if status == "running":
        # Every running job shows progress a minute ago and holds its lock: healthy.
        row["started_at"] = "2026-02-03T00:00:00Z"
        row["last_progress_at"] = "2026-02-03T11:59:00Z"
    if status in ("completed", "failed"):
        row["started_at"] = "2026-02-01T00:00:00Z"
        row["finished_at"] = "2026-02-02T00:00:00Z"
    return row


running_ids = [i + 1 for i in range(JOBS) if statuses[i % 5] == "running"]
target = len(running_ids) + 500  # queue fill must start exactly 500 jobs
doc = {"now": now, "host": {"sentinel": True, "deploy_lock": False, "disk_used_percent": 40.0},
       # max_starts_per_tick 0: the test is about scale, so every start of the deficit lands in
       # one plan (the default, 1, is issue #16 item 11's pace).
       "config": {"ensure_min_running_jobs": target, "daily_start_cap": 3,
                  "max_starts_per_tick": 0},
       "jobs": [job(i) for i in range(JOBS)],
       "locks": [{"job_id": i} for i in running_ids], "running_set": running_ids}

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "large.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    size = os.path.getsize(path)
    began = time.monotonic()
    run = subprocess.run([warden, "decide", "--format", "json", path], capture_output=True)
    seconds = time.monotonic() - began

print(f"{JOBS} jobs, {size} bytes, decided in {seconds:.2f} s, exit {run.returncode}")
failures = []
if run.returncode != 0:
    failures.append(f"exit {run.returncode}: {run.stderr.decode()[:500]}")
else:
    plan = json.loads(run.stdout)
    summary = plan["summary"]
    expected = {"jobs": JOBS, "running": target, "target": target, "stalled": 0,
                "by_status": {s: JOBS // 5 for s in statuses}}
    for key, want in expected.items():
        if summary[key] != want:
            failures.append(f"summary.{key} = {summary[key]}, expected {want}")
    starts = [a for a in plan["actions"] if a["kind"] == "start_job"]
    if len(starts) != 500:
        failures.append(f"{len(starts)} start_job actions, expected 500")
    # Stable queue order (B5): the oldest queued_at first, i.e. the lowest waiting ids.
    waiting = [i + 1 for i in range(JOBS) if statuses[i % 5] in ("queued", "retryable")][:500]
    if sorted(a["job_id"] for a in starts) != waiting:
        failures.append("the started jobs are not the 500 oldest waiting ones")
    if plan["blocked"] or plan["anomalies"] or plan["errors"]:
        failures.append("unexpected blocked actions, anomalies or errors")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
