/**
 * What the deployment files mean, checked against the apps themselves (tools/helm-check.sh runs
 * this after building helm and deploy-lint into .local/bin):
 *
 * - the Helm chart, rendered with its default and its production-like values: every app in
 *   apps/ has a Deployment whose environment (ConfigMap + Secret references) passes the app's
 *   own config schema (apps/<app>/src/config.ts) and names no variable the schema lacks; ports,
 *   Service, probes on the ops endpoints (the gateway's on its own ops port, which neither the
 *   Ingress nor the API's NetworkPolicy rule opens), gRPC addresses that point at real Services
 *   and get through their NetworkPolicy, a migration hook Job exactly for the apps with
 *   `migrate`, and the security settings;
 * - the ops endpoints the probes use are really served (libs/platform, started here), and on a
 *   separate ops port not on the HTTP port;
 * - docker-compose.yml as `docker compose` loads it (compose-go): a service per app, built
 *   from deploy/docker/Dockerfile, environment accepted by the schema, a /readyz health check
 *   on the app's port, dependencies on what it talks to, one-shot migrations;
 * - deploy/docker/Dockerfile passes BuildKit's checks for every app, runs as a numeric
 *   non-root user, with production dependencies only.
 *
 * The monitoring the chart renders (ServiceMonitors, PrometheusRule, Grafana dashboards) is
 * checked in tools/monitoring.spec.ts; what both files need (the apps' config schemas, the chart
 * rendered with helm, the values, a lookup of objects) is in tools/chart-render.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, PlatformModule, startService } from '@emporia/platform';
import { tracingConfigSchema } from '@emporia/platform/tracing';
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

// ---------------------------------------------------------------------------------------------
// The apps' environments, against the config schemas tools/chart-render.ts loads

/** The port of an app's /healthz, /readyz and /metrics: its own ops port (gateway), else HTTP. */
const opsPort = (app: App, env: Record<string, string>): number =>
  port(app, env, 'OPS') ?? port(app, env, 'HTTP')!;

/** NODE_ENV is read by Node and libraries as well; every other name must be in the schema. */
const RUNTIME_VARIABLES = new Set(['NODE_ENV']);
/** Every service's tracing variables (libs/platform tracing.ts), checked against its schema. */
const TRACING_VARIABLES = new Set(Object.keys(tracingConfigSchema.shape));

/** A plausible value for a variable that comes from a Secret. */
function secretPlaceholder(name: string): string {
  if (name.endsWith('_DATABASE_URL')) return 'postgres://app:secret@db.internal:5432/app';
  if (name === 'REDIS_URL') return 'redis://:secret@redis.internal:6379';
  if (name === 'ELASTICSEARCH_URL') return 'https://elastic:secret@search.internal:9200';
  if (name === 'SMTP_URL') return 'smtps://mailer:secret@smtp.internal:465';
  return `secret-value-of-${name.toLowerCase()}-0123456789abcdef`;
}

/** Problems of an environment for an app: unknown names, schema failures, loopback defaults. */
function envProblems(app: App, env: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    if (!app.keys.has(name) && !RUNTIME_VARIABLES.has(name) && !TRACING_VARIABLES.has(name)) {
      problems.push(`${name} is not a setting of apps/${app.name}/src/config.ts`);
    }
  }
  const traced = tracingConfigSchema.safeParse(env);
  if (!traced.success)
    for (const issue of traced.error.issues)
      problems.push(`${issue.path.join('.')}: ${issue.message}`);
  const parsed = app.schema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  // A default that points at this machine is right for `npm start`, never in a container.
  for (const [key, value] of app.defaults) {
    if ((JSON.stringify(value) ?? '').includes('127.0.0.1') && !(key in env)) {
      problems.push(`${key} is not set: its default ${JSON.stringify(value)} is the loopback`);
    }
  }
  return problems;
}

function port(
  app: App,
  env: Record<string, string>,
  kind: 'HTTP' | 'GRPC' | 'OPS',
): number | undefined {
  const key = `${app.prefix}_${kind}_PORT`;
  if (!app.keys.has(key)) return undefined;
  return Number(env[key] ?? app.defaults.get(key));
}

let apps: App[] = [];
beforeAll(async () => {
  apps = await Promise.all(appNames.map(loadApp));
});

