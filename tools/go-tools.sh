#!/usr/bin/env bash
# Builds the Go tools of the deployment checks into .local/bin (gitignored), from the Go module
# proxy with this machine's Go, at pinned versions; a tool is rebuilt only when its version (or,
# for deploy-lint, its source) changes. The first build takes a few minutes, then nothing.
#   helm         helm.sh/helm/v3                       lint and render the chart
#   kubeconform  github.com/yannh/kubeconform          validate manifests against JSON schemas
#   deploy-lint  tools/deploy-lint (compose-go, BuildKit): docker-compose.yml and Dockerfile
#   mailpit      github.com/axllent/mailpit            the local mail sink (deploy/local/mailpit.sh)
#   toxiproxy    github.com/Shopify/toxiproxy/v2       the fault proxy of the chaos suite (deploy/local/toxiproxy.sh)
#   promtool     github.com/prometheus/prometheus      check and unit-test the chart's alert rules
#   jaeger       github.com/jaegertracing/jaeger       the trace store of the tracing tests (deploy/local/jaeger.sh)
#
# usage: tools/go-tools.sh [helm|kubeconform|deploy-lint|mailpit|toxiproxy|promtool|jaeger ...]   (no name: all)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.local/bin"
HELM_VERSION=v3.21.4
HELM_KUBE_MINOR=36 # the k8s.io/client-go minor of that helm: its default .Capabilities.KubeVersion
KUBECONFORM_VERSION=v0.7.0
MAILPIT_VERSION=v1.33.1 # also the axllent/mailpit image of docker-compose.yml and libs/testing
TOXIPROXY_VERSION=v2.5.0 # the newest the Go module proxy serves
PROMETHEUS_VERSION=v0.316.0 # the Go module of Prometheus 3.16.0 (v0.3MM.P is release 3.MM.P)
JAEGER_VERSION=v1.75.0 # tools/jaeger/go.mod pins it; the module's cmd/jaeger is Jaeger v2 (OTLP in, query API out)

all=(helm kubeconform deploy-lint mailpit toxiproxy promtool jaeger)
wanted=("$@")
[[ $# -gt 0 ]] || wanted=("${all[@]}")
for w in "${wanted[@]}"; do
  [[ " ${all[*]} " == *" $w "* ]] || { echo "go-tools: unknown tool '$w' (known: ${all[*]})" >&2; exit 2; }
done
want() { [[ " ${wanted[*]} " == *" $1 "* ]]; }

command -v go >/dev/null || { echo "go-tools: Go (>= 1.24) is needed to build ${wanted[*]}" >&2; exit 1; }
mkdir -p "$bin"
exec 9>"$bin/.go-tools.lock"
flock 9 # one build at a time when several test runs start together

# install NAME STAMP BUILD-COMMAND...: runs the build unless .local/bin/NAME was built from STAMP
install() {
  local name=$1 stamp=$2; shift 2
  if [[ -x "$bin/$name" && "$(cat "$bin/.$name.stamp" 2>/dev/null)" == "$stamp" ]]; then return; fi
  echo "go-tools: building $name ($stamp)"
  local started=$SECONDS
  "$@"
  echo "$stamp" >"$bin/.$name.stamp"
  echo "go-tools: $name built in $((SECONDS - started)) s"
}

export CGO_ENABLED=0
want helm && install helm "$HELM_VERSION" env GOBIN="$bin" go install -trimpath -ldflags "-s -w \
  -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
  -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_KUBE_MINOR \
  -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_KUBE_MINOR" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
want kubeconform && install kubeconform "$KUBECONFORM_VERSION" env GOBIN="$bin" go install -trimpath -ldflags "-s -w" \
  "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
if want deploy-lint; then
  lint_src=$(cat "$root"/tools/deploy-lint/{go.mod,go.sum,main.go} | sha256sum | cut -c1-16)
  install deploy-lint "$lint_src" bash -c "cd '$root/tools/deploy-lint' && go build -trimpath -ldflags '-s -w' -o '$bin/deploy-lint' ."
fi
# `go install` replaces the file (a running mail sink keeps its old binary until restarted); the
# version is stamped in as the project's own release build does (mailpit version).
want mailpit && install mailpit "$MAILPIT_VERSION" env GOBIN="$bin" go install -trimpath \
  -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=$MAILPIT_VERSION" \
  "github.com/axllent/mailpit@$MAILPIT_VERSION"
# cmd/server installs as `server`: built into a scratch GOBIN, then moved to the name
# deploy/local/toxiproxy.sh runs; the version is stamped in as the project's Makefile does.
want toxiproxy && install toxiproxy-server "$TOXIPROXY_VERSION" bash -c "gobin=\$(mktemp -d) && \
  GOBIN=\"\$gobin\" go install -trimpath -ldflags '-s -w -X github.com/Shopify/toxiproxy/v2.Version=$TOXIPROXY_VERSION' \
    'github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION' && mv \"\$gobin/server\" '$bin/toxiproxy-server'; \
  rc=\$?; rm -rf \"\$gobin\"; exit \$rc"
# promtool: the rule checker and rule unit-test runner (tools/monitoring.spec.ts); the version is
# stamped in as Prometheus's own release build does (promtool --version).
want promtool && install promtool "$PROMETHEUS_VERSION" env GOBIN="$bin" go install -trimpath -ldflags "-s -w \
  -X github.com/prometheus/common/version.Version=3.${PROMETHEUS_VERSION#v0.3} -X github.com/prometheus/common/version.Branch=HEAD" \
  "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
# jaeger: the all-in-one trace store (memory storage) of e2e/tracing.int-spec.ts. Its module has
# replace directives, which `go install pkg@version` refuses: tools/jaeger is a module whose only
# content is the pinned tool (go get -tool …@$JAEGER_VERSION), built from its go.sum.
if want jaeger; then
  jaeger_src=$(cat "$root"/tools/jaeger/{go.mod,go.sum} | sha256sum | cut -c1-16)
  install jaeger "$JAEGER_VERSION-$jaeger_src" bash -c "cd '$root/tools/jaeger' && \
    go build -trimpath -ldflags '-s -w' -o '$bin/jaeger' github.com/jaegertracing/jaeger/cmd/jaeger"
fi
exit 0
