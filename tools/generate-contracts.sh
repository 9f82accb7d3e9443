#!/usr/bin/env bash
# Regenerates libs/contracts/src/gen from proto/ with buf + ts-proto. Never edit gen/ by hand.
# Usage: tools/generate-contracts.sh [--check]   (--check fails if the committed code is stale)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/proto"
out="$root/libs/contracts/src/gen"
if [[ "${1:-}" == "--check" ]]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  sed "s|out: ../libs/contracts/src/gen|out: $tmp|" buf.gen.yaml > "$tmp/buf.gen.yaml"
  "$root/node_modules/.bin/buf" generate --template "$tmp/buf.gen.yaml"
  rm "$tmp/buf.gen.yaml"
  if ! diff -r "$tmp" "$out" >/dev/null; then
    echo "libs/contracts/src/gen is stale: run 'npm run generate' and commit the result" >&2
    diff -r "$tmp" "$out" | head -40 >&2
    exit 1
  fi
  echo "contracts: generated code is up to date"
else
  rm -rf "$out"
  "$root/node_modules/.bin/buf" generate
  echo "contracts: generated into libs/contracts/src/gen"
fi
