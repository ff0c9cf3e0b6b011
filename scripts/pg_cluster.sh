#!/usr/bin/env bash
# A private PostgreSQL/PostGIS cluster for the shared workspace (issue 14): data, socket and log under build/pg,
# a local port, nothing touched outside the repository but Debian's packages.
#
#   scripts/pg_cluster.sh install   Debian's PostgreSQL + PostGIS for the distribution's server version (idempotent)
#   scripts/pg_cluster.sh start     initdb once, then start (idempotent; a crashed cluster is started again)
#   scripts/pg_cluster.sh stop      fast shutdown (idempotent)
#   scripts/pg_cluster.sh status    running or not (exit 0 when running, 3 when not)
#   scripts/pg_cluster.sh env       the connection settings as shell `export` lines (libpq's PG* variables)
#
# Settings (environment): CG_PG_DIR (default build/pg), CG_PG_PORT (default 55432), CG_PG_DB (community_grids),
# CG_PG_USER (the cluster's superuser, cg_admin). initdb refuses root: as root the cluster runs as the `postgres`
# OS user that Debian's postgresql-common creates. Authentication: scram-sha-256 for every connection (the
# superuser's password is generated once into the cluster's directory; `env` points PGPASSFILE at it).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PGDIR="${CG_PG_DIR:-$ROOT/build/pg}"
PORT="${CG_PG_PORT:-55432}"
DB="${CG_PG_DB:-community_grids}"
SUPER="${CG_PG_USER:-cg_admin}"

die() { echo "pg_cluster: $*" >&2; exit 1; }

# As root the server runs as `postgres`, which must reach the cluster's directory. A clone under a directory
# closed to other users (e.g. /root) cannot hold it: then the cluster lives in /var/tmp/community-grids-pg-<id>
# (one per clone) and build/pg is a symbolic link to it. The settings printed are the real paths.
place_cluster() {
  local parent real
  [ "$(id -u)" = 0 ] && getent passwd postgres >/dev/null || return 0
  [ -L "$PGDIR" ] && { PGDIR=$(readlink -f "$PGDIR"); return 0; }
  parent=$(dirname "$PGDIR")
  mkdir -p "$parent"
  runuser -u postgres -- test -x "$parent" 2>/dev/null && return 0
  [ -e "$PGDIR" ] && return 0  # an existing cluster directory stays where it is
  real="/var/tmp/community-grids-pg-$(printf '%s' "$PGDIR" | md5sum | cut -c1-12)"
  mkdir -p "$real"
  ln -sfn "$real" "$PGDIR"
  PGDIR="$real"
}
place_cluster
DATA="$PGDIR/data"
RUN="$PGDIR/run"
LOG="$PGDIR/server.log"
PASSFILE="$PGDIR/pgpass"

# The server's major version: the one Debian's `postgresql` metapackage points at (installed or candidate).
server_major() {
  local v
  v=$(dpkg-query -W -f='${Depends}' postgresql 2>/dev/null | grep -oE 'postgresql-[0-9]+' | head -1 || true)
  [ -n "$v" ] || v=$(apt-cache depends postgresql 2>/dev/null | grep -oE 'Depends: postgresql-[0-9]+$' | head -1 |
    grep -oE 'postgresql-[0-9]+' || true)
  [ -n "$v" ] || die "no PostgreSQL server package known to apt (apt-cache depends postgresql found nothing)"
  echo "${v#postgresql-}"
}

install() {
  local major pkgs missing="" p
  major=$(server_major)
  pkgs="postgresql postgresql-$major postgresql-$major-postgis-3 postgresql-client-$major python3-psycopg2"
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || die "Debian packages missing:$missing (run as root: make postgis)"
    echo "Installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  fi
  [ -x "/usr/lib/postgresql/$major/bin/initdb" ] || die "/usr/lib/postgresql/$major/bin/initdb missing after install"
  [ -f "/usr/share/postgresql/$major/extension/postgis.control" ] || die "PostGIS extension for PostgreSQL $major missing"
  echo "PostgreSQL $major with PostGIS installed"
}

bindir() {
  local major
  if [ -f "$DATA/PG_VERSION" ]; then major=$(cat "$DATA/PG_VERSION"); else major=$(server_major); fi
  [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ] ||
    die "PostgreSQL $major's server is not installed (the cluster in $DATA is version $major): run make postgis"
  echo "/usr/lib/postgresql/$major/bin"
}

# Commands run as the cluster's OS user: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    getent passwd postgres >/dev/null || die "no 'postgres' OS user (Debian's postgresql-common creates it): run make postgis"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

