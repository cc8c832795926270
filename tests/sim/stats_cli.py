#!/usr/bin/env python3
"""warden-sim --stats (issue #22): the speed line's counts are the campaigns' own.

  stats_cli.py WARDEN_SIM [--sqlite]

No time is asserted: only that the line is there, well formed, that its counts equal what the
campaigns' summaries say (job_ticks = jobs x ticks run, summed over the runs), that its rates are
its counts over its seconds, and that without --stats the output is exactly what it was.
"""
import re
import subprocess
import sys

STATS = re.compile(r"^stats runs=(\d+) ticks=(\d+) job_ticks=(\d+) seconds=(\d+\.\d{6}) "
                   r"cpu_seconds=(\d+\.\d{6}) job_ticks_per_second=(\d+) "
                   r"job_ticks_per_cpu_second=(\d+)$")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(sim, *args):
    p = subprocess.run([sim, *args], capture_output=True, text=True)
    if p.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(args), p.returncode, p.stdout + p.stderr))
    return p.stdout


def stats_of(out):
    last = out.rstrip("\n").split("\n")[-1]
    m = STATS.match(last)
    if not m:
        fail("no stats line at the end: %r" % last)
    runs, ticks, job_ticks = (int(m.group(i)) for i in (1, 2, 3))
    seconds, cpu_seconds = float(m.group(4)), float(m.group(5))
    per_s, per_cpu_s = int(m.group(6)), int(m.group(7))
    # The rates are the counts over the seconds (the printed seconds are rounded to 1 us).
    for rate, secs, what in ((per_s, seconds, "wall"), (per_cpu_s, cpu_seconds, "cpu")):
        if secs > 0:
            lo, hi = job_ticks / (secs + 1e-6), job_ticks / max(secs - 1e-6, 1e-9)
            if not lo - 1 <= rate <= hi + 1:
                fail("%s rate %d is not job_ticks %d / %.6f s" % (what, rate, job_ticks, secs))
        elif rate != 0:
            fail("%s rate %d with no time" % (what, rate))
    return {"runs": runs, "ticks": ticks, "job_ticks": job_ticks}


def summary_counts(out):
    """jobs and ticks run from one campaign's full summary (a single run)."""
    jobs = re.search(r"^warden-sim seed=\d+ legacy=\S+ jobs=(\d+)$", out, re.M)
    ticks = re.search(r"^  ticks run \(liveness bound\) +(\d+) \(\d+\)$", out, re.M)
    if not jobs or not ticks:
        fail("no jobs= or ticks run in the summary:\n" + out)
    return int(jobs.group(1)), int(ticks.group(1))


def main():
    sim = sys.argv[1]
    stores = ["model"] + (["sqlite"] if "--sqlite" in sys.argv[2:] else [])

    # One campaign: the counts are the summary's, jobs x ticks run.
    one = ["--seed", "5", "--jobs", "7", "--ticks", "300", "--faults", "heavy"]
    plain = run(sim, *one)
    jobs, ticks = summary_counts(plain)
    if ticks <= 0:
        fail("the campaign ran no ticks")
    for store in stores:
        out = run(sim, *one, "--db", store, "--stats")
        if out != plain + out.split("\n")[-2] + "\n":
            fail("--stats changed the output before its line (--db %s)" % store)
        st = stats_of(out)
        want = {"runs": 1, "ticks": ticks, "job_ticks": jobs * ticks}
        if st != want:
            fail("--db %s: stats %s, the summary says %s" % (store, st, want))

    # Several runs with drawn configs (each seed its own jobs and ticks): the sums of each seed's
    # own summary, and --check-determinism's second runs are not counted.
    first, runs = 11, 4
    per_seed = [summary_counts(run(sim, "--seed", str(first + r), "--swarm", "--swarm-config",
                                   "--faults", "heavy")) for r in range(runs)]
    if len({j for j, _ in per_seed}) < 2:
        fail("the drawn configs did not vary the job count: %s" % per_seed)
    want = {"runs": runs, "ticks": sum(t for _, t in per_seed),
            "job_ticks": sum(j * t for j, t in per_seed)}
    many = ["--seed", str(first), "--runs", str(runs), "--swarm", "--swarm-config", "--faults",
            "heavy"]
    plain = run(sim, *many)
    for store in stores:
        for extra in ([], ["--check-determinism"]):
            out = run(sim, *many, "--db", store, *extra, "--stats")
            if out != plain + out.split("\n")[-2] + "\n":
                fail("--stats changed the output before its line (--db %s %s)" % (store, extra))
            st = stats_of(out)
            if st != want:
                fail("--db %s %s: stats %s, the seeds' summaries say %s" % (store, extra, st, want))
    if "stats " in plain:
        fail("a stats line without --stats")
    print("ok: %d job-ticks in %d runs, on %s" % (want["job_ticks"], runs, ", ".join(stores)))


if __name__ == "__main__":
    main()
