#!/usr/bin/env bash
# PostgreSQL (Debian package, version 15 on bookworm) in our own cluster under
# $EMPORIA_LOCAL_DIR/postgres, on 127.0.0.1:$EMPORIA_PG_PORT (default 55432).
# Superuser postgres / password postgres. The Debian default cluster (5432),
# if any, is neither used nor touched.
#
# usage: deploy/local/postgres.sh start|stop|status|restart|install
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=postgres

PG_VERSION_WANTED="${EMPORIA_PG_VERSION:-15}"
PG_LINK="$EMPORIA_LOCAL_DIR/postgres"
PG_USER=postgres
PG_PASSWORD=postgres
PG_START_TIMEOUT="${EMPORIA_PG_START_TIMEOUT:-60}"

# Prints the bin dir of the wanted major version, else of the newest installed.
find_pg_bin() {
  local d
  if [[ -n "${EMPORIA_PG_BIN:-}" ]]; then
    echo "$EMPORIA_PG_BIN"
    return
  fi
  if [[ -x "/usr/lib/postgresql/$PG_VERSION_WANTED/bin/initdb" ]]; then
    echo "/usr/lib/postgresql/$PG_VERSION_WANTED/bin"
    return
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
      echo "$d"
      return
    fi
  done
}

# Run a server-side command as the cluster owner. As root that is the
# 'postgres' OS user (initdb/postgres refuse to run as root); otherwise us.
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

# Where the cluster lives: $EMPORIA_LOCAL_DIR/postgres, unless (as root) the
# postgres OS user cannot reach that path (e.g. a clone under /root, mode 700):
# then under that user's home, with $EMPORIA_LOCAL_DIR/postgres a symlink to it.
resolve_pg_dir() {
  mkdir -p "$EMPORIA_LOCAL_DIR"
  if [[ -L "$PG_LINK" ]]; then
    PG_DIR="$(readlink -f "$PG_LINK")"
  elif [[ $EUID -ne 0 ]] || [[ -d "$PG_LINK" ]] || ! id -u "$PG_USER" >/dev/null 2>&1 ||
    runuser -u "$PG_USER" -- test -x "$(dirname "$PG_LINK")"; then
    PG_DIR="$PG_LINK"
  else
    local home
    home="$(getent passwd "$PG_USER" | cut -d: -f6)"
    PG_DIR="${home:-/var/lib/postgresql}/emporia-$(printf '%s' "$EMPORIA_LOCAL_DIR" | sha256sum | cut -c1-12)"
    log "$PG_USER cannot reach $EMPORIA_LOCAL_DIR; keeping the cluster in $PG_DIR (symlinked from $PG_LINK)"
    mkdir -p "$PG_DIR" "$(dirname "$PG_LINK")"
    chown "$PG_USER:$PG_USER" "$PG_DIR"
    ln -sfn "$PG_DIR" "$PG_LINK"
  fi
  PG_DATA="$PG_DIR/data"
  PG_RUN="$PG_DIR/run" # unix socket dir
  PG_LOG="$PG_DIR/postgres.log"
}

svc_install() {
  PG_BIN="$(find_pg_bin)"
  if [[ -z "$PG_BIN" || ! -x "$PG_BIN/pg_isready" || ! -x "$PG_BIN/psql" ]]; then
    # Installing 'postgresql' may also create and start Debian's own cluster
    # on 5432; we ignore it.
    apt_install postgresql
    PG_BIN="$(find_pg_bin)"
    [[ -n "$PG_BIN" ]] || die "no PostgreSQL server found under /usr/lib/postgresql after installing"
  fi
  if [[ $EUID -eq 0 ]] && ! id -u "$PG_USER" >/dev/null 2>&1; then
    die "OS user '$PG_USER' is missing (it comes with the Debian postgresql packages)"
  fi
  resolve_pg_dir
}

pg_ready() {
  "$PG_BIN/pg_isready" -q -h "$EMPORIA_HOST" -p "$EMPORIA_PG_PORT" -d postgres -U "$PG_USER" &&
    [[ "$(PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 "$PG_BIN/psql" -X -q -t -A \
      -h "$EMPORIA_HOST" -p "$EMPORIA_PG_PORT" -U "$PG_USER" -d postgres \
      -c 'select 1' 2>/dev/null)" == "1" ]]
}

