#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests, the demo and benchmarks.
#
#   pgcluster.sh run -- CMD ARGS...   run CMD against a server: the one named by
#                                     PGQ_TEST_DATABASE_URL or PGHOST if set,
#                                     else a new cluster, removed afterwards
#                                     (also when CMD fails)
#   pgcluster.sh start DIR            start a cluster in DIR (which must not
#                                     exist) and print its environment as
#                                     KEY=VALUE lines
#   pgcluster.sh stop DIR             stop it and remove DIR
#   pgcluster.sh restart DIR          restart it (fast shutdown, start again)
#   pgcluster.sh deps                 check (as root: install) what is needed
#
# The cluster: initdb as user postgres (PostgreSQL refuses root), trust
# authentication, a socket in DIR and a free TCP port on 127.0.0.1.
# Before CMD runs, `make install` puts this checkout's extension in place.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
APT_PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap perl"

log() { echo "pgcluster: $*" >&2; }

missing_deps() {
    local miss=()
    [ -x "$PGBIN/initdb" ] || miss+=(postgresql-15)
    [ -x /usr/lib/postgresql/15/bin/pg_config ] && [ -f "$(/usr/lib/postgresql/15/bin/pg_config --pgxs 2>/dev/null)" ] \
        || miss+=(postgresql-server-dev-15)
    [ -f /usr/share/postgresql/15/extension/pgtap.control ] || miss+=(postgresql-15-pgtap)
    command -v prove >/dev/null || miss+=(perl)
    echo "${miss[@]:-}"
}

deps() {
    local miss
    miss=$(missing_deps)
    [ -z "$miss" ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing $miss"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        # shellcheck disable=SC2086
        apt-get install -y -qq $APT_PACKAGES >&2
        miss=$(missing_deps)
        [ -z "$miss" ] && return 0
    fi
    log "missing packages: $miss"
    log "install them with: apt-get install $miss"
    exit 2
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run a command as the cluster's owner
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

start() {
    local dir=$1 port
    deps
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(free_port)
    as_owner "'$PGBIN/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = on
synchronous_commit = on
CONF
    as_owner "'$PGBIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 start >/dev/null" \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "PGHOST=$dir"
    echo "PGPORT=$port"
    echo "PGUSER=postgres"
    echo "PGDATABASE=postgres"
    echo "PGQ_CLUSTER_DIR=$dir"
}

stop() {
    local dir=$1
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "'$PGBIN/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1" || true
    fi
    rm -rf "$dir"
}

restart() {
    local dir=$1
    as_owner "'$PGBIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -m fast -w -t 60 restart >/dev/null"
}

run() {
    local line
    if [ -n "${PGQ_TEST_DATABASE_URL:-}" ]; then
        # psql and the scripts use the PG* variables: split the URL into them
        while IFS= read -r line; do
            export "${line?}"
        done < <(python3 - "$PGQ_TEST_DATABASE_URL" <<'PY'
import sys, urllib.parse as u
p = u.urlparse(sys.argv[1])
for k, v in (("PGHOST", p.hostname), ("PGPORT", p.port), ("PGUSER", p.username),
             ("PGPASSWORD", p.password and u.unquote(p.password))):
    if v:
        print(f"{k}={v}")
PY
)
    fi
    if [ -n "${PGHOST:-}" ]; then
        log "using the server at PGHOST=$PGHOST${PGPORT:+ PGPORT=$PGPORT}"
        make -C "$here" --no-print-directory -s install >/dev/null
        exec "$@"
    fi
    deps
    CLUSTER_DIR=$(mktemp -d /tmp/pgq-cluster.XXXXXX)
    rmdir "$CLUSTER_DIR"
    trap 'stop "$CLUSTER_DIR"' EXIT
    trap 'exit 130' INT TERM
    while IFS= read -r line; do
        export "${line?}"
    done < <(start "$CLUSTER_DIR")
    [ -n "${PGPORT:-}" ] || { log "cluster did not start"; exit 1; }
    log "PostgreSQL on port $PGPORT, socket in $CLUSTER_DIR"
    make -C "$here" --no-print-directory -s install >/dev/null
    "$@"
}

cmd=${1:-}
shift || true
case "$cmd" in
    run) [ "${1:-}" = -- ] && shift; run "$@" ;;
    start) start "$1" ;;
    stop) stop "$1" ;;
    restart) restart "$1" ;;
    deps) deps ;;
    *) echo "usage: $0 run -- CMD... | start DIR | stop DIR | restart DIR | deps" >&2; exit 2 ;;
esac
