{{/*
Helpers of the monitoring templates (servicemonitor.yaml, prometheusrule.yaml). The rules
select the release's own series: its namespace, and the jobs its ServiceMonitors make (the
Services' names, <fullname>-<service>), so two releases in one Prometheus never mix.
*/}}

{{/* PromQL matchers of every enabled service of the release: namespace="…",job=~"…|…". */}}
{{- define "emporia.monitoring.matchers" -}}
{{- $jobs := list -}}
{{- range $name, $svc := .Values.services -}}
{{- if $svc.enabled -}}
{{- $jobs = append $jobs (include "emporia.serviceName" (dict "root" $ "name" $name)) -}}
{{- end -}}
{{- end -}}
namespace="{{ .Release.Namespace }}",job=~"{{ join "|" $jobs }}"
{{- end -}}

{{/* PromQL matchers of one service (dict "root" $ "name" <service>). */}}
{{- define "emporia.monitoring.serviceMatchers" -}}
namespace="{{ .root.Release.Namespace }}",job="{{ include "emporia.serviceName" . }}"
{{- end -}}

{{/* An alert's runbook_url: <runbookBaseUrl>#<alert name in lower case> (docs/runbooks.md). */}}
{{- define "emporia.monitoring.runbook" -}}
{{ .root.Values.monitoring.runbookBaseUrl }}#{{ lower .alert }}
{{- end -}}

{{/*
An SLO's error ratio recorded over the windows its alerts read, as emporia:slo_errors:ratio_rate<w>
with an `slo` label, and its objective as emporia:slo_objective:ratio (for the dashboards).
(dict "root" $ "slo" <name> "job" <its job> "target" <percent> "total" <selector of all events>
and either "bad" <selector of the bad ones> or "good" <selector of the good ones>; selectors
with their braces). No bad event yet (no 5xx series) is a ratio of 0, not none.
*/}}
{{- define "emporia.monitoring.sloRecords" -}}
{{- range $w := list "5m" "30m" "1h" "2h" "6h" "1d" "3d" }}
- record: emporia:slo_errors:ratio_rate{{ $w }}
  labels: { slo: {{ $.slo }} }
  expr: |
    {{- if $.good }}
    1 - (
      sum by (namespace, job) (rate({{ $.good }}[{{ $w }}]))
      /
      sum by (namespace, job) (rate({{ $.total }}[{{ $w }}]))
    )
    {{- else }}
    (
      sum by (namespace, job) (rate({{ $.bad }}[{{ $w }}]))
      or
      0 * sum by (namespace, job) (rate({{ $.total }}[{{ $w }}]))
    )
    /
    sum by (namespace, job) (rate({{ $.total }}[{{ $w }}]))
    {{- end }}
{{- end }}
- record: emporia:slo_objective:ratio
  labels: { slo: {{ .slo }}, namespace: {{ .root.Release.Namespace }}, job: {{ .job }} }
  expr: vector({{ .target }} / 100)
{{- end -}}

{{/*
The four multi-window multi-burn-rate alerts of an SLO (Google SRE workbook, "Alerting on
SLOs", 30-day budget): page at 14.4x the budget rate over 1h and 5m, or 6x over 6h and 30m;
ticket at 3x over 1d and 2h, or 1x over 3d and 6h. The short window ends the alert soon after
the burn stops. (dict "root" $ "alert" <name> "slo" <name> "matchers" … "target" <percent>
"bad" <what a bad event is, in words> "title" <the SLO, in words>)
*/}}
{{- define "emporia.monitoring.burnAlerts" -}}
{{- $budget := subf 100 .target }}
{{- range $w := list
  (list "page" "1h" "5m" "14.4" "2 days")
  (list "page" "6h" "30m" "6" "5 days")
  (list "ticket" "1d" "2h" "3" "10 days")
  (list "ticket" "3d" "6h" "1" "30 days") }}
{{- $severity := index $w 0 }}{{ $long := index $w 1 }}{{ $short := index $w 2 }}{{ $factor := index $w 3 }}
{{- $sel := printf "{%s,slo=\"%s\"}" $.matchers $.slo }}
- alert: {{ $.alert }}
  expr: |
    emporia:slo_errors:ratio_rate{{ $long }}{{ $sel }} > {{ $factor }} * (100 - {{ $.target }}) / 100
    and
    emporia:slo_errors:ratio_rate{{ $short }}{{ $sel }} > {{ $factor }} * (100 - {{ $.target }}) / 100
  labels:
    severity: {{ $severity }}
    long_window: {{ $long }}
    short_window: {{ $short }}
  annotations:
    summary: >-
      {{ $.title }} ({{ $.target }} %): error budget burn rate above {{ $factor }} over {{ $long }} and {{ $short }}
    description: >-
      {{`{{ $value | humanizePercentage }}`}} {{ $.bad }} over the last {{ $long }}, and more than
      {{ printf "%.4g" (mulf $factor $budget) }} % over the last {{ $short }} too ({{`{{ $labels.job }}`}} in
      {{`{{ $labels.namespace }}`}}). The SLO allows {{ printf "%.4g" $budget }} %: at {{ $factor }}x that
      rate the 30-day error budget is gone in {{ index $w 4 }}.
    runbook_url: {{ include "emporia.monitoring.runbook" (dict "root" $.root "alert" $.alert) }}
{{- end }}
{{- end -}}
