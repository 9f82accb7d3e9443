#!/usr/bin/env bash
# Sets the roles of an account of the platform `npm start` runs, e.g. the first admin:
#   bash tools/grant-roles.sh admin@example.cn customer,operator,admin
# (afterwards an admin changes roles with PUT /v1/admin/accounts/{id}/roles).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -ne 2 ]]; then
  echo "usage: $0 <email|phone> <roles, comma-separated: customer,agent,operator,admin>" >&2
  exit 2
fi
source tools/local-env.sh
exec node -r @swc-node/register apps/user/src/main.ts grant-roles "$1" "$2"
