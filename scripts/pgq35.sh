#!/usr/bin/env bash
# A real PgQ 3.5 for tests: Debian's packages, unpacked into scratch
# directories, never installed into the system (their extension files would
# collide with ours).
#
#   pgq35.sh prefix [DIR]     a private copy of PostgreSQL 15 in DIR with
#                             Debian's postgresql-15-pgq3 as its pgq
#                             extension; prints the bin directory
#   pgq35.sh install-ours DIR this checkout's extensions (make install) into
#                             DIR's extension directory, beside PgQ 3.5's
#                             files, for ALTER EXTENSION pgq UPDATE
#   pgq35.sh old-pgq-ext DIR  PgQ's pgq_ext 3.3 (Debian does not package it;
#                             rebuilt in test/fixtures/pgq_ext-3.3/) into
#                             DIR's extension directory: create extension
#                             pgq_ext version '3.3'
#   pgq35.sh pgqd             prints the path of Debian's pgqd binary
#   pgq35.sh python           prints a PYTHONPATH under which /usr/bin/python3
#                             can `import pgq, skytools` (python3-pgq 3.7)
#   pgq35.sh unpack PKG       prints the directory Debian's PKG is unpacked in
#
# The prefix: PostgreSQL finds its share and module directories relative to
# the executable when that lives in a copied tree, so DIR/lib/postgresql/15
# (hard links to /usr/lib/postgresql/15) and DIR/share/postgresql/15 (a real
# copy, as files in it get replaced) make a server with its own
# share/extension and lib.  Built once, then reused (DIR/.pgq35-prefix
# records what it was built from); each call puts PgQ 3.5's extension files
# back if something replaced them.  DIR defaults to /tmp/pgq35-prefix.
#
#   bin=$(scripts/pgq35.sh prefix /tmp/pgq35)
#   PGBIN=$bin scripts/pgcluster.sh start /tmp/c1   # create extension pgq -> 3.5
#   scripts/pgq35.sh install-ours /tmp/pgq35        # then: alter extension pgq update
#
# Downloads go to PGQ_DEB_CACHE (default: PGQ_BENCH_CACHE or
# /tmp/pgq-bench-cache).  What the server reads is made readable for its
# user postgres; as root, missing system packages are installed
# (pgcluster.sh deps; python3-psycopg2 and the libraries pgqd needs).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${PGQ_DEB_CACHE:-${PGQ_BENCH_CACHE:-/tmp/pgq-bench-cache}}
SYS_LIB=/usr/lib/postgresql/15
SYS_SHARE=/usr/share/postgresql/15

