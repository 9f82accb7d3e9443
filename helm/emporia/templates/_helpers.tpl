{{/*
Helpers shared by every template. Per-service templates call them with
(dict "root" $ "name" <service name> "svc" <the service's values>).
*/}}

{{- define "emporia.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-emporia, or the release name when it already contains the chart name. */}}
{{- define "emporia.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of a service's resources (Deployment, Service, ConfigMap, ...): <fullname>-<service>. */}}
{{- define "emporia.serviceName" -}}
{{- printf "%s-%s" (include "emporia.fullname" .root) .name -}}
{{- end -}}

{{- define "emporia.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/part-of: emporia
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of one service's pods. */}}
{{- define "emporia.selectorLabels" -}}
app.kubernetes.io/name: {{ include "emporia.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "emporia.labels" -}}
{{ include "emporia.commonLabels" .root }}
{{ include "emporia.selectorLabels" . }}
{{- end -}}

{{/* <repository>/<service>:<tag>; a service's own image.repository / image.tag win. */}}
{{- define "emporia.image" -}}
{{- $repo := .svc.image.repository | default (printf "%s/%s" .root.Values.image.repository .name) -}}
{{- $tag := .svc.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{- define "emporia.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "emporia.fullname" .)) -}}
{{- end -}}

{{/*
The plain (non-secret) environment of a service, as a YAML map: its ports, NODE_ENV,
LOG_LEVEL, the Kafka and Elasticsearch addresses it uses, the gRPC addresses of its backends
(<SERVICE>_GRPC_URL), tracing (OTEL_* when tracing.otlpEndpoint is set; SERVICE_VERSION, the
image tag), then its own `env`, which wins. Names follow apps/<service>/src/config.ts
(checked by tools/deploy-check.spec.ts). The ConfigMap holds it for the Deployment; the
migration Job, which runs before the ConfigMap exists, gets it inline.
*/}}
{{- define "emporia.env" -}}
{{- $root := .root -}}
{{- $prefix := upper .name -}}
{{- $env := dict "NODE_ENV" $root.Values.nodeEnv "LOG_LEVEL" $root.Values.logLevel -}}
{{- $_ := set $env (printf "%s_HTTP_PORT" $prefix) (toString .svc.ports.http) -}}
{{- if .svc.ports.grpc -}}
{{- $_ := set $env (printf "%s_GRPC_PORT" $prefix) (toString .svc.ports.grpc) -}}
{{- end -}}
{{- if .svc.ports.ops -}}
{{- $_ := set $env (printf "%s_OPS_PORT" $prefix) (toString .svc.ports.ops) -}}
{{- end -}}
{{- if .svc.kafka -}}
{{- $_ := set $env "KAFKA_BROKERS" $root.Values.kafka.brokers -}}
{{- $_ := set $env "KAFKA_TOPIC_PREFIX" $root.Values.kafka.topicPrefix -}}
{{- end -}}
{{- if .svc.elasticsearch -}}
{{- $_ := set $env "ELASTICSEARCH_URL" $root.Values.elasticsearch.url -}}
{{- end -}}
{{- range $backend := .svc.grpcBackends -}}
{{- $b := index $root.Values.services $backend -}}
{{- if not $b.enabled -}}
{{- fail (printf "services.%s.grpcBackends names %s, which is not enabled" $.name $backend) -}}
{{- end -}}
{{- $host := include "emporia.serviceName" (dict "root" $root "name" $backend) -}}
{{- $_ := set $env (printf "%s_GRPC_URL" (upper $backend)) (printf "%s-grpc:%v" $host $b.ports.grpc) -}}
{{- end -}}
{{- with $root.Values.tracing -}}
{{- if .otlpEndpoint -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" .otlpEndpoint -}}
{{- $_ := set $env "OTEL_TRACES_SAMPLER_ARG" (toString .sampleRatio) -}}
{{- end -}}
{{- end -}}
{{- $_ := set $env "SERVICE_VERSION" (toString (.svc.image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion)) -}}
{{- range $k, $v := .svc.env -}}
{{- $_ := set $env $k $v -}}
{{- end -}}
{{- range $k, $v := .svc.secretEnv -}}
{{- $_ := unset $env $k -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* The pod's name and namespace (downward API): the traces' k8s.pod.name and k8s.namespace.name. */}}
{{- define "emporia.podEnv" -}}
- name: POD_NAME
  valueFrom: { fieldRef: { fieldPath: metadata.name } }
- name: POD_NAMESPACE
  valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
{{- end -}}

{{/* env entries read from the Secret (`secretEnv`: variable -> key). */}}
{{- define "emporia.secretEnv" -}}
{{- $secret := include "emporia.secretName" .root -}}
{{- range $var, $key := .svc.secretEnv }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
{{- end }}
{{- end -}}

{{- define "emporia.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "emporia.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
Probes on the ops endpoints (libs/platform health.ts): on the http port of a backend, on the
gateway's own ops port (its http port is the public API). /healthz (alive) for start-up and
liveness, /readyz (dependencies answer, 503 while shutting down) for readiness.
*/}}
{{- define "emporia.opsPortName" -}}
{{- if .svc.ports.ops }}ops{{ else }}http{{ end -}}
{{- end -}}

{{- define "emporia.probes" -}}
{{- $p := .root.Values.probes -}}
{{- $port := include "emporia.opsPortName" . -}}
startupProbe:
  httpGet: { path: /healthz, port: {{ $port }} }
  periodSeconds: 2
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.startupFailureThreshold }}
livenessProbe:
  httpGet: { path: /healthz, port: {{ $port }} }
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.livenessFailureThreshold }}
readinessProbe:
  httpGet: { path: /readyz, port: {{ $port }} }
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.readinessFailureThreshold }}
{{- end -}}

{{/* Services whose pods call `.name` over gRPC (their grpcBackends name it). */}}
{{- define "emporia.grpcClients" -}}
{{- $clients := list -}}
{{- range $client, $c := .root.Values.services -}}
{{- if and $c.enabled (has $.name ($c.grpcBackends | default list)) -}}
{{- $clients = append $clients $client -}}
{{- end -}}
{{- end -}}
{{- toJson $clients -}}
{{- end -}}
