#!/usr/bin/env bash
# Redis (Debian package redis-server) daemonized on 127.0.0.1:$EMPORIA_REDIS_PORT
# (default 56379) with its pid, log and dir under $EMPORIA_LOCAL_DIR/redis.
# No persistence (no RDB snapshots, no AOF).
#
# usage: deploy/local/redis.sh start|stop|status|restart|install
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=redis

REDIS_DIR="$EMPORIA_LOCAL_DIR/redis"
REDIS_CONF="$REDIS_DIR/redis.conf"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"
REDIS_START_TIMEOUT="${EMPORIA_REDIS_START_TIMEOUT:-30}"

svc_install() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    # Debian's package may also try to start its own service on 6379; ignored.
    apt_install redis-server redis-tools
  fi
}

redis_cli() {
  redis-cli -h "$EMPORIA_HOST" -p "$EMPORIA_REDIS_PORT" "$@"
}

redis_ready() {
  [[ "$(redis_cli ping 2>/dev/null)" == "PONG" ]]
}

redis_pid() {
  running_pid "$REDIS_PID" redis-server
}

svc_start() {
  local started pid
  started="$(now_ms)"
  pid="$(redis_pid)"
  if [[ -n "$pid" ]]; then
    if wait_until 10 redis redis_ready; then
      log "already running (pid $pid) and ready on $EMPORIA_HOST:$EMPORIA_REDIS_PORT"
      return 0
    fi
    tail_log "$REDIS_LOG"
    die "redis-server (pid $pid) runs but does not answer on $EMPORIA_HOST:$EMPORIA_REDIS_PORT (port or settings changed? run: $0 restart)"
  fi
  ensure_port_free "$EMPORIA_REDIS_PORT" redis
  mkdir -p "$REDIS_DIR"
  cat >"$REDIS_CONF" <<EOF
# written by deploy/local/redis.sh at every start; edits are overwritten
bind $EMPORIA_HOST
port $EMPORIA_REDIS_PORT
protected-mode yes
daemonize yes
supervised no
pidfile $REDIS_PID
logfile $REDIS_LOG
dir $REDIS_DIR
save ""
databases 16
# appendonly (the gateway's idempotency records survive a restart), noeviction
include $EMPORIA_REPO_ROOT/deploy/redis/persistence.conf
EOF
  rotate_log "$REDIS_LOG"
  rm -f "$REDIS_PID"
  log "starting on $EMPORIA_HOST:$EMPORIA_REDIS_PORT (redis $(redis-server --version | sed -n "s/.*v=\([0-9.]*\).*/\1/p"))"
  if ! redis-server "$REDIS_CONF"; then
    tail_log "$REDIS_LOG"
    die "redis-server failed to start"
  fi
  wait_until 5 "redis pid file" test -s "$REDIS_PID" || true
  pid="$(read_pid "$REDIS_PID")"
  if ! WAIT_PID="$pid" wait_until "$REDIS_START_TIMEOUT" redis redis_ready; then
    tail_log "$REDIS_LOG"
    die "Redis did not answer PING on $EMPORIA_HOST:$EMPORIA_REDIS_PORT"
  fi
  log "ready on $EMPORIA_HOST:$EMPORIA_REDIS_PORT (PING -> PONG) in $(elapsed "$started")"
}

svc_stop() {
  local pid
  pid="$(redis_pid)"
  if [[ -z "$pid" ]]; then
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  redis_cli shutdown nosave >/dev/null 2>&1 || true
  stop_pid "$pid" redis 20
  rm -f "$REDIS_PID"
  log "stopped"
}

svc_status() {
  local pid
  pid="$(redis_pid)"
  if [[ -n "$pid" ]] && redis_ready; then
    echo "redis: running (pid $pid), ready on $EMPORIA_HOST:$EMPORIA_REDIS_PORT"
  elif [[ -n "$pid" ]]; then
    echo "redis: running (pid $pid) but NOT answering on $EMPORIA_HOST:$EMPORIA_REDIS_PORT"
    return 1
  else
    echo "redis: stopped"
    return 3
  fi
}

service_main "$@"
