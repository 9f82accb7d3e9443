#!/usr/bin/env bash
# The whole test suite: what `npm test` runs, what CI runs (.ci/run), what the README names.
#  1. contracts: buf lint, buf breaking against the previous commit, generated code up to date
#  2. TypeScript strict type check, ESLint (with Nx module boundaries)
#  3. deployment: Helm chart (lint, kubeconform, refused values), docker-compose.yml and
#     Dockerfile against the apps' config schemas (tools/helm-check.sh; builds its Go tools once)
#  4. jest: unit tests, then integration and end-to-end tests against real Postgres, Redis,
#     Kafka, Elasticsearch and the Mailpit mail sink (servers named by POSTGRES_URL/REDIS_URL/
#     KAFKA_BROKERS/ELASTICSEARCH_URL/SMTP_SINK_URL, else started from deploy/local, else
#     Testcontainers)
# Extra arguments go to jest, e.g. `npm test -- apps/catalog`.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

step "contracts: buf lint"
(cd proto && ../node_modules/.bin/buf lint)
if git rev-parse -q --verify HEAD~1 >/dev/null 2>&1 && git cat-file -e HEAD~1:proto/buf.yaml 2>/dev/null; then
  step "contracts: buf breaking (working tree against the previous commit)"
  (cd proto && ../node_modules/.bin/buf breaking --against '../.git#ref=HEAD~1,subdir=proto')
fi
step "contracts: generated code is current"
bash tools/generate-contracts.sh --check

step "typecheck"
node_modules/.bin/tsc -p tsconfig.json --noEmit

step "format (prettier)"
node_modules/.bin/prettier --check "apps/**/*.ts" "libs/**/*.ts" "e2e/**/*.ts" "bench/**/*.ts" >/dev/null || {
  echo "files are not formatted: run 'npx prettier --write \"{apps,libs,e2e,bench}/**/*.ts\"'" >&2
  node_modules/.bin/prettier --list-different "apps/**/*.ts" "libs/**/*.ts" "e2e/**/*.ts" "bench/**/*.ts" >&2
  exit 1
}

step "lint"
NX_DAEMON=false node_modules/.bin/nx show projects >/dev/null
node_modules/.bin/eslint . --max-warnings=0

bash tools/helm-check.sh

step "jest (unit, integration, end-to-end)"
# jest writes its report and summary on stderr: on stdout with the rest, so a log of stdout alone
# (CI) has the runner's summary too; then one plain closing line with the counts from jest's JSON
# results (`tests: N passed, N failed, N skipped`), the last line of the run
results=.local/jest-results.json
mkdir -p .local && rm -f "$results"
status=0
node_modules/.bin/jest --ci --maxWorkers=2 --json --outputFile="$results" "$@" 2>&1 || status=$?
if [[ -s "$results" ]]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  ' "$results"
fi
exit "$status"
