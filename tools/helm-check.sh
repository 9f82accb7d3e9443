#!/usr/bin/env bash
# The deployment checks (npm test runs them; bash tools/helm-check.sh runs them alone):
#  1. the Go tools: helm, kubeconform, deploy-lint, promtool (tools/go-tools.sh builds them once)
#  2. the chart: helm lint --strict and helm template with the default values and
#     ci/production-values.yaml (monitoring on), the output validated by kubeconform -strict
#     against the JSON schemas vendored in deploy/kubernetes-json-schema (no download): the
#     Kubernetes kinds', and the prometheus-operator CRDs' (ServiceMonitor, PrometheusRule)
#  3. bad values are refused: every helm/test/invalid/*.yaml must fail with its "# expect:"
#  4. the README's values table is generated from values.schema.json and values.yaml
#  5. tools/deploy.spec.ts (jest): chart, docker-compose.yml (as compose-go loads it) and
#     Dockerfile (BuildKit's checks) against each app's config schema and ops endpoints;
#     tools/monitoring.spec.ts: promtool check rules on the alert rules and the dashboards'
#     queries, promtool test rules on deploy/monitoring/alerts.test.yaml
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
KUBE_VERSION=1.30.0 # the version of the vendored schemas
bin="$root/.local/bin"
out="$root/.local/helm-check"
step() { printf '\n==> %s\n' "$*"; }
started=$SECONDS

step "deploy: Go tools (helm, kubeconform, deploy-lint, promtool)"
bash tools/go-tools.sh helm kubeconform deploy-lint promtool
"$bin/helm" version --short

rm -rf "$out" && mkdir -p "$out"
schemas="$root/deploy/kubernetes-json-schema/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
# custom resources, in kubeconform's CRD layout (tools/vendor-crd-schemas.py)
crd_schemas="$root/deploy/kubernetes-json-schema/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
for profile in default production; do
  values=()
  [[ $profile == production ]] && values=(-f helm/emporia/ci/production-values.yaml)
  step "deploy: helm lint --strict, helm template, kubeconform ($profile values)"
  "$bin/helm" lint --strict --quiet --kube-version "$KUBE_VERSION" helm/emporia "${values[@]}"
  "$bin/helm" template emporia helm/emporia --kube-version "$KUBE_VERSION" -n emporia "${values[@]}" \
    >"$out/$profile.yaml"
  # -strict: no property the schema lacks; a kind without a vendored schema is an error.
  "$bin/kubeconform" -strict -summary -kubernetes-version "$KUBE_VERSION" \
    -schema-location "$schemas" -schema-location "$crd_schemas" "$out/$profile.yaml"
done

step "deploy: bad values are refused"
failed=0
for f in helm/test/invalid/*.yaml; do
  expect=$(sed -n '1s/^# expect: //p' "$f")
  [[ -n $expect ]] || { echo "$f: the first line must be '# expect: <part of the error>'" >&2; failed=1; continue; }
  if msg=$("$bin/helm" template emporia helm/emporia --kube-version "$KUBE_VERSION" -f "$f" 2>&1 >/dev/null); then
    echo "FAIL $f: accepted" >&2; failed=1
  elif [[ $msg != *"$expect"* ]]; then
    echo "FAIL $f: refused, but not for '$expect':" >&2; echo "$msg" | head -5 >&2; failed=1
  else
    echo "ok   $f"
  fi
done
((failed == 0))

step "deploy: README values table is current"
node -r @swc-node/register tools/values-table.ts --check

step "deploy: chart, compose file and Dockerfile against the apps (jest)"
node_modules/.bin/jest --config tools/jest.deploy.config.js --ci

echo "deploy checks passed in $((SECONDS - started)) s"
