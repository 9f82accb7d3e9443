/**
 * What tools/deploy.spec.ts and tools/monitoring.spec.ts share: the apps as their own code
 * describes them (apps/<app>/src/config.ts), the Helm chart rendered by the helm that
 * tools/helm-check.sh builds into .local/bin, the values as Helm merges them, and a lookup of
 * rendered objects.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

export const root = join(__dirname, '..');
const bin = join(root, '.local', 'bin');
export const chart = join(root, 'helm', 'emporia');
/** The Kubernetes version the chart is validated for (deploy/kubernetes-json-schema). */
const KUBE_VERSION = '1.30.0';
export const RELEASE = 'emporia';

export function tool(name: string): string {
  const path = join(bin, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run 'bash tools/helm-check.sh' (it builds the Go tools)`);
  }
  return path;
}

// ---------------------------------------------------------------------------------------------
// The apps, as their own code describes them

export interface App {
  name: string;
  prefix: string;
  schema: z.ZodTypeAny;
  keys: Set<string>;
  defaults: Map<string, unknown>;
  migrates: boolean;
}

export const appNames = readdirSync(join(root, 'apps')).filter((d) =>
  existsSync(join(root, 'apps', d, 'src', 'config.ts')),
);

export async function loadApp(name: string): Promise<App> {
  const mod = (await import(join(root, 'apps', name, 'src', 'config'))) as Record<string, unknown>;
  const found = Object.entries(mod).find(([k]) => k.endsWith('ConfigSchema'));
  if (!found) throw new Error(`apps/${name}/src/config.ts exports no *ConfigSchema`);
  const schema = found[1] as z.ZodTypeAny;
  let inner: z.ZodTypeAny = schema;
  // zod 4 keeps refinements on the object itself; only a transform wraps it (in a pipe).
  while (inner instanceof z.ZodPipe) inner = inner.in as z.ZodTypeAny;
  if (!(inner instanceof z.ZodObject)) throw new Error(`${name}: the config schema is no object`);
  const shape = inner.shape as Record<string, z.ZodTypeAny>;
  const defaults = new Map<string, unknown>();
  for (const [key, field] of Object.entries(shape)) {
    const parsed = field.safeParse(undefined);
    if (parsed.success) defaults.set(key, parsed.data);
  }
  // a Postgres resource brings the `migrate` command (libs/platform service kit)
  const declaration = readFileSync(join(root, 'apps', name, 'src', `${name}.app.ts`), 'utf8');
  return {
    name,
    prefix: name.toUpperCase(),
    schema,
    keys: new Set(Object.keys(shape)),
    defaults,
    migrates: declaration.includes('postgresResource('),
  };
}

// ---------------------------------------------------------------------------------------------
// The Helm chart

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects, checked field by field
export type K8s = any;

/** The chart's objects as `helm template` renders them (release emporia, namespace shop). */
export function render(valuesFiles: string[]): K8s[] {
  const args = ['template', RELEASE, chart, '--kube-version', KUBE_VERSION, '-n', 'shop'];
  for (const f of valuesFiles) args.push('-f', f);
  const out = execFileSync(tool('helm'), args, { encoding: 'utf8' });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8s)
    .filter(Boolean);
}

/** The values files merged as Helm merges them (maps deeply, lists replaced), for what a test needs. */
export function valuesOf(valuesFiles: string[]): K8s {
  const merge = (a: K8s, b: K8s): K8s =>
    a &&
    b &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
      ? Object.fromEntries(
          [...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, merge(a[k], b[k])]),
        )
      : (b ?? a);
  return [join(chart, 'values.yaml'), ...valuesFiles]
    .map((f) => parseAllDocuments(readFileSync(f, 'utf8'))[0]!.toJS() as K8s)
    .reduce(merge, {});
}

/** The rendered object of that kind and name, if any. */
export const findIn = (objects: K8s[], kind: string, name: string): K8s =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
