#!/usr/bin/env bash
# Debian's londiste for tests (test/londiste.test.ts), on top of OUR pgq:
# the packages are unpacked into scratch directories, never installed into
# the system (postgresql-15-pgq-node and postgresql-15-londiste-sql depend on
# postgresql-15-pgq3, C PgQ, whose files would collide with ours).
#
#   londiste.sh prefix DIR   a private copy of PostgreSQL 15 in DIR (which
#                            must not exist yet) whose extension directory has
#                            this checkout's pgq (make install) and Debian's
#                            pgq_node 3.5 (postgresql-15-pgq-node) and
#                            londiste 3.8 (postgresql-15-londiste-sql)
#                            extension files; prints its bin directory
#   londiste.sh python       prints a PYTHONPATH under which /usr/bin/python3
#                            runs Debian's londiste 3.11 (python3-londiste
#                            with python3-pgq and python3-skytools)
#   londiste.sh londiste     prints the path of the londiste command (the
#                            unpacked /usr/bin/londiste; run it with the
#                            PYTHONPATH above: it starts its copy processes
#                            by its own path, so it must stay executable)
#
# The prefix is scripts/pgq35.sh's trick without PgQ 3.5: PostgreSQL finds
# its share directory relative to its executable, so DIR/lib/postgresql/15
# (hard links to /usr/lib/postgresql/15) and DIR/share/postgresql/15 (a copy
# of /usr/share/postgresql/15) make a server whose extension directory is
# the test's own.  Nothing is written into /usr/share/postgresql/15.  The
# caller removes DIR.  pgq_node and londiste are plain SQL and PL/pgSQL: the
# prefix refuses extension scripts that would load a C module.
#
# Downloads are shared with scripts/pgq35.sh (its `unpack`, cache
# PGQ_DEB_CACHE).  As root, missing system packages are installed: those of
# pgcluster.sh deps, python3-psycopg2 (pgq35.sh python) and python3-yaml.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
SYS_LIB=/usr/lib/postgresql/15
SYS_SHARE=/usr/share/postgresql/15

log() { echo "londiste.sh: $*" >&2; }
die() { log "$*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

unpack() { "$here/scripts/pgq35.sh" unpack "$1"; }

cmd_prefix() {
    local dir=$1 bin ext node sql f
    [ -e "$dir" ] && die "$dir exists"
    "$here/scripts/pgcluster.sh" deps
    node=$(unpack postgresql-15-pgq-node)/usr/share/postgresql/15/extension
    sql=$(unpack postgresql-15-londiste-sql)/usr/share/postgresql/15/extension
    [ -f "$node/pgq_node.control" ] || die "no pgq_node.control in postgresql-15-pgq-node"
    [ -f "$sql/londiste.control" ] || die "no londiste.control in postgresql-15-londiste-sql"
    # pure SQL, or this cannot work without C PgQ's package
    # shellcheck disable=SC2016
    if grep -ilE 'language[[:space:]]+c([[:space:]]|;|$)|MODULE_PATHNAME|\$libdir' \
        "$node"/pgq_node* "$sql"/londiste* >&2; then
        die "blocked: pgq_node / londiste extension scripts above need a C module"
    fi
    mkdir -p "$dir/lib/postgresql" "$dir/share/postgresql"
    dir=$(cd "$dir" && pwd -P)
    cp -al "$SYS_LIB" "$dir/lib/postgresql/" 2>/dev/null || {
        rm -rf "$dir/lib/postgresql/15"
        cp -a "$SYS_LIB" "$dir/lib/postgresql/"
    }
    cp -a "$SYS_SHARE" "$dir/share/postgresql/"
    bin=$dir/lib/postgresql/15/bin
    [ -L "$bin/postgres" ] && die "$bin/postgres is a symlink"
    ext=$dir/share/postgresql/15/extension
    # whatever pgq the system had: this checkout's instead
    rm -f "$ext"/pgq.* "$ext"/pgq--* "$ext"/pgq_ext* "$ext"/pgq_coop* "$ext"/pgq_node* "$ext"/londiste*
    make -C "$here" --no-print-directory -s install PG_CONFIG="$bin/pg_config" >/dev/null
    [ -f "$ext/pgq.control" ] || die "make install PG_CONFIG=$bin/pg_config did not reach $ext"
    for f in "$node"/pgq_node.control "$node"/pgq_node--*.sql "$sql"/londiste.control "$sql"/londiste--*.sql; do
        cp "$f" "$ext/"
    done
    # the server runs as postgres: everything but the system's hard links
    chmod a+rx "$dir" "$dir/lib" "$dir/lib/postgresql" "$dir/share" "$dir/share/postgresql"
    find "$dir/share" ! -type l -exec chmod a+rX {} +
    if is_root; then
        su postgres -s /bin/sh -c "test -r '$ext/londiste.control'" \
            || die "user postgres cannot read $ext (chmod a+x its parent directories)"
    fi
    echo "$bin"
}

cmd_python() {
    local path lon
    if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
        is_root || die "python3-yaml is missing: apt-get install python3-yaml"
        log "installing python3-yaml"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq python3-yaml >/dev/null || {
            apt-get update -qq >&2
            apt-get install -y -qq python3-yaml >/dev/null
        }
    fi
    path=$("$here/scripts/pgq35.sh" python | tail -1)
    lon=$(unpack python3-londiste)
    path=$lon/usr/lib/python3/dist-packages:$path
    PYTHONPATH=$path /usr/bin/python3 -c 'import londiste.cli, pgq.cascade.admin, skytools' \
        || die "import londiste.cli fails with PYTHONPATH=$path"
    echo "$path"
}

cmd_londiste() {
    local f
    f=$(unpack python3-londiste)/usr/bin/londiste
    [ -x "$f" ] || die "$f is not executable"
    echo "$f"
}

cmd=${1:-}
shift || true
case "$cmd" in
    prefix) [ $# = 1 ] || { echo "usage: $0 prefix DIR" >&2; exit 2; }; cmd_prefix "$1" ;;
    python) cmd_python ;;
    londiste) cmd_londiste ;;
    *) echo "usage: $0 prefix DIR | python | londiste" >&2; exit 2 ;;
esac
