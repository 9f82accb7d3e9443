# shellcheck shell=bash
# Default ports of the local servers; each can be overridden by exporting the
# variable before running any deploy/local script. Sourced by lib.sh and env.sh.
EMPORIA_PG_PORT="${EMPORIA_PG_PORT:-55432}"
EMPORIA_REDIS_PORT="${EMPORIA_REDIS_PORT:-56379}"
EMPORIA_KAFKA_PORT="${EMPORIA_KAFKA_PORT:-59092}"
EMPORIA_KAFKA_CONTROLLER_PORT="${EMPORIA_KAFKA_CONTROLLER_PORT:-59093}"
EMPORIA_ES_PORT="${EMPORIA_ES_PORT:-59200}"
EMPORIA_ES_TRANSPORT_PORT="${EMPORIA_ES_TRANSPORT_PORT:-59300}"
