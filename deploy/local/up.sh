#!/usr/bin/env bash
# Start the local servers (all five, or only those named) and wait until each
# is really ready. Idempotent: servers already running are only re-checked.
#
# usage: deploy/local/up.sh [postgres|redis|kafka|elasticsearch|mailpit ...]
#        (aliases: pg, es, mailsink). EMPORIA_UP_PARALLEL=0 starts them one by one.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=up

services=()
add_service() {
  local s
  for s in "${services[@]}"; do [[ "$s" == "$1" ]] && return 0; done
  services+=("$1")
}
if [[ $# -eq 0 ]]; then
  services=("${EMPORIA_ALL_SERVICES[@]}")
fi
for arg in "$@"; do
  case "$arg" in
    postgres | postgresql | pg) add_service postgres ;;
    redis) add_service redis ;;
    kafka) add_service kafka ;;
    elasticsearch | es) add_service elasticsearch ;;
    mailpit | mailsink) add_service mailpit ;;
    *) die "unknown service '$arg' (known: ${EMPORIA_ALL_SERVICES[*]})" ;;
  esac
done

started="$(now_ms)"
mkdir -p "$EMPORIA_LOCAL_DIR"

# 1. Install / fetch one at a time (apt and the local Maven repository don't
#    like concurrent writers).
for s in "${services[@]}"; do
  bash "$EMPORIA_LOCAL_SCRIPTS_DIR/$s.sh" install
done

# 2. Start (in parallel by default) and wait for readiness.
declare -A pids=() rcs=()
for s in "${services[@]}"; do
  if [[ "${EMPORIA_UP_PARALLEL:-1}" == 0 ]]; then
    rc=0
    bash "$EMPORIA_LOCAL_SCRIPTS_DIR/$s.sh" start || rc=$?
    rcs[$s]=$rc
  else
    bash "$EMPORIA_LOCAL_SCRIPTS_DIR/$s.sh" start &
    pids[$s]=$!
  fi
done
for s in "${!pids[@]}"; do
  rc=0
  wait "${pids[$s]}" || rc=$?
  rcs[$s]=$rc
done

failed=()
for s in "${services[@]}"; do
  [[ "${rcs[$s]}" == 0 ]] || failed+=("$s")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  die "not ready: ${failed[*]} (see the log tails above; logs are under $EMPORIA_LOCAL_DIR)"
fi
log "ready: ${services[*]} in $(elapsed "$started")"
log "connection settings: eval \"\$(bash deploy/local/env.sh)\""
