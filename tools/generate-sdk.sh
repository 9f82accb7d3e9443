#!/usr/bin/env bash
# Regenerates the typed client's generated part (libs/sdk) from the gateway's OpenAPI document,
# built from its controllers without servers: libs/sdk/openapi.json, and in libs/sdk/src/gen the
# types (openapi-typescript) and the route facts. Never edit them by hand.
# Usage: tools/generate-sdk.sh [--check]   (--check fails if the committed files are stale)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/gen"
node -r @swc-node/register apps/gateway/src/openapi-export.ts "$tmp/openapi.json" "$tmp/gen/routes.ts"
# the types: from the document with the Idempotency-Key header optional, since the client makes one
# for each call that has none (a caller passes its own to retry a write safely)
node -e '
  const fs = require("fs");
  const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  for (const item of Object.values(doc.paths))
    for (const op of Object.values(item))
      for (const p of op.parameters ?? [])
        if (p.in === "header" && p.name === "Idempotency-Key") p.required = false;
  fs.writeFileSync(process.argv[2], JSON.stringify(doc));
' "$tmp/openapi.json" "$tmp/for-types.json"
node_modules/.bin/openapi-typescript "$tmp/for-types.json" -o "$tmp/gen/openapi.ts" --root-types --alphabetize >/dev/null 2>"$tmp/log" ||
  { cat "$tmp/log" >&2; exit 1; }
node_modules/.bin/prettier --log-level warn --config "$(node_modules/.bin/prettier --find-config-path package.json)" --write "$tmp/gen/routes.ts"
if [[ "${1:-}" == "--check" ]]; then
  stale=0
  diff -q "$tmp/openapi.json" libs/sdk/openapi.json >/dev/null 2>&1 || stale=1
  diff -rq "$tmp/gen" libs/sdk/src/gen >/dev/null 2>&1 || stale=1
  if [[ $stale -ne 0 ]]; then
    echo "libs/sdk is stale: run 'npm run generate' and commit the result" >&2
    diff -u libs/sdk/openapi.json "$tmp/openapi.json" 2>&1 | head -40 >&2 || true
    diff -ru libs/sdk/src/gen "$tmp/gen" 2>&1 | head -40 >&2 || true
    exit 1
  fi
  echo "sdk: generated client is up to date"
else
  rm -rf libs/sdk/src/gen
  mkdir -p libs/sdk/src/gen
  cp "$tmp/openapi.json" libs/sdk/openapi.json
  cp "$tmp/gen/"* libs/sdk/src/gen/
  echo "sdk: generated libs/sdk/openapi.json and libs/sdk/src/gen"
fi