test('apps/ has the services the deployment knows', () => {
  expect(appNames.sort()).toEqual(
    [
      'analytics',
      'catalog',
      'gateway',
      'marketing',
      'notification',
      'order',
      'review',
      'risk',
      'search',
      'support',
      'user',
    ].sort(),
  );
});

// ---------------------------------------------------------------------------------------------
// The ops endpoints the probes and health checks use

describe('ops endpoints', () => {
  test('every app runs as a declared service (the kit mounts /healthz and /readyz)', () => {
    for (const name of appNames) {
      const main = readFileSync(join(root, 'apps', name, 'src', 'main.ts'), 'utf8');
      expect({ name, kit: main.includes('runService(') }).toEqual({ name, kit: true });
    }
  });

  test('libs/platform answers /healthz, /readyz and /metrics with 200, and 404 elsewhere', async () => {
    const logger = createLogger('deploy-check', 'silent');
    const service = await startService({
      module: PlatformModule.forRoot(logger),
      logger,
      http: { host: '127.0.0.1', port: 0 },
    });
    try {
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const res = await fetch(`${service.httpUrl}${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
      expect((await fetch(`${service.httpUrl}/ready`)).status).toBe(404);
    } finally {
      await service.close();
    }
  });

  test('with an ops port (the gateway), they are served there and not on the HTTP port', async () => {
    const logger = createLogger('deploy-check', 'silent');
    const service = await startService({
      module: PlatformModule.forRoot(logger, { opsRoutes: false }),
      logger,
      http: { host: '127.0.0.1', port: 0 },
      ops: { host: '127.0.0.1', port: 0 },
    });
    try {
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const ops = await fetch(`${service.opsUrl}${path}`);
        const http = await fetch(`${service.httpUrl}${path}`);
        expect({ path, ops: ops.status, http: http.status }).toEqual({ path, ops: 200, http: 404 });
      }
      expect((await fetch(`${service.opsUrl}/ready`)).status).toBe(404);
    } finally {
      await service.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The Helm chart

function envOf(container: K8s, objects: K8s[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const cm = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name,
    );
    if (!cm) throw new Error(`envFrom names ConfigMap ${from.configMapRef?.name}, not rendered`);
    Object.assign(env, cm.data);
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef) env[e.name] = secretPlaceholder(e.name);
    else env[e.name] = String(e.value ?? '');
  }
  return env;
}

const profiles: [string, string[]][] = [
  ['default values', []],
  ['ci/production-values.yaml', [join(chart, 'ci', 'production-values.yaml')]],
];

describe.each(profiles)('the chart with %s', (_profile, valuesFiles) => {
  let objects: K8s[] = [];
  const find = (kind: string, name: string) => findIn(objects, kind, name);
  beforeAll(() => {
    objects = render(valuesFiles);
  });

  test('one Deployment per app, and no other', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments.sort()).toEqual(appNames.map((a) => `${RELEASE}-${a}`).sort());
  });

  test("each Deployment's environment passes the app's config schema", () => {
    for (const app of apps) {
      const dep = find('Deployment', `${RELEASE}-${app.name}`);
      const env = envOf(dep.spec.template.spec.containers[0], objects);
      expect({ app: app.name, problems: envProblems(app, env) }).toEqual({
        app: app.name,
        problems: [],
      });
    }
  });

  test('container ports, Service ports and probes agree with the ports the app listens on', () => {
    for (const app of apps) {
      const name = `${RELEASE}-${app.name}`;
      const container = find('Deployment', name).spec.template.spec.containers[0];
      const env = envOf(container, objects);
      const ports = Object.fromEntries(
        container.ports.map((p: K8s) => [p.name, p.containerPort]),
      ) as Record<string, number>;
      const expected: Record<string, number> = { http: port(app, env, 'HTTP')! };
      const grpc = port(app, env, 'GRPC');
      if (grpc !== undefined) expected.grpc = grpc;
      const ops = port(app, env, 'OPS');
      if (ops !== undefined) expected.ops = ops;
      expect({ app: app.name, ports }).toEqual({ app: app.name, ports: expected });

      const probed = ops !== undefined ? 'ops' : 'http';
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: probed });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: probed });
      expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: probed });

      const svc = find('Service', name);
      const svcPorts = Object.fromEntries(
        svc.spec.ports.map((p: K8s) => [p.name, [p.port, p.targetPort]]),
      );
      expect(svcPorts).toEqual(
        Object.fromEntries(Object.entries(expected).map(([n, p]) => [n, [p, n]])),
      );
      expect(svc.spec.selector).toEqual(find('Deployment', name).spec.selector.matchLabels);
    }
  });

  test("every gRPC address names a backend's headless Service (its calls spread over the pods), and its NetworkPolicy lets the caller in", () => {
    for (const app of apps) {
      const dep = find('Deployment', `${RELEASE}-${app.name}`);
      const env = envOf(dep.spec.template.spec.containers[0], objects);
      for (const [key, value] of Object.entries(env)) {
        if (!key.endsWith('_GRPC_URL') || value === '') continue;
        const [host, p] = value.split(':');
        const backend = host!.replace(/-grpc$/, '');
        const svc = find('Service', host!);
        expect({
          app: app.name,
          key,
          service: svc?.metadata.name,
          headless: svc?.spec.clusterIP,
        }).toEqual({
          app: app.name,
          key,
          service: `${backend}-grpc`,
          headless: 'None',
        });
        expect(svc.spec.selector).toEqual(find('Deployment', backend).spec.selector.matchLabels);
        const grpc = svc.spec.ports.find((sp: K8s) => sp.name === 'grpc');
        expect({ key, port: grpc?.port, targetPort: grpc?.targetPort }).toEqual({
          key,
          port: Number(p),
          targetPort: 'grpc',
        });

        const policy = find('NetworkPolicy', backend);
        const callerLabels = dep.spec.template.metadata.labels;
        const admitted = policy.spec.ingress.some(
          (rule: K8s) =>
            rule.ports.some((rp: K8s) => rp.port === 'grpc') &&
            (rule.from ?? []).some((peer: K8s) =>
              Object.entries(peer.podSelector?.matchLabels ?? { none: 'none' }).every(
                ([k, v]) => callerLabels[k] === v,
              ),
            ),
        );
        expect({ from: app.name, to: backend, admitted }).toEqual({
          from: app.name,
          to: backend,
          admitted: true,
        });
      }
    }
  });

  test("the gateway's ops port is open to metricsFrom and the test pod only; the Ingress routes the API port", () => {
    const name = `${RELEASE}-gateway`;
    const policy = find('NetworkPolicy', name);
    const rules = (p: string) =>
      policy.spec.ingress.filter((r: K8s) => r.ports.some((rp: K8s) => rp.port === p));
    const [ops] = rules('ops');
    expect(rules('ops')).toHaveLength(1);
    // never without `from` (which would admit any source), never the API rule's peers
    expect(ops.from).toEqual([
      ...(valuesOf(valuesFiles).networkPolicy?.metricsFrom ?? []),
      {
        podSelector: {
          matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': 'test' }),
        },
      },
    ]);
    for (const rule of rules('http'))
      expect(rule.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    const ingress = find('Ingress', name);
    if (ingress) {
      const backends = ingress.spec.rules.flatMap((r: K8s) =>
        r.http.paths.map((p: K8s) => p.backend.service),
      );
      expect(backends).toEqual([{ name, port: { name: 'http' } }]);
    }
    const test = objects.find((o) => o.kind === 'Pod' && o.metadata.name === `${name}-test`);
    const gatewayEnv = envOf(find('Deployment', name).spec.template.spec.containers[0], objects);
    expect(test.spec.containers[0].command.at(-1)).toBe(
      `http://${name}:${gatewayEnv.GATEWAY_OPS_PORT}/readyz`,
    );
  });

  test('a pre-install/pre-upgrade migration Job exactly for the apps with `migrate`', () => {
    for (const app of apps) {
      const job = find('Job', `${RELEASE}-${app.name}-migrate`);
      expect({ app: app.name, job: Boolean(job) }).toEqual({ app: app.name, job: app.migrates });
      if (!job) continue;
      expect(job.metadata.annotations['helm.sh/hook'].split(',').sort()).toEqual([
        'pre-install',
        'pre-upgrade',
      ]);
      const container = job.spec.template.spec.containers[0];
      expect(container.args).toEqual(['migrate']);
      const deployment = find('Deployment', `${RELEASE}-${app.name}`).spec.template.spec;
      expect(container.image).toBe(deployment.containers[0].image);
      // The hook runs before the release's ConfigMap exists: the same settings, inline.
      const env = envOf(container, objects);
      expect(env).toEqual(envOf(deployment.containers[0], objects));
      expect(envProblems(app, env)).toEqual([]);
    }
  });

  test('every app has a ServiceAccount, PodDisruptionBudget, NetworkPolicy and (when on) HPA', () => {
    for (const app of apps) {
      const name = `${RELEASE}-${app.name}`;
      const dep = find('Deployment', name);
      expect(find('NetworkPolicy', name)?.spec.podSelector.matchLabels).toEqual(
        dep.spec.selector.matchLabels,
      );
      expect(find('PodDisruptionBudget', name)?.spec.selector.matchLabels).toEqual(
        dep.spec.selector.matchLabels,
      );
      expect(dep.spec.template.spec.serviceAccountName).toBe(
        find('ServiceAccount', name)?.metadata.name,
      );
      const hpa = find('HorizontalPodAutoscaler', name);
      if (hpa) {
        expect(hpa.spec.scaleTargetRef).toEqual({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
        });
        expect(dep.spec.replicas).toBeUndefined();
      } else {
        expect(dep.spec.replicas).toBeGreaterThanOrEqual(0);
      }
    }
  });

  test('HMAC keys and mail credentials come from the Secret; the sandboxes are off', () => {
    for (const app of apps) {
      const name = `${RELEASE}-${app.name}`;
      const inConfigMap = Object.keys(find('ConfigMap', name).data).filter(
        (k) => k.endsWith('_SECRET') || k === 'SMTP_URL',
      );
      expect({ app: app.name, inConfigMap }).toEqual({ app: app.name, inConfigMap: [] });
      const container = find('Deployment', name).spec.template.spec.containers[0];
      if (app.keys.has('SMTP_URL')) {
        expect(container.env.find((e: K8s) => e.name === 'SMTP_URL')?.valueFrom).toEqual({
          secretKeyRef: expect.objectContaining({ key: expect.any(String) }),
        });
      }
      // the payment and SMS/push sandboxes are for development and tests: turned on by hand
      const parsed = app.schema.safeParse(envOf(container, objects));
      const config = (parsed.success ? parsed.data : {}) as Record<string, unknown>;
      const sandboxes = Object.entries(config).filter(
        ([k, v]) => k.endsWith('_SANDBOX_ENABLED') && v !== false,
      );
      expect({ app: app.name, sandboxes }).toEqual({ app: app.name, sandboxes: [] });
    }
  });

  test('every pod runs as non-root, read-only, without capabilities, with requests and limits', () => {
    const pods = objects
      .filter((o) => ['Deployment', 'Job'].includes(o.kind))
      .map((o) => [o.metadata.name, o.spec.template.spec] as [string, K8s])
      .concat(objects.filter((o) => o.kind === 'Pod').map((o) => [o.metadata.name, o.spec]));
    expect(pods.length).toBeGreaterThan(appNames.length);
    for (const [name, spec] of pods) {
      expect({ name, runAsNonRoot: spec.securityContext?.runAsNonRoot }).toEqual({
        name,
        runAsNonRoot: true,
      });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers) {
        expect({ name, securityContext: c.securityContext }).toEqual({
          name,
          securityContext: expect.objectContaining({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          }),
        });
        expect(c.resources.requests).toEqual(
          expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
        );
        expect(c.resources.limits.memory).toBeDefined();
      }
    }
  });
});

