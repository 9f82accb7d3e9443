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
step "typed client: libs/sdk is current with the gateway's OpenAPI"
bash tools/generate-sdk.sh --check

step "typecheck"
node_modules/.bin/tsc -p tsconfig.json --noEmit
node_modules/.bin/tsc -p apps/console/tsconfig.json --noEmit
node_modules/.bin/tsc -p apps/console/tsconfig.spec.json --noEmit

step "format (prettier)"
node_modules/.bin/prettier --check "apps/**/*.{ts,tsx}" "libs/**/*.ts" "e2e/**/*.ts" "bench/**/*.ts" >/dev/null || {
  echo "files are not formatted: run 'npx prettier --write \"{apps,libs,e2e,bench}/**/*.{ts,tsx}\"'" >&2
  node_modules/.bin/prettier --list-different "apps/**/*.{ts,tsx}" "libs/**/*.ts" "e2e/**/*.ts" "bench/**/*.ts" >&2
  exit 1
}

step "lint"
NX_DAEMON=false node_modules/.bin/nx show projects >/dev/null
node_modules/.bin/eslint . --max-warnings=0

bash tools/helm-check.sh

# the tracing suite's trace store (e2e/tracing.int-spec.ts): built here, once, not inside a test's
# time limit (a first build takes a few minutes)
step "tools: Jaeger (tools/go-tools.sh jaeger)"
bash tools/go-tools.sh jaeger

# the operator console, served by the gateway at /admin: its browser tests need the build
step "console: build (vite) and Chromium for its browser tests"
npm run --silent build:console
bash deploy/local/chromium.sh install

step "jest (unit, integration, end-to-end)"
# jest writes its report and summary on stderr: on stdout with the rest, so a log of stdout alone
# (CI) has the runner's summary too; then one plain closing line with the counts from jest's JSON
# results (`tests: N passed, N failed, N skipped`), the last line of the run.
# The whole suite runs in two jest runs: everything but the heavy suites on two workers, then the
# heavy suites (a whole platform twice over, or under load and faults) one at a time on an
# otherwise idle machine (jest.config.js, EMPORIA_JEST_HEAVY). With arguments, one run of what
# they select.
mkdir -p .local
results=()
status=0
run_jest() { # results-file, jest arguments...
  local out="$1"
  shift
  rm -f "$out"
  results+=("$out")
  node_modules/.bin/jest --ci --json --outputFile="$out" "$@" 2>&1 || status=$?
}
if [[ $# -eq 0 ]]; then
  EMPORIA_JEST_HEAVY=skip run_jest .local/jest-results.json --maxWorkers=2
  step "jest: the heavy suites, one at a time"
  EMPORIA_JEST_HEAVY=only run_jest .local/jest-results-heavy.json --runInBand
else
  run_jest .local/jest-results.json --maxWorkers=2 "$@"
fi
node -e '
  const fs = require("fs");
  const runs = process.argv.slice(1).filter((f) => fs.existsSync(f) && fs.statSync(f).size > 0);
  if (runs.length === 0) process.exit(0);
  const sum = (k) => runs.reduce((n, f) => n + JSON.parse(fs.readFileSync(f, "utf8"))[k], 0);
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
' "${results[@]}"
exit "$status"
