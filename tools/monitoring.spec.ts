/**
 * The chart's monitoring, checked against the code and with promtool (tools/helm-check.sh runs
 * this after building helm and promtool into .local/bin). Off by default, on in
 * ci/production-values.yaml: ServiceMonitors on the ports that serve /metrics; Grafana dashboards
 * whose queries parse (promtool) and, with the alert rules, read only the metrics of the contract
 * (METRICS, checked against the code); the PrometheusRule passes `promtool check rules`, each
 * alert has its runbook section in docs/runbooks.md, and `promtool test rules` runs
 * deploy/monitoring/alerts.test.yaml against it. The chart itself, docker-compose.yml and the
 * Dockerfile: tools/deploy.spec.ts.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse, stringify } from 'yaml';
import {
  type App,
  appNames,
  chart,
  findIn,
  type K8s,
  loadApp,
  RELEASE,
  render,
  root,
  tool,
  valuesOf,
} from './chart-render';

let apps: App[] = [];
beforeAll(async () => {
  apps = await Promise.all(appNames.map(loadApp));
});

type MetricType = 'counter' | 'gauge' | 'histogram';
/**
 * The metrics the services expose (issue 21's contract), with their labels: the only names the
 * dashboards and rules may read, besides prom-client's default metrics, Prometheus's `up` and
 * the chart's own recording rules.
 */
const METRICS: Record<string, [MetricType, string[]]> = {
  emporia_http_request_duration_seconds: ['histogram', ['method', 'route', 'status']],
  emporia_grpc_server_handled_total: ['counter', ['service', 'method', 'code']],
  emporia_grpc_server_handling_seconds: ['histogram', ['service', 'method']],
  emporia_events_handled_total: ['counter', ['group', 'topic', 'outcome']],
  emporia_events_dead_lettered_total: ['counter', ['group', 'topic']],
  emporia_event_retries_total: ['counter', ['group', 'topic', 'reason']],
  emporia_events_waiting_on_dependency: ['gauge', ['group', 'topic']],
  emporia_event_handle_seconds: ['histogram', ['group', 'topic']],
  emporia_outbox_pending: ['gauge', ['service']],
  emporia_outbox_published_total: ['counter', ['service']],
  emporia_outbox_publish_failures_total: ['counter', ['service']],
  emporia_outbox_oldest_pending_age_seconds: ['gauge', ['service']],
  emporia_rate_limit_decisions_total: ['counter', ['policy', 'outcome']],
  emporia_search_result_cache_total: ['counter', ['outcome']],
  emporia_kafka_consumer_lag: ['gauge', ['group', 'topic']],
  emporia_dead_letter_messages: ['gauge', ['topic']],
  emporia_flash_sale_remaining_units: ['gauge', []],
  emporia_flash_sales_live: ['gauge', []],
  emporia_flash_sale_attempts_total: ['counter', ['outcome']],
  emporia_orders_placed_total: ['counter', ['decision']],
  emporia_orders_paid_total: ['counter', []],
  emporia_gmv_minor_units_total: ['counter', ['currency']],
};

/** Labels of every series scraped through a ServiceMonitor (its `service` label is dropped). */
const TARGET_LABELS = ['namespace', 'job', 'pod', 'instance', 'container', 'endpoint'];

/** Name -> labels of every series a query may read, from the metric types and labels. */
function seriesOf(metrics: [string, MetricType, string[]][]): Map<string, string[]> {
  const series = new Map<string, string[]>();
  for (const [name, type, labels] of metrics) {
    const all = [...labels, ...TARGET_LABELS];
    if (type !== 'histogram') series.set(name, all);
    else {
      series.set(`${name}_bucket`, [...all, 'le']);
      series.set(`${name}_sum`, all);
      series.set(`${name}_count`, all);
    }
  }
  return series;
}

