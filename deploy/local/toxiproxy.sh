#!/usr/bin/env bash
# The fault proxy of the chaos suite: Toxiproxy (github.com/Shopify/toxiproxy/v2, built from the
# Go module proxy into .local/bin/toxiproxy-server by tools/go-tools.sh) in the background, its
# REST API on 127.0.0.1:$EMPORIA_TOXIPROXY_PORT (default 58474), its log and pid file under
# $EMPORIA_LOCAL_DIR/toxiproxy. It starts with no proxies: a test creates the ones it needs
# through the API (libs/testing/src/toxiproxy.ts), each listening on 127.0.0.1 only, and adds
# latency, resets or a cut to them. Not part of up.sh: only the chaos suite needs it.
#
# usage: deploy/local/toxiproxy.sh start|stop|status|restart|install
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=toxiproxy

EMPORIA_TOXIPROXY_PORT="${EMPORIA_TOXIPROXY_PORT:-58474}"
TOXIPROXY_BIN="$EMPORIA_REPO_ROOT/.local/bin/toxiproxy-server" # where tools/go-tools.sh builds it
TOXIPROXY_DIR="$EMPORIA_LOCAL_DIR/toxiproxy"
TOXIPROXY_PID="$TOXIPROXY_DIR/toxiproxy.pid"
TOXIPROXY_LOG="$TOXIPROXY_DIR/toxiproxy.log"
TOXIPROXY_START_TIMEOUT="${EMPORIA_TOXIPROXY_START_TIMEOUT:-15}"
TOXIPROXY_API="http://$EMPORIA_HOST:$EMPORIA_TOXIPROXY_PORT"

svc_install() {
  need_cmd curl curl
  # built once per version with this machine's Go (the first time about a minute), then only checked
  bash "$EMPORIA_REPO_ROOT/tools/go-tools.sh" toxiproxy || die "could not build toxiproxy-server (tools/go-tools.sh)"
}

toxiproxy_ready() {
  curl -fsS -m 2 "$TOXIPROXY_API/version" >/dev/null 2>&1
}

# The pid file's process when it is a toxiproxy-server (guards against a reused pid).
toxiproxy_pid() {
  running_pid "$TOXIPROXY_PID" toxiproxy-server
}

svc_start() {
  local started pid
  started="$(now_ms)"
  pid="$(toxiproxy_pid)"
  if [[ -n "$pid" ]]; then
    if wait_until 10 toxiproxy toxiproxy_ready; then
      log "already running (pid $pid) and ready: API $TOXIPROXY_API"
      return 0
    fi
    tail_log "$TOXIPROXY_LOG"
    die "toxiproxy-server (pid $pid) runs but does not answer on $TOXIPROXY_API (port changed? run: $0 restart)"
  fi
  ensure_port_free "$EMPORIA_TOXIPROXY_PORT" toxiproxy
  mkdir -p "$TOXIPROXY_DIR"
  rotate_log "$TOXIPROXY_LOG"
  rm -f "$TOXIPROXY_PID"
  log "starting: API $TOXIPROXY_API ($("$TOXIPROXY_BIN" -version 2>/dev/null | head -n 1))"
  # setsid: the proxy outlives the shell that started it, like the other servers
  setsid "$TOXIPROXY_BIN" -host "$EMPORIA_HOST" -port "$EMPORIA_TOXIPROXY_PORT" \
    </dev/null >>"$TOXIPROXY_LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$TOXIPROXY_PID"
  if ! WAIT_PID="$pid" wait_until "$TOXIPROXY_START_TIMEOUT" toxiproxy toxiproxy_ready; then
    tail_log "$TOXIPROXY_LOG"
    die "Toxiproxy did not answer on $TOXIPROXY_API/version"
  fi
  log "ready (pid $pid) in $(elapsed "$started")"
}

svc_stop() {
  local pid
  pid="$(toxiproxy_pid)"
  if [[ -z "$pid" ]]; then
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  stop_pid "$pid" toxiproxy 10
  rm -f "$TOXIPROXY_PID"
  log "stopped"
}

svc_status() {
  local pid
  pid="$(toxiproxy_pid)"
  if [[ -n "$pid" ]] && toxiproxy_ready; then
    echo "toxiproxy: running (pid $pid), API $TOXIPROXY_API"
  elif [[ -n "$pid" ]]; then
    echo "toxiproxy: running (pid $pid) but NOT answering on $TOXIPROXY_API"
    return 1
  else
    echo "toxiproxy: stopped"
    return 3
  fi
}

service_main "$@"
