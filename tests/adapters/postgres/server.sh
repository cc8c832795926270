#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests (issue 20, item 4): Debian's postgresql-15 binaries,
# a data directory and a Unix socket in DIR, no TCP listener, torn down by `stop` (a CTest
# FIXTURES_CLEANUP test, which runs even when tests failed). PostgreSQL refuses to run as root, so
# as root the server runs as `nobody`. Any failure here exits non-zero: the tests that need the
# server then fail; they never skip.
#   server.sh start DIR   initdb + pg_ctl start; writes DIR/conninfo (a libpq connection string)
#   server.sh stop DIR    pg_ctl stop (immediate), then removes DIR
set -euo pipefail
bin=${WARDEN_PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: server.sh start|stop DIR}
dir=${2:?usage: server.sh start|stop DIR}

as_owner() { # command...: runs as the data directory's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    for tool in initdb pg_ctl postgres; do
      [ -x "$bin/$tool" ] || { echo "server.sh: $bin/$tool missing: install postgresql-15 (./dev setup)" >&2; exit 1; }
    done
    # A leftover from a run that was killed: stop it first, then start clean.
    bash "$0" stop "$dir" || true
    mkdir -p "$dir"
    # The server's files live under /tmp, which `nobody` can reach (the build tree's parents may
    # not be), with a short socket path (Unix socket paths are limited to 107 bytes). DIR only
    # says where.
    root=$(mktemp -d /tmp/warden-pg.XXXXXX)
    chmod 755 "$root"
    echo "$root" >"$dir/root"
    if [ "$(id -u)" -eq 0 ]; then chown nobody "$root"; fi
    as_owner "$bin/initdb" -D "$root/data" -U warden -A trust --no-sync -E UTF8 --locale=C >"$root/initdb.log" 2>&1 ||
      { cat "$root/initdb.log" >&2; exit 1; }
    # fsync off: a throwaway server; the crash tests kill clients, never the server.
    as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
      -o "-k $root -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
      start >/dev/null || { cat "$root/server.log" >&2; exit 1; }
    echo "host=$root user=warden dbname=postgres" >"$dir/conninfo"
    echo "server.sh: PostgreSQL up, $(cat "$dir/conninfo")"
    ;;
  stop)
    if [ -f "$dir/root" ]; then
      root=$(cat "$dir/root")
      if [ -f "$root/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$root/data" stop -m immediate -w >/dev/null 2>&1 || true
      fi
      case "$root" in /tmp/warden-pg.*) rm -rf "$root" ;; esac
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