log() { echo "pgq35: $*" >&2; }
die() { log "$*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# an exclusive lock on FILE, held until the calling (sub)shell exits
lock() {
    exec 9>"$1"
    flock 9
}

# make DIR readable for everyone (the server runs as postgres); files with
# more than one link are the system's own (hard links): left alone
readable() {
    find "$1" ! -type l \( -type d -o -links 1 \) -exec chmod a+rX {} +
}

# can the server's user reach FILE?
server_can_read() {
    is_root || return 0
    su postgres -s /bin/sh -c "test -r '$1'" \
        || die "user postgres cannot read $1 (chmod a+x its parent directories)"
}

# Debian's PKG unpacked (dpkg -x) into $cache/PKG, downloaded once; prints
# the directory
unpack() {
    local pkg=$1 deb tmp
    mkdir -p "$cache"
    (
        lock "$cache/.lock"
        [ -d "$cache/$pkg" ] && exit 0
        deb=$(ls "$cache/${pkg}"_*.deb 2>/dev/null | head -1 || true)
        if [ -z "$deb" ]; then
            (cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1) || {
                is_root && apt-get update -qq >/dev/null 2>&1
                (cd "$cache" && apt-get download "$pkg" >/dev/null)
            } || die "apt-get download $pkg failed"
            deb=$(ls "$cache/${pkg}"_*.deb | head -1)
        fi
        tmp=$(mktemp -d "$cache/.unpack.XXXXXX")
        dpkg -x "$deb" "$tmp"
        mv "$tmp" "$cache/$pkg"
        readable "$cache/$pkg"
    )
    echo "$cache/$pkg"
}

# the version of an unpacked-or-cached .deb, from its file name
deb_version() {
    local deb
    deb=$(ls "$cache/${1}"_*.deb | head -1)
    deb=${deb##*/}
    echo "${deb#*_}" | sed 's/_[^_]*\.deb$//'
}

# system libraries a binary lacks (ldd's "not found")
missing_libs() {
    ldd "$1" | awk '/not found/ { print $1 }'
}

cmd_pgqd() {
    local dir bin
    dir=$(unpack pgqd)
    bin=$dir/usr/bin/pgqd
    if [ -n "$(missing_libs "$bin")" ] && is_root; then
        log "installing libevent-2.1-7 libpq5 for pgqd"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libevent-2.1-7 libpq5 >/dev/null
    fi
    [ -z "$(missing_libs "$bin")" ] || die "pgqd lacks libraries: $(missing_libs "$bin" | xargs)"
    echo "$bin"
}

cmd_python() {
    local pgq sky path
    if ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
        is_root || die "python3-psycopg2 is missing: apt-get install python3-psycopg2"
        log "installing python3-psycopg2"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq python3-psycopg2 >/dev/null || {
            apt-get update -qq >&2
            apt-get install -y -qq python3-psycopg2 >/dev/null
        }
    fi
    pgq=$(unpack python3-pgq)
    sky=$(unpack python3-skytools)
    path=$pgq/usr/lib/python3/dist-packages:$sky/usr/lib/python3/dist-packages
    PYTHONPATH=$path /usr/bin/python3 -c 'import pgq, skytools; pgq.Consumer' \
        || die "import pgq, skytools fails with PYTHONPATH=$path"
    echo "$path"
}

# ---------------------------------------------------------------- prefix

# PgQ 3.5's files in the prefix: extension scripts and control, modules
pgq3_files() {
    local src=$1
    (cd "$src/usr/share/postgresql/15/extension" && ls)
}

# Are DIR's pgq extension files exactly those of the package?
pgq3_in_place() {
    local dir=$1 src=$2 f ext=$1/share/postgresql/15/extension
    [ "$(cd "$ext" && ls pgq.* pgq--* pgq_ext* 2>/dev/null | sort)" = "$(pgq3_files "$src" | sort)" ] || return 1
    for f in $(pgq3_files "$src"); do
        cmp -s "$src/usr/share/postgresql/15/extension/$f" "$ext/$f" || return 1
    done
    for f in pgq_lowlevel.so pgq_triggers.so; do
        cmp -s "$src/usr/lib/postgresql/15/lib/$f" "$dir/lib/postgresql/15/lib/$f" || return 1
    done
}

# Put PgQ 3.5's files into DIR: any other pgq or pgq_ext files (ours) go.
# Files are removed before they are written, never overwritten in place.
install_pgq3() {
    local dir=$1 src=$2 ext=$1/share/postgresql/15/extension lib=$1/lib/postgresql/15/lib
    rm -f "$ext"/pgq.* "$ext"/pgq--* "$ext"/pgq_ext*
    cp "$src"/usr/share/postgresql/15/extension/* "$ext/"
    rm -rf "$lib"/pgq_lowlevel.so "$lib"/pgq_triggers.so "$lib"/bitcode/pgq_lowlevel* "$lib"/bitcode/pgq_triggers*
    cp "$src"/usr/lib/postgresql/15/lib/pgq_*.so "$lib/"
    if [ -d "$lib/bitcode" ]; then
        cp -r "$src"/usr/lib/postgresql/15/lib/bitcode/pgq_* "$lib/bitcode/"
    fi
}

# Copy the system's PostgreSQL 15 into DIR
copy_postgres() {
    local dir=$1
    rm -rf "${dir:?}/lib" "${dir:?}/share"
    mkdir -p "$dir/lib/postgresql" "$dir/share/postgresql"
    # hard links share the files with the system: fine for binaries and
    # modules, which nothing writes into; share gets replaced files
    cp -al "$SYS_LIB" "$dir/lib/postgresql/" 2>/dev/null || {
        rm -rf "$dir/lib/postgresql/15"
        cp -a "$SYS_LIB" "$dir/lib/postgresql/"
    }
    cp -a "$SYS_SHARE" "$dir/share/postgresql/"
    # a bin/ of symlinks would take PostgreSQL back to /usr (it resolves them)
    [ -L "$dir/lib/postgresql/15/bin/postgres" ] && die "$dir/lib/postgresql/15/bin/postgres is a symlink"
    # ours, if the system has it, is not PgQ 3.5
    rm -f "$dir"/share/postgresql/15/extension/pgq.* "$dir"/share/postgresql/15/extension/pgq--* \
        "$dir"/share/postgresql/15/extension/pgq_ext*
}

# A server from DIR's binaries must read DIR's share and lib: an extension
# that exists only there, and PgQ 3.5 with its C modules (absent from the
# system's lib)
verify_prefix() {
    local dir=$1 bin=$1/lib/postgresql/15/bin ext=$1/share/postgresql/15/extension cdir out
    printf "comment = 'pgq35.sh probe'\ndefault_version = '1'\nrelocatable = true\n" > "$ext/pgq35_probe.control"
    echo "create function pgq35_probe() returns text language sql as \$\$ select 'probe'::text \$\$;" \
        > "$ext/pgq35_probe--1.sql"
    chmod a+r "$ext"/pgq35_probe*
    cdir=$(mktemp -d /tmp/pgq35-verify.XXXXXX)
    rmdir "$cdir"
    # shellcheck disable=SC2064
    trap "PGBIN='$bin' '$here/scripts/pgcluster.sh' stop '$cdir'; rm -f '$ext'/pgq35_probe*" EXIT
    local PGHOST PGPORT
    eval "$(PGBIN=$bin "$here/scripts/pgcluster.sh" start "$cdir" | grep -E '^PG(HOST|PORT)=')"
    out=$("$bin/psql" -X -qAt -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL'
create extension pgq35_probe;
select pgq35_probe();
create extension pgq;
select extversion from pg_extension where extname = 'pgq';
select pgq.create_queue('probe');
select pgq.insert_event('probe', 't', 'd');
select setting from pg_config where name = 'SHAREDIR';
SQL
) || die "a server from $bin does not use $dir (see above)"
    [ "$out" = "probe
3.5
1
1
$dir/share/postgresql/15" ] || die "unexpected answer from a server in $dir: $out"
    PGBIN=$bin "$here/scripts/pgcluster.sh" stop "$cdir"
    rm -f "$ext"/pgq35_probe*
    trap - EXIT
}

cmd_prefix() {
    local dir=${1:-/tmp/pgq35-prefix} src key
    "$here/scripts/pgcluster.sh" deps
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    src=$(unpack postgresql-15-pgq3)
    key="$("$SYS_LIB/bin/postgres" --version); postgresql-15-pgq3 $(deb_version postgresql-15-pgq3)"
    (
        lock "$dir/.lock"
        if [ "$(cat "$dir/.pgq35-prefix" 2>/dev/null)" != "$key" ]; then
            log "copying PostgreSQL 15 into $dir"
            rm -f "$dir/.pgq35-prefix"
            copy_postgres "$dir"
            install_pgq3 "$dir" "$src"
            readable "$dir"
            server_can_read "$dir/share/postgresql/15/extension/pgq.control"
            verify_prefix "$dir"
            echo "$key" > "$dir/.pgq35-prefix"
        elif ! pgq3_in_place "$dir" "$src"; then
            log "putting PgQ 3.5's extension files back into $dir"
            install_pgq3 "$dir" "$src"
            readable "$dir"
        fi
        # pgTAP installed into the system after the copy was made
        for f in "$SYS_SHARE"/extension/pgtap*; do
            [ -e "$f" ] || continue
            [ -e "$dir/share/postgresql/15/extension/${f##*/}" ] && continue
            cp "$f" "$dir/share/postgresql/15/extension/"
            chmod a+r "$dir/share/postgresql/15/extension/${f##*/}"
        done
    )
    echo "$dir/lib/postgresql/15/bin"
}

