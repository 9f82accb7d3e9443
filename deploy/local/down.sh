#!/usr/bin/env bash
# Stop the local servers (all five, or only those named). Data is kept under
# $EMPORIA_LOCAL_DIR; delete that directory for a clean slate.
#
# usage: deploy/local/down.sh [postgres|redis|kafka|elasticsearch|mailpit ...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=down

services=()
if [[ $# -eq 0 ]]; then
  services=("${EMPORIA_ALL_SERVICES[@]}")
else
  for s in "$@"; do
    case "$s" in
      postgres | postgresql | pg) services+=(postgres) ;;
      redis) services+=(redis) ;;
      kafka) services+=(kafka) ;;
      elasticsearch | es) services+=(elasticsearch) ;;
      mailpit | mailsink) services+=(mailpit) ;;
      *) die "unknown service '$s' (known: ${EMPORIA_ALL_SERVICES[*]})" ;;
    esac
  done
fi

started="$(now_ms)"
pids=()
for s in "${services[@]}"; do
  bash "$EMPORIA_LOCAL_SCRIPTS_DIR/$s.sh" stop &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
  wait "$p" || rc=1
done
[[ $rc == 0 ]] || die "some servers failed to stop"
log "stopped: ${services[*]} in $(elapsed "$started")"
