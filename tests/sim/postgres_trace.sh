#!/usr/bin/env bash
# warden-sim --db postgres (issue 20, item 4): the same campaigns on the model store and on a
# real PostgreSQL server (the throwaway one of tests/adapters/postgres, started by the
# postgres.server.start fixture), every write through warden::postgres's compare-and-set
# statements. Each seed must break no invariant and print the model's trace hash.
#   postgres_trace.sh WARDEN_SIM PG_DIR
set -euo pipefail
sim=${1:?usage: postgres_trace.sh WARDEN_SIM PG_DIR}
pg_dir=${2:?usage: postgres_trace.sh WARDEN_SIM PG_DIR}
conninfo=$(cat "$pg_dir/conninfo")
# Heavy faults, a seed-chosen half of the kinds (production's runner classes and process trees
# included): conflicts, crash points and window writes reach the SQL.
args=(--seed 1 --runs 4 --jobs 8 --target 3 --ticks 1440 --faults heavy --swarm)
model=$("$sim" "${args[@]}" --db model)
postgres=$("$sim" "${args[@]}" --db postgres --conninfo "$conninfo")
echo "$postgres"
lines=$(grep -c ' violations=0 hash=' <<<"$postgres" || true)
if [ "$lines" -ne 4 ]; then
  echo "postgres_trace.sh: expected 4 clean campaigns on PostgreSQL, got $lines" >&2
  exit 1
fi
# Four campaigns, four different hashes: the comparison is not of one constant line.
hashes=$(grep -o 'hash=[0-9a-f]*' <<<"$postgres" | sort -u | wc -l)
if [ "$hashes" -ne 4 ]; then
  echo "postgres_trace.sh: expected 4 distinct trace hashes, got $hashes" >&2
  exit 1
fi
if [ "$model" != "$postgres" ]; then
  echo "postgres_trace.sh: PostgreSQL's campaigns differ from the model's:" >&2
  diff <(echo "$model") <(echo "$postgres") >&2 || true
  exit 1
fi
# Every run's schema is dropped when it ends.
# The check itself must run: a psql that fails is a failure, never a silent skip.
if ! left=$(psql "$conninfo" -Atc "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'warden_sim_%'"); then
  echo "postgres_trace.sh: psql could not count the simulator schemas" >&2
  exit 1
fi
if [ "$left" != "0" ]; then
  echo "postgres_trace.sh: $left simulator schemas left on the server" >&2
  exit 1
fi
# A server that cannot be reached is a usage error (64) before any tick, naming the option.
set +e
bad=$("$sim" --seed 1 --jobs 2 --ticks 10 --db postgres --conninfo "host=/nonexistent dbname=x" 2>&1)
rc=$?
set -e
if [ "$rc" -ne 64 ] || ! grep -q -- '--conninfo: connect to PostgreSQL' <<<"$bad"; then
  echo "postgres_trace.sh: an unreachable server gave exit $rc: $bad" >&2
  exit 1
fi
echo "postgres_trace.sh: 4 campaigns, PostgreSQL's trace hashes are the model's"