# This checkout's extensions into the prefix DIR (PGXS computes the
# directories from DIR's pg_config); PgQ 3.5's scripts and modules stay.
cmd_install_ours() {
    local dir=$1 bin
    dir=$(cd "$dir" && pwd -P)
    bin=$dir/lib/postgresql/15/bin
    [ -f "$dir/.pgq35-prefix" ] || die "$dir is not a prefix made by: $0 prefix $dir"
    (
        lock "$dir/.lock"
        make -C "$here" --no-print-directory -s install PG_CONFIG="$bin/pg_config" >/dev/null
        readable "$dir/share/postgresql/15/extension"
    )
    ls "$dir/share/postgresql/15/extension/pgq.control" >/dev/null
}

# The pgq_ext 3.3 fixture into the prefix DIR (the next `prefix DIR` takes
# it out again, with ours)
cmd_old_pgq_ext() {
    local dir=$1 ext
    dir=$(cd "$dir" && pwd -P)
    ext=$dir/share/postgresql/15/extension
    [ -f "$dir/.pgq35-prefix" ] || die "$dir is not a prefix made by: $0 prefix $dir"
    (
        lock "$dir/.lock"
        rm -f "$ext"/pgq_ext.control "$ext"/pgq_ext--3.3.sql
        cp "$here"/test/fixtures/pgq_ext-3.3/pgq_ext.control "$here"/test/fixtures/pgq_ext-3.3/pgq_ext--3.3.sql "$ext/"
        chmod a+r "$ext"/pgq_ext.control "$ext"/pgq_ext--3.3.sql
    )
}

cmd=${1:-}
shift || true
case "$cmd" in
    prefix) cmd_prefix "$@" ;;
    install-ours) [ $# = 1 ] || { echo "usage: $0 install-ours DIR" >&2; exit 2; }; cmd_install_ours "$1" ;;
    old-pgq-ext) [ $# = 1 ] || { echo "usage: $0 old-pgq-ext DIR" >&2; exit 2; }; cmd_old_pgq_ext "$1" ;;
    pgqd) cmd_pgqd ;;
    python) cmd_python ;;
    unpack) [ $# = 1 ] || { echo "usage: $0 unpack PKG" >&2; exit 2; }; unpack "$1" ;;
    *) echo "usage: $0 prefix [DIR] | install-ours DIR | old-pgq-ext DIR | pgqd | python | unpack PKG" >&2; exit 2 ;;
esac
