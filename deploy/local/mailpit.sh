#!/usr/bin/env bash
# The mail sink: Mailpit (github.com/axllent/mailpit, built from the Go module proxy into
# .local/bin/mailpit by tools/go-tools.sh) in the background, SMTP on
# 127.0.0.1:$EMPORIA_SMTP_PORT (default 51025) and its web UI and API on
# 127.0.0.1:$EMPORIA_MAILPIT_HTTP_PORT (default 58025), its database, log and pid file under
# $EMPORIA_LOCAL_DIR/mailpit. It accepts every message for any address and delivers none; tests
# read what it received through /api/v1. It keeps the newest $EMPORIA_MAILPIT_MAX_MESSAGES
# (default 5000) and drops older ones.
#
# usage: deploy/local/mailpit.sh start|stop|status|restart|install
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=mailpit

MAILPIT_BIN="$EMPORIA_REPO_ROOT/.local/bin/mailpit" # where tools/go-tools.sh builds it
MAILPIT_DIR="$EMPORIA_LOCAL_DIR/mailpit"
MAILPIT_PID="$MAILPIT_DIR/mailpit.pid"
MAILPIT_LOG="$MAILPIT_DIR/mailpit.log"
MAILPIT_MAX_MESSAGES="${EMPORIA_MAILPIT_MAX_MESSAGES:-5000}"
MAILPIT_START_TIMEOUT="${EMPORIA_MAILPIT_START_TIMEOUT:-30}"
MAILPIT_API="http://$EMPORIA_HOST:$EMPORIA_MAILPIT_HTTP_PORT"

svc_install() {
  need_cmd curl curl
  # built once per version with this machine's Go (the first time about 45 s), then only checked
  bash "$EMPORIA_REPO_ROOT/tools/go-tools.sh" mailpit || die "could not build mailpit (tools/go-tools.sh)"
}

# Ready: the API answers (Mailpit's /readyz) and the SMTP port greets.
mailpit_ready() {
  curl -fsS -m 2 "$MAILPIT_API/readyz" >/dev/null 2>&1 || return 1
  local greeting
  greeting="$(timeout 2 bash -c "exec 3<>/dev/tcp/$EMPORIA_HOST/$EMPORIA_SMTP_PORT; head -c 3 <&3" 2>/dev/null)"
  [[ "$greeting" == "220" ]]
}

# The pid file's process when it is a mailpit (the one this script or anyone else started from
# .local/bin/mailpit with this pid file).
mailpit_pid() {
  running_pid "$MAILPIT_PID" bin/mailpit
}

svc_start() {
  local started pid
  started="$(now_ms)"
  pid="$(mailpit_pid)"
  if [[ -n "$pid" ]]; then
    if wait_until 10 mailpit mailpit_ready; then
      log "already running (pid $pid) and ready: SMTP $EMPORIA_HOST:$EMPORIA_SMTP_PORT, API $MAILPIT_API"
      return 0
    fi
    tail_log "$MAILPIT_LOG"
    die "mailpit (pid $pid) runs but does not answer on $EMPORIA_HOST:$EMPORIA_SMTP_PORT / $MAILPIT_API (ports changed? run: $0 restart)"
  fi
  ensure_port_free "$EMPORIA_SMTP_PORT" "mailpit SMTP"
  ensure_port_free "$EMPORIA_MAILPIT_HTTP_PORT" "mailpit API"
  mkdir -p "$MAILPIT_DIR"
  rotate_log "$MAILPIT_LOG"
  rm -f "$MAILPIT_PID"
  log "starting: SMTP $EMPORIA_HOST:$EMPORIA_SMTP_PORT, API and UI $MAILPIT_API (mailpit $("$MAILPIT_BIN" version --no-release-check 2>/dev/null | awk "NR == 1 { print \$2 }"))"
  # setsid: the sink outlives the shell (and the test run) that started it, like the other servers
  setsid "$MAILPIT_BIN" \
    --smtp "$EMPORIA_HOST:$EMPORIA_SMTP_PORT" \
    --listen "$EMPORIA_HOST:$EMPORIA_MAILPIT_HTTP_PORT" \
    --database "$MAILPIT_DIR/mailpit.db" \
    --max "$MAILPIT_MAX_MESSAGES" \
    --disable-version-check \
    </dev/null >>"$MAILPIT_LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$MAILPIT_PID"
  if ! WAIT_PID="$pid" wait_until "$MAILPIT_START_TIMEOUT" mailpit mailpit_ready; then
    tail_log "$MAILPIT_LOG"
    die "Mailpit did not answer on $EMPORIA_HOST:$EMPORIA_SMTP_PORT and $MAILPIT_API/readyz"
  fi
  log "ready (pid $pid) in $(elapsed "$started")"
}

svc_stop() {
  local pid
  pid="$(mailpit_pid)"
  if [[ -z "$pid" ]]; then
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  stop_pid "$pid" mailpit 20
  rm -f "$MAILPIT_PID"
  log "stopped"
}

svc_status() {
  local pid
  pid="$(mailpit_pid)"
  if [[ -n "$pid" ]] && mailpit_ready; then
    echo "mailpit: running (pid $pid), ready: SMTP $EMPORIA_HOST:$EMPORIA_SMTP_PORT, API and UI $MAILPIT_API"
  elif [[ -n "$pid" ]]; then
    echo "mailpit: running (pid $pid) but NOT answering on $EMPORIA_HOST:$EMPORIA_SMTP_PORT / $MAILPIT_API"
    return 1
  else
    echo "mailpit: stopped"
    return 3
  fi
}

service_main "$@"
