# Shared setup of probe_cli.sh and tick_cli.sh, and of tests/adapters/postgres/tick_cli.sh
# (sourced after `warden` and `root` are set): a work dir removed at exit with every helper
# process group in `pids` killed (and the sourcing test's `cleanup_extra` run, when it defines
# one), `fail`, the tests' `now`, and the sample campaign database c.db (examples/campaign.sql)
# in the work dir.
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi # the sourcing test's own
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work" || exit 1
now=2026-02-03T12:00:00Z
"$warden" schema --db c.db >/dev/null || fail "schema"
sqlite3 c.db <"$root/examples/campaign.sql" || fail "campaign.sql"