const AGGREGATIONS = new Set(
  'sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio'.split(
    ' ',
  ),
);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OPERATORS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The series selectors of a PromQL expression (metric and matched labels) and its grouping labels. */
function promqlNames(expr: string): {
  selectors: { metric: string; labels: string[] }[];
  grouping: string[];
} {
  const selectors: { metric: string; labels: string[] }[] = [];
  const grouping: string[] = [];
  let i = 0;
  const skipString = () => {
    const quote = expr[i++];
    while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
    i++;
  };
  const matchers = (): string[] => {
    const labels: string[] = [];
    for (i++; i < expr.length && expr[i] !== '}';) {
      if (/["'`]/.test(expr[i]!)) skipString();
      else {
        const name = /^[a-zA-Z_]\w*/.exec(expr.slice(i))?.[0];
        if (name) labels.push(name);
        i += name?.length ?? 1;
      }
    }
    i++;
    return labels;
  };
  while (i < expr.length) {
    const rest = expr.slice(i);
    const word = /^[a-zA-Z_:][\w:]*/.exec(rest)?.[0];
    if (/^["'`]/.test(rest)) skipString();
    else if (rest[0] === '[') i = expr.indexOf(']', i) + 1;
    else if (rest[0] === '{') selectors.push({ metric: '', labels: matchers() });
    else if (/^[0-9.]/.test(rest)) i += /^[0-9.]+(e[+-]?[0-9]+)?[a-z]*/i.exec(rest)![0].length;
    else if (!word) i++;
    else {
      i += word.length;
      const next = expr.slice(i).trimStart()[0];
      if (GROUPING.has(word) && next === '(') {
        const end = expr.indexOf(')', i);
        grouping.push(
          ...expr
            .slice(expr.indexOf('(', i) + 1, end)
            .split(/[\s,]+/)
            .filter(Boolean),
        );
        i = end + 1;
      } else if (!AGGREGATIONS.has(word) && !OPERATORS.has(word.toLowerCase()) && next !== '(') {
        if (next === '{') i = expr.indexOf('{', i);
        selectors.push({ metric: word, labels: next === '{' ? matchers() : [] });
      }
    }
  }
  return { selectors, grouping };
}

/** Problems of an expression: a series outside `series`, or a label none of its series has. */
function promqlProblems(expr: string, series: Map<string, string[]>): string[] {
  const { selectors, grouping } = promqlNames(expr);
  const problems: string[] = [];
  const known = new Set<string>();
  for (const { metric, labels } of selectors) {
    const allowed = series.get(metric);
    if (!allowed) {
      problems.push(`${metric || '{…}'}: not a metric of the contract`);
      continue;
    }
    allowed.forEach((l) => known.add(l));
    for (const l of labels.filter((l) => !allowed.includes(l))) problems.push(`${metric}{${l}}`);
  }
  for (const l of grouping.filter((l) => !known.has(l))) problems.push(`by/on (${l})`);
  return problems;
}

/** GitHub's anchor of a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** Grafana's variables, as values a promtool check can parse. */
const GRAFANA_VARIABLES: [string, string][] = [
  ['$__rate_interval', '5m'],
  ['$namespace', 'shop'],
  ['$service', `${RELEASE}-order`],
];

describe('monitoring', () => {
  const production = [join(chart, 'ci', 'production-values.yaml')];
  let objects: K8s[] = [];
  let rules: K8s;
  let series = new Map<string, string[]>();
  let tmp = '';
  const values = () => valuesOf(production).monitoring;
  const dashboards = () =>
    objects
      .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels[values().dashboards.label])
      .flatMap((cm) =>
        Object.entries(cm.data as Record<string, string>).map(([file, json]) => ({
          cm,
          file,
          model: JSON.parse(json) as K8s,
        })),
      );
  const panelsOf = (panels: K8s[]): K8s[] =>
    panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
  /** Every PromQL of a dashboard: its panels' targets and its variables' label_values(selector). */
  const queriesOf = (model: K8s): { where: string; expr: string }[] => [
    ...panelsOf(model.panels).flatMap((p: K8s) =>
      (p.targets ?? []).map((t: K8s) => ({ where: `${p.title} ${t.refId}`, expr: t.expr })),
    ),
    ...model.templating.list
      .filter((v: K8s) => v.type === 'query')
      .map((v: K8s) => ({
        where: `variable ${v.name}`,
        expr: /^label_values\((.+),\s*\w+\)$/.exec(v.query.query)![1]!,
      })),
  ];
  const alerts = () => rules.groups.flatMap((g: K8s) => g.rules).filter((r: K8s) => r.alert);
  const promtool = (args: string[]): string => {
    const run = spawnSync(tool('promtool'), args, { encoding: 'utf8' });
    if (run.status !== 0)
      throw new Error(`promtool ${args.join(' ')}:\n${run.stdout}${run.stderr}`);
    return run.stdout;
  };
  const writeRules = (name: string, spec: K8s): string => {
    const file = join(tmp, name);
    writeFileSync(file, stringify(spec));
    return file;
  };

  beforeAll(() => {
    objects = render(production);
    rules = objects.find((o) => o.kind === 'PrometheusRule').spec;
    tmp = mkdtempSync(join(tmpdir(), 'emporia-monitoring-'));
    const defaults = new Registry();
    collectDefaultMetrics({ register: defaults });
    const recorded = rules.groups
      .flatMap((g: K8s) => g.rules)
      .filter((r: K8s) => r.record)
      .map((r: K8s): [string, MetricType, string[]] => [r.record, 'gauge', ['slo']]);
    series = seriesOf([
      ...Object.entries(METRICS).map(([n, [t, l]]): [string, MetricType, string[]] => [n, t, l]),
      ...defaults.getMetricsAsArray().map((m): [string, MetricType, string[]] => {
        const { name, type, labelNames } = m as unknown as {
          name: string;
          type: MetricType;
          labelNames: string[];
        };
        return [name, type, labelNames];
      }),
      ['up', 'gauge', []],
      ...recorded,
    ]);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('is off by default: no ServiceMonitor, PrometheusRule or dashboard', () => {
    const kinds = render([]).map((o) => o.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PrometheusRule');
    expect(render([]).filter((o) => o.kind === 'ConfigMap')).toHaveLength(appNames.length);
  });

  test('the contract names what the code registers, with the same labels', () => {
    const sources = ['apps', 'libs']
      .flatMap((d) =>
        readdirSync(join(root, d), { recursive: true, encoding: 'utf8' }).map((f) =>
          join(root, d, f),
        ),
      )
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.includes('src/gen/'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const labelsOf = (list = '') => [...list.matchAll(/'(\w+)'/g)].map((l) => l[1]!);
    const definitions: [string, [string, string[]]][] = [
      // counter('name', 'help', ['label', ...]), gauge(...), histogram(...) of libs/platform
      ...[
        ...sources.matchAll(
          /\b(counter|gauge|histogram)\(\s*'(\w+)',\s*'(?:[^'\\]|\\.)*'(?:,\s*\[([^\]]*)\])?/g,
        ),
      ].map((m): [string, [string, string[]]] => [m[2]!, [m[1]!, labelsOf(m[3])]]),
      // gaugesReadOnScrape({ key: { name: 'name', help: '…' } }): gauges without labels
      ...[...sources.matchAll(/\bname:\s*'(emporia_\w+)',\s*help:/g)].map(
        (m): [string, [string, string[]]] => [m[1]!, ['gauge', []]],
      ),
    ];
    for (const [name, contract] of Object.entries(METRICS)) {
      // a metric the services do not name yet is pending; one they name must be as written
      if (!sources.includes(`'${name}'`)) continue;
      const defined = definitions.filter(([n]) => n === name).map(([, d]) => d);
      expect({ name, defined: defined.length > 0 }).toEqual({ name, defined: true });
      for (const d of defined) expect({ name, defined: d }).toEqual({ name, defined: contract });
    }
  });

  test('a ServiceMonitor per app scrapes /metrics on the port its probes use, which Prometheus may reach', () => {
    const sm = values().serviceMonitor;
    const metricsFrom = valuesOf(production).networkPolicy.metricsFrom;
    expect(metricsFrom.length).toBeGreaterThan(0);
    for (const app of apps) {
      const name = `${RELEASE}-${app.name}`;
      const monitor = findIn(objects, 'ServiceMonitor', name);
      const port = findIn(objects, 'Deployment', name).spec.template.spec.containers[0]
        .readinessProbe.httpGet.port;
      expect({ app: app.name, labels: monitor?.metadata.labels }).toEqual({
        app: app.name,
        labels: expect.objectContaining(sm.labels),
      });
      expect(monitor.spec.endpoints).toEqual([
        {
          port,
          path: '/metrics',
          interval: sm.interval,
          scrapeTimeout: sm.scrapeTimeout,
          relabelings: [{ action: 'labeldrop', regex: 'service' }],
        },
      ]);
      // of the Services it selects, the app's own is the one with that port (not the -grpc one)
      const scraped = objects.filter(
        (o) =>
          o.kind === 'Service' &&
          Object.entries(monitor.spec.selector.matchLabels).every(
            ([k, v]) => o.metadata.labels[k] === v,
          ) &&
          o.spec.ports.some((p: K8s) => p.name === port && p.targetPort === port),
      );
      expect({ app: app.name, scraped: scraped.map((s) => s.metadata.name) }).toEqual({
        app: app.name,
        scraped: [name],
      });
      const policy = findIn(objects, 'NetworkPolicy', name);
      const rule = policy.spec.ingress.find((r: K8s) => r.ports.some((p: K8s) => p.port === port));
      expect({ app: app.name, from: rule?.from }).toEqual({
        app: app.name,
        from: expect.arrayContaining(metricsFrom),
      });
    }
  });

  test('the dashboards are Grafana dashboard models in ConfigMaps for the sidecar', () => {
    const d = values().dashboards;
    const found = dashboards();
    expect(found.map((f) => f.file).sort()).toEqual(readdirSync(join(chart, 'dashboards')).sort());
    expect(found.map((f) => f.model.uid).sort()).toEqual(
      ['checkout', 'flash-sale', 'kafka', 'outbox', 'overview', 'service'].map(
        (n) => `emporia-${n}`,
      ),
    );
    for (const { cm, file, model } of found) {
      expect({
        file,
        label: cm.metadata.labels[d.label],
        folder: cm.metadata.annotations[d.folderAnnotation],
      }).toEqual({
        file,
        label: d.labelValue,
        folder: d.folder,
      });
      expect({ file, schemaVersion: model.schemaVersion }).toEqual({ file, schemaVersion: 39 });
      const [datasource] = model.templating.list;
      expect({ file, datasource: { type: datasource.type, query: datasource.query } }).toEqual({
        file,
        datasource: { type: 'datasource', query: 'prometheus' },
      });
      const ds = { type: 'prometheus', uid: '${datasource}' };
      for (const v of model.templating.list.filter((v: K8s) => v.type === 'query'))
        expect({ file, variable: v.name, datasource: v.datasource }).toEqual({
          file,
          variable: v.name,
          datasource: ds,
        });
      const panels = panelsOf(model.panels);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of panels.filter((p) => p.type !== 'row')) {
        expect({ file, panel: p.title, datasource: p.datasource }).toEqual({
          file,
          panel: p.title,
          datasource: ds,
        });
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets)
          expect({ file, panel: p.title, datasource: t.datasource, expr: typeof t.expr }).toEqual({
            file,
            panel: p.title,
            datasource: ds,
            expr: 'string',
          });
      }
    }
    // the per-service dashboard offers exactly the apps
    const service = found.find((f) => f.model.uid === 'emporia-service')!.model;
    const variable = service.templating.list.find((v: K8s) => v.name === 'service');
    const offered = /\(\?:([^)]+)\)/.exec(variable.regex)![1]!.split('|');
    expect(offered.sort()).toEqual([...appNames].sort());
  });

  test('every dashboard query parses (promtool check rules, each one a recording rule)', () => {
    const records = dashboards().flatMap(({ model }) =>
      queriesOf(model).map((q, i) => {
        const expr = GRAFANA_VARIABLES.reduce((e, [k, v]) => e.split(k).join(v), q.expr);
        expect({ where: q.where, variables: expr.match(/\$\w+/g) }).toEqual({
          where: q.where,
          variables: null,
        });
        return { record: `dashboard:${model.uid.replace(/-/g, '_')}:q${i}`, expr };
      }),
    );
    expect(records.length).toBeGreaterThan(50);
    const file = writeRules('dashboards.yaml', {
      groups: [{ name: 'dashboards', rules: records }],
    });
    expect(promtool(['check', 'rules', file])).toContain(`SUCCESS: ${records.length} rules found`);
  });

  test('dashboards and rules read only the metrics of the contract, by their labels', () => {
    // the reader itself: names, matchers, grouping; strings and ranges skipped
    expect(
      promqlNames(
        'sum by (job) (rate(a_total{x="1",y=~"{2}"}[5m] offset 1h)) / on (job) group_left () max by (z) (b:c) > 1e-4',
      ),
    ).toEqual({
      selectors: [
        { metric: 'a_total', labels: ['x', 'y'] },
        { metric: 'b:c', labels: [] },
      ],
      grouping: ['job', 'job', 'z'],
    });
    expect(
      promqlProblems(
        'rate(emporia_orders_paid_total{decision="x"}[5m]) + emporia_order_paid',
        series,
      ),
    ).toEqual([
      'emporia_orders_paid_total{decision}',
      'emporia_order_paid: not a metric of the contract',
    ]);
    const queries = [
      ...dashboards().flatMap(({ model }) =>
        queriesOf(model).map((q) => ({ where: `${model.uid}: ${q.where}`, expr: q.expr })),
      ),
      ...rules.groups
        .flatMap((g: K8s) => g.rules)
        .map((r: K8s) => ({ where: r.alert ?? r.record, expr: r.expr })),
    ];
    for (const { where, expr } of queries)
      expect({ where, problems: promqlProblems(expr, series) }).toEqual({ where, problems: [] });
  });

  test('the PrometheusRule passes promtool check rules', () => {
    const file = writeRules('rules.yaml', rules);
    expect(promtool(['check', 'rules', file])).toContain('SUCCESS');
  });

  test('every alert has a severity, a summary, a description and a runbook section', () => {
    const runbooks = readFileSync(join(root, 'docs', 'runbooks.md'), 'utf8');
    const sections = [...runbooks.matchAll(/^## (Emporia\w+)$/gm)].map((m) => m[1]!);
    const names = [...new Set(alerts().map((a: K8s) => a.alert as string))];
    expect(sections.sort()).toEqual(names.sort());
    for (const a of alerts()) {
      expect({ alert: a.alert, severity: ['page', 'ticket'].includes(a.labels.severity) }).toEqual({
        alert: a.alert,
        severity: true,
      });
      expect(a.annotations).toEqual({
        summary: expect.stringMatching(/\w/),
        description: expect.stringMatching(/\w/),
        runbook_url: `${values().runbookBaseUrl}#${anchorOf(a.alert)}`,
      });
    }
  });

  test('each alert fires on the series of deploy/monitoring/alerts.test.yaml that call for it, and only there (promtool test rules)', () => {
    const testFile = join(root, 'deploy', 'monitoring', 'alerts.test.yaml');
    const cases = (parse(readFileSync(testFile, 'utf8')) as K8s).tests.flatMap(
      (t: K8s) => t.alert_rule_test ?? [],
    );
    for (const name of new Set(alerts().map((a: K8s) => a.alert as string))) {
      const of = cases.filter((c: K8s) => c.alertname === name);
      expect({
        name,
        fires: of.some((c: K8s) => c.exp_alerts.length > 0),
        silent: of.some((c: K8s) => c.exp_alerts.length === 0),
      }).toEqual({ name, fires: true, silent: true });
    }
    writeRules('rules.yaml', rules);
    copyFileSync(testFile, join(tmp, 'alerts.test.yaml'));
    expect(promtool(['test', 'rules', join(tmp, 'alerts.test.yaml')])).toContain('SUCCESS');
  });

  test('the SLOs follow their values; the latency threshold selects its bucket however Prometheus writes it', () => {
    // (a values file: --set would pass 99.5 as a string)
    const slo = join(tmp, 'slo-values.yaml');
    writeFileSync(
      slo,
      stringify({
        monitoring: {
          prometheusRule: {
            slo: { availability: { target: 99.5 }, checkoutLatency: { thresholdSeconds: 1 } },
          },
        },
      }),
    );
    const spec = render([...production, slo]).find((o) => o.kind === 'PrometheusRule').spec;
    const fast = spec.groups
      .flatMap((g: K8s) => g.rules)
      .find((r: K8s) => r.alert === 'EmporiaGatewayErrorBudgetBurn');
    expect(fast.expr).toContain('> 14.4 * (100 - 99.5) / 100');
    writeRules('threshold-1.yaml', spec);
    // prom-client writes le="1", Prometheus 3 stores it as "1.0"; le="10" must not count
    const checkout =
      'namespace="shop",job="emporia-gateway",method="POST",route="/v1/checkout",status="201"';
    const test = {
      rule_files: ['threshold-1.yaml'],
      tests: ['1', '1.0'].map((le) => ({
        name: `le="${le}"`,
        interval: '1m',
        input_series: [
          {
            series: `emporia_http_request_duration_seconds_bucket{${checkout},le="${le}"}`,
            values: '0+75x10',
          },
          {
            series: `emporia_http_request_duration_seconds_bucket{${checkout},le="10"}`,
            values: '0+100x10',
          },
          {
            series: `emporia_http_request_duration_seconds_count{${checkout}}`,
            values: '0+100x10',
          },
        ],
        promql_expr_test: [
          {
            expr: 'emporia:slo_errors:ratio_rate5m{slo="checkout-latency"}',
            eval_time: '10m',
            exp_samples: [
              {
                labels:
                  'emporia:slo_errors:ratio_rate5m{namespace="shop",job="emporia-gateway",slo="checkout-latency"}',
                value: 0.25,
              },
            ],
          },
        ],
      })),
    };
    const file = writeRules('threshold-1.test.yaml', test);
    expect(promtool(['test', 'rules', file])).toContain('SUCCESS');
  });
});
