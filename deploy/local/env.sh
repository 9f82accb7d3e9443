#!/usr/bin/env bash
# Connection settings of the local servers, as shell 'export' lines:
#   eval "$(bash deploy/local/env.sh)"
# Honors the same port overrides (EMPORIA_PG_PORT, ...) as the other scripts.
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
cat <<OUT
export POSTGRES_URL=postgres://postgres:postgres@127.0.0.1:${EMPORIA_PG_PORT}/postgres
export REDIS_URL=redis://127.0.0.1:${EMPORIA_REDIS_PORT}
export KAFKA_BROKERS=127.0.0.1:${EMPORIA_KAFKA_PORT}
export ELASTICSEARCH_URL=http://127.0.0.1:${EMPORIA_ES_PORT}
export SMTP_SINK_URL=smtp://127.0.0.1:${EMPORIA_SMTP_PORT}
export MAIL_SINK_API_URL=http://127.0.0.1:${EMPORIA_MAILPIT_HTTP_PORT}
OUT
