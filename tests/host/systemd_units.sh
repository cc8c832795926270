#!/usr/bin/env bash
# contrib/systemd/warden-tick.{service,timer} pass `systemd-analyze verify` with nothing to say
# (an unknown or misspelt key is only a warning there, exit status 0, so any output fails), and
# the check can fail: a copy with a misspelt key must be reported. The units are verified as
# shipped except ExecStart's /usr/local/bin/warden, which verify requires to exist: it becomes
# the warden CLI just built.
# Also: the service's sandbox must fit the example host config. PrivateTmp=yes gives the tick a
# /tmp of its own, where HealthArchive's per-job locks and deploy lock (/tmp/healtharchive-...)
# are absent: every lock probe would fail and a deploy would go unseen; a file the tick writes
# outside the writable paths fails the tick.
# Usage: systemd_units.sh SYSTEMD_ANALYZE WARDEN_CLI SOURCE_DIR
set -u
analyze=$1 warden=$2 root=$3
# Never skipped: without systemd-analyze (Debian package systemd, in ./dev's test packages) the
# units would ship unchecked.
[ -x "$analyze" ] || { echo "FAIL: systemd-analyze not found (Debian package systemd)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

units() { # dir: copies the units into dir, ExecStart pointing at the built CLI
    mkdir -p "$1"
    sed "s|/usr/local/bin/warden|$warden|" "$root/contrib/systemd/warden-tick.service" \
        >"$1/warden-tick.service"
    cp "$root/contrib/systemd/warden-tick.timer" "$1/warden-tick.timer"
    grep -q "^ExecStart=$warden tick " "$1/warden-tick.service" ||
        fail "ExecStart does not run /usr/local/bin/warden tick"
}

units "$work/good"
out=$("$analyze" verify "$work/good/warden-tick.service" "$work/good/warden-tick.timer" 2>&1)
rc=$?
[ "$rc" -eq 0 ] || fail "systemd-analyze verify exited $rc"
[ -z "$out" ] || fail "systemd-analyze verify has something to say: $out"

# The control: a misspelt key is reported (so an empty output above means something).
units "$work/bad"
sed -i 's/^ProtectSystem=/ProtectSytem=/' "$work/bad/warden-tick.service"
out=$("$analyze" verify "$work/bad/warden-tick.service" "$work/bad/warden-tick.timer" 2>&1)
case $out in
*ProtectSytem*) ;;
*) fail "a misspelt key went unreported: $out" ;;
esac

# The sandbox and the example host config agree: the tick can see the config's /tmp paths, and
# every path it writes (database, run lock, textfile, progress state file: each file's directory)
# is under StateDirectory or ReadWritePaths.
sandbox=$(python3 - "$root/contrib/systemd/warden-tick.service" \
    "$root/contrib/healtharchive.host.json" <<'PY'
import json, os, sys
service, config = sys.argv[1:3]
keys = {}
for line in open(service):
    line = line.strip()
    if line and not line.startswith(("#", "[")) and "=" in line:
        k, v = line.split("=", 1)
        keys.setdefault(k, []).append(v)
host = json.load(open(config))
private_tmp = keys.get("PrivateTmp", ["no"])[-1] in ("yes", "true", "on", "1")
probe = host["probe"]
read = [probe.get("job_lock_path", ""), probe.get("deploy_lock_path", ""),
        probe.get("sentinel_path", "")]
for p in read:
    if private_tmp and p.startswith("/tmp/"):
        print(f"PrivateTmp=yes hides {p} of contrib/healtharchive.host.json")
writable = ["/var/lib/" + d for v in keys.get("StateDirectory", []) for d in v.split()]
writable += [d for v in keys.get("ReadWritePaths", []) for d in v.split()]
tick = host["tick"]
written = [tick["database"], tick["run_lock_path"], tick.get("metrics_path", ""),
           probe.get("progress", {}).get("state_file", "")]
for p in filter(None, written):
    d = os.path.dirname(p)
    if not any(d == w or d.startswith(w.rstrip("/") + "/") for w in writable):
        print(f"{p} of contrib/healtharchive.host.json is not writable under ProtectSystem=strict "
              f"(StateDirectory, ReadWritePaths: {' '.join(writable)})")
PY
)
[ -z "$sandbox" ] || fail "$sandbox"

[ "$failures" -eq 0 ] && echo "systemd units: ok"
exit $((failures > 0))