init_cluster() {
  local bin="$1" owner pw
  mkdir -p "$PGDIR"
  owner=$(id -un)
  [ "$(id -u)" = 0 ] && owner=postgres
  mkdir -p "$RUN"
  chown "$owner" "$PGDIR" "$RUN" 2>/dev/null || true
  chmod 700 "$PGDIR"
  as_owner test -w "$PGDIR" -a -x "$PGDIR" ||
    die "the OS user '$owner' cannot write $PGDIR (a parent directory not open to it?)"
  pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  as_owner bash -c "umask 077; printf '%s\n' '$pw' > '$PGDIR/superuser.pw'"
  as_owner "$bin/initdb" -D "$DATA" -U "$SUPER" --pwfile="$PGDIR/superuser.pw" -E UTF8 --locale=C.UTF-8 \
    --auth=scram-sha-256 >"$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log" >&2; die "initdb failed"; }
  as_owner rm -f "$PGDIR/superuser.pw"
  # libpq's password file, for the user running the tests/demo (root or the developer)
  (umask 077 && printf '*:*:*:%s:%s\n' "$SUPER" "$pw" > "$PASSFILE")
  cat >> "$DATA/postgresql.conf" <<EOF
# Community Grids private cluster (scripts/pg_cluster.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN'
max_connections = 60
shared_buffers = 64MB
fsync = on
log_min_messages = warning
# no POSIX shared memory in /dev/shm needed (a chroot such as make test-debian13's may lack it)
dynamic_shared_memory_type = mmap
EOF
}

# Running = the postmaster of postmaster.pid is alive (a killed one may linger as a zombie in a container
# without an init that reaps it: that is not running, and its stale lock file is removed so start can proceed).
alive() {
  local state
  [ -n "$1" ] || return 1
  state=$(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != Z ]
}
running() {
  local lock="$RUN/.s.PGSQL.$PORT.lock"
  if [ -f "$lock" ] && ! alive "$(head -1 "$lock" 2>/dev/null || true)"; then
    rm -f "$lock" "$RUN/.s.PGSQL.$PORT"
  fi
  [ -f "$DATA/postmaster.pid" ] || return 1
  if ! alive "$(head -1 "$DATA/postmaster.pid" 2>/dev/null || true)"; then
    rm -f "$DATA/postmaster.pid"
    return 1
  fi
  return 0
}

start() {
  local bin
  [ "${#RUN}" -lt 90 ] || die "socket directory path too long for a Unix socket: $RUN (set CG_PG_DIR)"
  bin=$(bindir)
  [ -f "$DATA/PG_VERSION" ] || init_cluster "$bin"
  [ -f "$PASSFILE" ] || die "$PASSFILE missing: the cluster in $DATA cannot be reached (remove $PGDIR to make it again)"
  # clusters made before the setting: no POSIX shared memory needed (a chroot's /dev/shm comes and goes)
  if ! grep -q '^dynamic_shared_memory_type = mmap' "$DATA/postgresql.conf"; then
    echo "dynamic_shared_memory_type = mmap" | as_owner tee -a "$DATA/postgresql.conf" >/dev/null
    running && as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  fi
  # a server that runs but cannot serve a session (its shared memory gone with a mount) is started again
  if running && ! PGPASSFILE="$PASSFILE" "$bin/psql" -X -q -h "$RUN" -p "$PORT" -U "$SUPER" -d postgres \
      -tAc "select 1" >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    running || true
  fi
  if ! running; then
    mkdir -p "$RUN"
    [ "$(id -u)" = 0 ] && chown postgres "$RUN"
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -o "-p $PORT" start >/dev/null ||
      { tail -n 20 "$LOG" >&2 || true; die "the server in $DATA did not start on port $PORT (log: $LOG)"; }
  fi
  local i
  for i in $(seq 1 60); do
    "$bin/pg_isready" -q -h "$RUN" -p "$PORT" && break
    sleep 0.5
  done
  "$bin/pg_isready" -q -h "$RUN" -p "$PORT" ||
    { tail -n 20 "$LOG" >&2 || true; die "the server in $DATA does not accept connections on port $PORT (log: $LOG)"; }
  # the database with PostGIS, once
  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$PORT" -U "$SUPER")
  export PGPASSFILE="$PASSFILE"
  if ! "${psql[@]}" -d postgres -tAc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    "${psql[@]}" -d postgres -c "create database $DB"
  fi
  PGOPTIONS="-c client_min_messages=warning" "${psql[@]}" -d "$DB" -c "create extension if not exists postgis"
  echo "PostgreSQL $(cat "$DATA/PG_VERSION") running: $DATA, port $PORT, socket $RUN, database $DB"
}

stop() {
  local bin
  [ -f "$DATA/PG_VERSION" ] || { echo "no cluster in $DATA"; return 0; }
  bin=$(bindir)
  if running; then
    as_owner "$bin/pg_ctl" -D "$DATA" -w -m fast stop >/dev/null
    echo "stopped"
  else
    echo "not running"
  fi
}

status() {
  if running; then echo "running: $DATA, port $PORT"; else echo "not running: $DATA"; return 3; fi
}

env_lines() {
  cat <<EOF
export PGHOST='$RUN'
export PGPORT='$PORT'
export PGDATABASE='$DB'
export PGUSER='$SUPER'
export PGPASSFILE='$PASSFILE'
export CG_PG_BIN='$(bindir)'
EOF
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_lines ;;
  *) echo "usage: $0 install|start|stop|status|env" >&2; exit 2 ;;
esac
