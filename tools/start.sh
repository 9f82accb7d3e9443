#!/usr/bin/env bash
# Runs the platform on this machine: real Postgres, Kafka and Elasticsearch as local processes
# (deploy/local), then catalog, search, user, order, marketing, risk, analytics, support, review and
# the gateway. Ctrl-C stops the services (the servers keep running; `bash deploy/local/down.sh`
# stops them).
#   gateway  http://127.0.0.1:8080  (API docs at /docs; /healthz, /readyz, /metrics on :8090)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

bash deploy/local/up.sh postgres redis kafka elasticsearch
source tools/local-env.sh

# The sandbox payment provider (for the README's tour) and carrier webhooks need HMAC keys. No
# key is published: random ones are made once per machine into .local (mode 600) and kept, so
# callbacks and webhooks you signed with them keep working across restarts. Variables already
# set in the environment win.
secrets=.local/order-secrets.env
if [[ ! -s $secrets ]]; then
  key() { node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))"; }
  (umask 077 && printf 'PAYMENT_SANDBOX_SECRET=%s\nCARRIER_WEBHOOK_SECRET=%s\n' "$(key)" "$(key)" >"$secrets")
fi
chmod 600 "$secrets"
while IFS='=' read -r name value; do
  if [[ -n $name && -z ${!name:-} ]]; then export "$name=$value"; fi
done <"$secrets"
export PAYMENT_SANDBOX_ENABLED="${PAYMENT_SANDBOX_ENABLED:-true}"

logs=.local/logs; mkdir -p "$logs"
run() { node -r @swc-node/register "apps/$1/src/main.ts" "${@:2}"; }

echo "==> migrating the catalog, user, order, marketing, risk, analytics, support and review databases"
run catalog migrate
run user migrate
run order migrate
run marketing migrate
run risk migrate
run analytics migrate
run support migrate
run review migrate

pids=()
cleanup() { trap - INT TERM EXIT; kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT
# support calls order and user; review calls order, user and risk (none is a readiness check of
# theirs); the gateway calls them all
for svc in catalog search user order marketing risk analytics support review gateway; do
  run "$svc" >"$logs/$svc.log" 2>&1 &
  pids+=($!)
done

echo "==> waiting for readiness"
# the backends' ops endpoints are on their HTTP ports, the gateway's on its ops port (8090)
for port in 8081 8082 8083 8084 8085 8086 8087 8088 8089 8090; do
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
  logs      $logs/{catalog,search,user,order,marketing,risk,analytics,support,review,gateway}.log
  secrets   $secrets (the sandbox's and carriers' HMAC keys)
Ctrl-C stops the services.
MSG
wait -n "${pids[@]}"
echo "a service exited; see $logs/" >&2
exit 1
