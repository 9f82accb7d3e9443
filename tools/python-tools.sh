#!/usr/bin/env bash
# Installs the test suite's Python tools (tools/python-requirements.txt: schemathesis, which
# fuzzes the gateway's OpenAPI in e2e/api-fuzz.int-spec.ts) into a virtual environment at
# .local/python, from PyPI, with this machine's python3 (>= 3.10). Reinstalled only when the
# requirements change; prints nothing when there is nothing to do.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.local/python"
req="$root/tools/python-requirements.txt"
stamp=$(sha256sum "$req" | cut -c1-16)

command -v python3 >/dev/null || { echo "python-tools: python3 (>= 3.10) is needed for schemathesis" >&2; exit 1; }
mkdir -p "$root/.local"
exec 9>"$root/.local/.python-tools.lock"
flock 9 # one install at a time when several test runs start together
# a venv that does not run (moved, or its python gone) is made again, like a stale one
if [[ "$(cat "$venv/.stamp" 2>/dev/null)" == "$stamp" ]] && "$venv/bin/st" --version >/dev/null 2>&1; then exit 0; fi

echo "python-tools: installing $(grep -m1 '^schemathesis' "$req") into .local/python"
started=$SECONDS
rm -rf "$venv"
python3 -m venv "$venv" || {
  echo "python-tools: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
  exit 1
}
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$req"
"$venv/bin/st" --version
echo "$stamp" >"$venv/.stamp"
echo "python-tools: installed in $((SECONDS - started)) s"
