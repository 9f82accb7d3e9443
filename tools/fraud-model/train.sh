#!/usr/bin/env bash
# `npm run fraud-model:train`: the fraud model of the risk service from nothing, in one command.
#  1. a virtual environment at .local/fraud-model/venv with tools/fraud-model/requirements.txt
#     (pinned, from PyPI; this machine's python3 >= 3.11; made again when the pins change)
#  2. the labelled data: tools/fraud-model/generate.ts (seeded simulation replayed through risk's
#     own scoring) → .local/fraud-model/orders.csv
#  3. tools/fraud-model/train.py: fit, ONNX export, held-out report → apps/risk/model/
#     (fraud-model.onnx, fraud-model.card.json, REPORT.md), committed so nothing else trains.
# Knobs: FRAUD_MODEL_SEED (23), FRAUD_MODEL_REVIEW_BUDGET (0.02: the share of orders operators
# review). One thread for the fit (OMP_NUM_THREADS=1): summing histograms in another order on
# another core count would give another model; with it the same seed gives the same file.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
venv="$root/.local/fraud-model/venv"
req="$root/tools/fraud-model/requirements.txt"
data="$root/.local/fraud-model/orders.csv"
seed="${FRAUD_MODEL_SEED:-23}"
budget="${FRAUD_MODEL_REVIEW_BUDGET:-0.02}"
stamp=$(sha256sum "$req" | cut -c1-16)
started=$SECONDS

command -v python3 >/dev/null || { echo "fraud-model: python3 (>= 3.11) is needed" >&2; exit 1; }
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
  { echo "fraud-model: python3 is $(python3 --version 2>&1); 3.11 or later is needed" >&2; exit 1; }
mkdir -p "$root/.local/fraud-model"
if [[ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]] || ! "$venv/bin/python" -c 'import skl2onnx' 2>/dev/null; then
  echo "fraud-model: installing tools/fraud-model/requirements.txt into .local/fraud-model/venv"
  rm -rf "$venv"
  python3 -m venv "$venv" || { echo "fraud-model: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$req"
  echo "$stamp" >"$venv/.stamp"
fi

echo "fraud-model: generating labelled orders (seed $seed)"
node -r @swc-node/register tools/fraud-model/generate.ts --seed "$seed" --out "$data"
echo "fraud-model: training (review budget $budget)"
OMP_NUM_THREADS=1 "$venv/bin/python" tools/fraud-model/train.py \
  --data "$data" --out apps/risk/model --budget "$budget" --seed "$seed"
echo "fraud-model: apps/risk/model/ written in $((SECONDS - started)) s (REPORT.md has the figures)"
