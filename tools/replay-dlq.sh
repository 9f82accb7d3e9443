#!/usr/bin/env bash
# Replays dead letters of the platform `npm start` runs, as a service's consumer group sees them:
#   bash tools/replay-dlq.sh user --topic order.order --dry-run
#   bash tools/replay-dlq.sh marketing --topic order.order --limit 10
# (in an image: `node main.js replay-dlq ...`; see README "Replaying dead letters").
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 1 || ! -f "apps/${1:-}/src/main.ts" ]]; then
  echo "usage: $0 <user|marketing|risk|search|order|analytics|catalog|notification> --topic <topic> [--group <g>] [--dry-run] [--limit <n>]" >&2
  exit 2
fi
app="$1"
shift
source tools/local-env.sh
exec node -r @swc-node/register "apps/$app/src/main.ts" replay-dlq "$@"