describe('the production-like values', () => {
  test('take secrets only from an existing Secret and run as production', () => {
    const objects = render([join(chart, 'ci', 'production-values.yaml')]);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    // the services' environments (the others are the Grafana dashboards)
    const environments = objects.filter(
      (o) => o.kind === 'ConfigMap' && o.metadata.labels['app.kubernetes.io/component'],
    );
    expect(environments).toHaveLength(appNames.length);
    for (const cm of environments) {
      expect(cm.data.NODE_ENV).toBe('production');
      for (const [k, v] of Object.entries(cm.data as Record<string, string>)) {
        expect({ k, credentials: /:\/\/[^/\s]*:[^/\s]*@/.test(v) }).toEqual({
          k,
          credentials: false,
        });
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// docker-compose.yml and the Dockerfile

describe('docker-compose.yml', () => {
  let project: K8s;
  beforeAll(() => {
    const out = execFileSync(tool('deploy-lint'), ['compose', join(root, 'docker-compose.yml')], {
      encoding: 'utf8',
    });
    project = JSON.parse(out);
  });
  const envOfService = (s: K8s): Record<string, string> =>
    Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));

  test('every server and app has a health check', () => {
    for (const name of ['postgres', 'redis', 'kafka', 'elasticsearch', 'mailpit', ...appNames]) {
      expect({ name, healthcheck: Boolean(project.services[name]?.healthcheck?.test) }).toEqual({
        name,
        healthcheck: true,
      });
    }
  });

  test('every app is built from deploy/docker/Dockerfile with its APP', () => {
    for (const app of apps) {
      const s = project.services[app.name];
      // compose-go resolves the context against the file's directory: the repository root.
      expect(s.build).toEqual(
        expect.objectContaining({
          context: root,
          dockerfile: 'deploy/docker/Dockerfile',
          args: { APP: app.name },
        }),
      );
      expect(s.read_only).toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
    }
  });

  test("each app's environment passes its config schema; its health check asks its /readyz (on its ops port)", () => {
    for (const app of apps) {
      const s = project.services[app.name];
      const env = envOfService(s);
      expect({ app: app.name, problems: envProblems(app, env) }).toEqual({
        app: app.name,
        problems: [],
      });
      const test = (s.healthcheck.test as string[]).join(' ');
      expect(test).toContain(`http://127.0.0.1:${opsPort(app, env)}/readyz`);
    }
  });

  test('an app waits for every service its settings name, healthy', () => {
    for (const app of apps) {
      const s = project.services[app.name];
      const env = envOfService(s);
      const dependsOn = (s.depends_on ?? {}) as Record<string, { condition: string }>;
      for (const [key, value] of Object.entries(env)) {
        for (const part of value.split(',')) {
          const host = /^(?:[a-z]+:\/\/)?(?:[^@/]*@)?([a-z][-a-z0-9]*):\d+/.exec(part)?.[1];
          if (!host || !project.services[host]) continue;
          // Postgres is awaited by the app's migration, which the app awaits.
          const via = host === 'postgres' && app.migrates ? `migrate-${app.name}` : host;
          const expected = via === host ? 'service_healthy' : 'service_completed_successfully';
          // Two services that call each other cannot both wait (compose refuses the cycle): the
          // one the other waits for reaches it once it is up (user's NOTIFICATION_GRPC_URL, a
          // backend that is no readiness check: notification waits for user).
          const backendWaits = (project.services[host].depends_on ?? {}) as Record<string, unknown>;
          const mutual = key.endsWith('_GRPC_URL') && app.name in backendWaits;
          if (!mutual)
            expect({ app: app.name, key, dependsOn: dependsOn[via]?.condition }).toEqual({
              app: app.name,
              key,
              dependsOn: expected,
            });
          if (key.endsWith('_GRPC_URL')) {
            const backend = apps.find((a) => a.name === host)!;
            const backendEnv = envOfService(project.services[host]);
            expect({ key, value }).toEqual({
              key,
              value: `${host}:${port(backend, backendEnv, 'GRPC')}`,
            });
          }
        }
      }
    }
  });

  test('the servers are published on the ports deploy/local uses; e-mails go to the mail sink', () => {
    const local = Object.fromEntries(
      [
        ...readFileSync(join(root, 'deploy', 'local', 'ports.sh'), 'utf8').matchAll(
          /^(EMPORIA_[A-Z_]+_PORT)="\$\{\1:-([0-9]+)\}"$/gm,
        ),
      ].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    const published = (name: string) =>
      (project.services[name].ports ?? []).map((p: K8s) => [p.host_ip, p.published]);
    const expected: Record<string, string[]> = {
      postgres: [local.EMPORIA_PG_PORT!],
      redis: [local.EMPORIA_REDIS_PORT!],
      kafka: [local.EMPORIA_KAFKA_PORT!],
      elasticsearch: [local.EMPORIA_ES_PORT!],
      mailpit: [local.EMPORIA_SMTP_PORT!, local.EMPORIA_MAILPIT_HTTP_PORT!],
    };
    for (const [name, ports] of Object.entries(expected)) {
      expect({ name, published: published(name) }).toEqual({
        name,
        published: ports.map((p) => ['127.0.0.1', p]),
      });
    }
    // the sink's SMTP port inside the network: the one published on EMPORIA_SMTP_PORT
    const smtp = project.services.mailpit.ports.find(
      (p: K8s) => p.published === local.EMPORIA_SMTP_PORT,
    ).target;
    const senders = apps.filter((a) => a.keys.has('SMTP_URL'));
    expect(senders.map((a) => a.name)).toContain('notification');
    for (const app of senders) {
      expect({
        app: app.name,
        SMTP_URL: envOfService(project.services[app.name]).SMTP_URL,
      }).toEqual({ app: app.name, SMTP_URL: `smtp://mailpit:${smtp}` });
    }
  });

  test('a one-shot migration per app with `migrate`, awaited by the app', () => {
    for (const app of apps) {
      const m = project.services[`migrate-${app.name}`];
      expect({ app: app.name, migration: Boolean(m) }).toEqual({
        app: app.name,
        migration: app.migrates,
      });
      if (!m) continue;
      const s = project.services[app.name];
      expect(m.command).toEqual(['migrate']);
      expect(m.restart).toBe('no');
      expect(m.image).toBe(s.image);
      expect(m.build).toEqual(s.build);
      expect(m.depends_on.postgres.condition).toBe('service_healthy');
      const env = envOfService(m);
      expect(envProblems(app, env).filter((p) => !p.includes('loopback'))).toEqual([]);
      const db = `${app.prefix}_DATABASE_URL`;
      expect(env[db]).toBe(envOfService(s)[db]);
      expect(s.depends_on[`migrate-${app.name}`].condition).toBe('service_completed_successfully');
    }
  });
});

describe('deploy/docker/Dockerfile', () => {
  type Stage = { name: string; base: string; commands: { name: string; code: string }[] };
  let stages: Stage[] = [];
  beforeAll(() => {
    const dockerfile = join(root, 'deploy', 'docker', 'Dockerfile');
    for (const app of appNames) {
      // BuildKit's parser and the checks of `docker build --check`, with this app's APP.
      const out = execFileSync(tool('deploy-lint'), ['dockerfile', dockerfile, `APP=${app}`], {
        encoding: 'utf8',
      });
      stages = JSON.parse(out) as Stage[];
    }
  });

  test('the runtime stage runs node main.js as a numeric non-root user, from a slim image', () => {
    const runtime = stages[stages.length - 1]!;
    expect(runtime.base).toMatch(/^node:\$\{NODE_VERSION\}-[a-z]+-slim$/);
    const code = (name: string) =>
      runtime.commands.filter((c) => c.name === name).map((c) => c.code);
    const user = code('USER').pop()!;
    expect(user).toMatch(/^USER [1-9][0-9]*:[1-9][0-9]*$/);
    expect(code('ENTRYPOINT').pop()).toMatch(/^ENTRYPOINT \["node", .*"main\.js"\]$/);
    expect(code('ENV')).toContain('ENV NODE_ENV=production');
    expect(code('RUN').join('\n')).not.toMatch(/npm (ci|install)/);
  });

  test('the runtime copies production dependencies only, and each app its own code', () => {
    const runtime = stages[stages.length - 1]!;
    const copies = runtime.commands.filter((c) => c.name === 'COPY').map((c) => c.code);
    const modules = copies.find((c) => c.includes('node_modules'))!;
    const from = /--from=([a-z-]+)/.exec(modules)![1];
    const depsStage = stages.find((s) => s.name === from)!;
    expect(depsStage.commands.map((c) => c.code).join('\n')).toMatch(/npm ci .*--omit=dev/);
    expect(copies.some((c) => /dist\/apps\/\$\{APP\} apps\/\$\{APP\}$/.test(c))).toBe(true);
  });
});
