#!/usr/bin/env bash
# Runs the platform on this machine: real Postgres, Redis, Kafka and Elasticsearch and the Mailpit
# mail sink as local processes (deploy/local), then catalog, search, user, order, marketing, risk,
# analytics, support, review, notification and the gateway. Ctrl-C stops the services (the servers
# keep running; `bash deploy/local/down.sh` stops them).
#   gateway    http://127.0.0.1:8080   (API docs at /docs, the operator console at /admin;
#                                       /healthz, /readyz, /metrics on :8090)
#   mail sink  http://127.0.0.1:58025  (Mailpit: every e-mail the notification service sends)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

bash deploy/local/up.sh postgres redis kafka elasticsearch mailpit
source tools/local-env.sh

# The sandbox payment provider (for the README's tour), carrier webhooks, the notification
# service's unsubscribe links and its sandbox SMS/push receipts need HMAC keys. No key is
# published: random ones are made once per machine into .local (mode 600) and kept, so callbacks,
# webhooks, links and receipts signed with them keep working across restarts. Variables already
# set in the environment win.
secrets=.local/secrets.env
if [[ ! -s $secrets && -s .local/order-secrets.env ]]; then
  (umask 077 && cp .local/order-secrets.env "$secrets") # its earlier name: the keys are kept
fi
key() { node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))"; }
for name in PAYMENT_SANDBOX_SECRET CARRIER_WEBHOOK_SECRET NOTIFICATION_UNSUBSCRIBE_SECRET NOTIFICATION_SANDBOX_SECRET; do
  grep -q "^$name=" "$secrets" 2>/dev/null || (umask 077 && echo "$name=$(key)" >>"$secrets")
done
chmod 600 "$secrets"
while IFS='=' read -r name value; do
  if [[ -n $name && -z ${!name:-} ]]; then export "$name=$value"; fi
done <"$secrets"
export PAYMENT_SANDBOX_ENABLED="${PAYMENT_SANDBOX_ENABLED:-true}"
# SMS and app pushes go to the sandbox providers, whose signed delivery receipts come back through
# the gateway's public route, as a real provider's would
export NOTIFICATION_SANDBOX_ENABLED="${NOTIFICATION_SANDBOX_ENABLED:-true}"

logs=.local/logs; mkdir -p "$logs"
echo "==> building the operator console (served by the gateway at /admin)"
npm run --silent build:console
run() { node -r @swc-node/register "apps/$1/src/main.ts" "${@:2}"; }

echo "==> migrating the catalog, user, order, marketing, risk, analytics, support, review and notification databases"
run catalog migrate
run user migrate
run order migrate
run marketing migrate
run risk migrate
run analytics migrate
run support migrate
run review migrate
run notification migrate

pids=()
cleanup() { trap - INT TERM EXIT; kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT
# support calls order and user; review calls order, user and risk; notification calls user (none
# is a readiness check of theirs); the gateway calls them all
for svc in catalog search user order marketing risk analytics support review notification gateway; do
  run "$svc" >"$logs/$svc.log" 2>&1 &
  pids+=($!)
done

echo "==> waiting for readiness"
# the backends' ops endpoints are on their HTTP ports, the gateway's on its ops port (8090)
for port in 8081 8082 8083 8084 8085 8086 8087 8088 8089 8091 8090; do
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "a service exited; see $logs/" >&2; tail -n 20 "$logs"/*.log >&2; exit 1; }; done
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "service on :$port not ready; see $logs/" >&2; exit 1; }
done
cat <<MSG

Emporia is running.
  gateway   http://127.0.0.1:8080      API docs: http://127.0.0.1:8080/docs
                                       ops: http://127.0.0.1:8090/readyz (and /healthz, /metrics)
  catalog   gRPC 127.0.0.1:50051       ops: http://127.0.0.1:8081/readyz
  search    gRPC 127.0.0.1:50052       ops: http://127.0.0.1:8082/readyz
  user      gRPC 127.0.0.1:50053       ops: http://127.0.0.1:8083/readyz
  order     gRPC 127.0.0.1:50054       ops: http://127.0.0.1:8084/readyz
  marketing gRPC 127.0.0.1:50055       ops: http://127.0.0.1:8085/readyz
  risk      gRPC 127.0.0.1:50056       ops: http://127.0.0.1:8086/readyz
  analytics gRPC 127.0.0.1:50057       ops: http://127.0.0.1:8087/readyz
  support   gRPC 127.0.0.1:50058       ops: http://127.0.0.1:8088/readyz
  review    gRPC 127.0.0.1:50059       ops: http://127.0.0.1:8089/readyz
  notification gRPC 127.0.0.1:50060    ops: http://127.0.0.1:8091/readyz
  mail sink $MAIL_SINK_API_URL     (Mailpit's UI: every e-mail sent; SMTP ${SMTP_SINK_URL#smtp://})
  logs      $logs/{catalog,search,user,order,marketing,risk,analytics,support,review,notification,gateway}.log
  secrets   $secrets (the payment and SMS/push sandboxes', carriers' and unsubscribe links' HMAC keys)
Ctrl-C stops the services.
MSG
wait -n "${pids[@]}"
echo "a service exited; see $logs/" >&2
exit 1