pg_running() {
  [[ -f "$PG_DATA/PG_VERSION" ]] && as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

init_cluster() {
  [[ -f "$PG_DATA/PG_VERSION" ]] && return 0
  log "initdb in $PG_DATA ($("$PG_BIN/postgres" --version))"
  rm -rf "$PG_DATA"
  mkdir -p "$PG_DATA" "$PG_RUN"
  local pwfile="$PG_DIR/.pwfile"
  printf '%s\n' "$PG_PASSWORD" >"$pwfile"
  if [[ $EUID -eq 0 ]]; then
    chown -R "$PG_USER:$PG_USER" "$PG_DIR"
    if ! runuser -u "$PG_USER" -- test -w "$PG_DATA"; then
      die "OS user $PG_USER cannot write $PG_DATA; set EMPORIA_LOCAL_DIR to a path it can reach"
    fi
  fi
  chmod 700 "$PG_DATA"
  if ! as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$pwfile" \
    -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
    >"$PG_DIR/initdb.log" 2>&1; then
    tail_log "$PG_DIR/initdb.log"
    rm -f "$pwfile"
    die "initdb failed"
  fi
  rm -f "$pwfile"
  # Our settings live in a file of their own, rewritten at every start.
  echo "include_if_exists = 'emporia.conf'" >>"$PG_DATA/postgresql.conf"
}

write_conf() {
  # Local dev/test cluster: durability traded for speed (a crash of the
  # machine may lose or corrupt this cluster; it is a cache, re-create it).
  cat >"$PG_DATA/emporia.conf" <<EOF
# written by deploy/local/postgres.sh at every start; edits are overwritten
listen_addresses = '$EMPORIA_HOST'
port = $EMPORIA_PG_PORT
unix_socket_directories = '$PG_RUN'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] '
EOF
  if [[ $EUID -eq 0 ]]; then
    chown "$PG_USER:$PG_USER" "$PG_DATA/emporia.conf"
    mkdir -p "$PG_RUN" && chown "$PG_USER:$PG_USER" "$PG_RUN"
  fi
}

postmaster_pid() { head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true; }
postmaster_alive() { pid_alive "$(postmaster_pid)"; }

svc_start() {
  local started
  started="$(now_ms)"
  if pg_running; then
    if wait_until 10 "postgres" pg_ready; then
      log "already running and ready on $EMPORIA_HOST:$EMPORIA_PG_PORT"
      return 0
    fi
    tail_log "$PG_LOG"
    die "a cluster runs in $PG_DATA but does not answer on $EMPORIA_HOST:$EMPORIA_PG_PORT (port or settings changed? run: $0 restart)"
  fi
  ensure_port_free "$EMPORIA_PG_PORT" postgres
  init_cluster
  write_conf
  rotate_log "$PG_LOG"
  if [[ $EUID -eq 0 ]]; then touch "$PG_LOG" && chown "$PG_USER:$PG_USER" "$PG_LOG"; fi
  log "starting on $EMPORIA_HOST:$EMPORIA_PG_PORT (data $PG_DATA)"
  # -W: don't let pg_ctl wait; our own probe below is the readiness check.
  if ! as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -W start >/dev/null; then
    tail_log "$PG_LOG"
    die "pg_ctl start failed"
  fi
  # A crash leaves a stale postmaster.pid behind until the new postmaster replaces it,
  # so wait for a pid that is alive rather than for the file alone.
  local pid=""
  wait_until 10 "postmaster.pid" postmaster_alive || true
  pid="$(postmaster_pid)"
  pid_alive "$pid" || pid=""
  if ! WAIT_PID="$pid" wait_until "$PG_START_TIMEOUT" "postgres" pg_ready; then
    tail_log "$PG_LOG"
    die "PostgreSQL did not become ready on $EMPORIA_HOST:$EMPORIA_PG_PORT"
  fi
  log "ready on $EMPORIA_HOST:$EMPORIA_PG_PORT (pg_isready + select 1) in $(elapsed "$started")"
}

svc_stop() {
  if ! pg_running; then
    log "not running"
    return 0
  fi
  log "stopping"
  if ! as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -t 60 -w stop >/dev/null; then
    tail_log "$PG_LOG"
    die "pg_ctl stop failed"
  fi
  log "stopped"
}

svc_status() {
  if pg_running && pg_ready; then
    echo "postgres: running, ready on $EMPORIA_HOST:$EMPORIA_PG_PORT"
  elif pg_running; then
    echo "postgres: running but NOT ready on $EMPORIA_HOST:$EMPORIA_PG_PORT"
    return 1
  else
    echo "postgres: stopped"
    return 3
  fi
}

PG_BIN="$(find_pg_bin)"
if [[ "${1:-}" != start && "${1:-}" != restart && "${1:-}" != install && -z "$PG_BIN" ]]; then
  echo "postgres: not installed"
  [[ "${1:-}" == stop ]] && exit 0 || exit 3
fi
# A cluster can only exist once the postgres OS user does.
if [[ $EUID -ne 0 ]] || id -u "$PG_USER" >/dev/null 2>&1; then
  resolve_pg_dir
else
  PG_DIR="$PG_LINK" PG_DATA="$PG_LINK/data" PG_RUN="$PG_LINK/run" PG_LOG="$PG_LINK/postgres.log"
fi
service_main "$@"
