/**
 * Generates the README's table of the Helm chart's values from helm/emporia/values.schema.json
 * (types, descriptions) and helm/emporia/values.yaml (defaults), between the markers
 * `<!-- values-table:start -->` and `<!-- values-table:end -->`.
 *
 *   node -r @swc-node/register tools/values-table.ts           rewrite the table in README.md
 *   node -r @swc-node/register tools/values-table.ts --check   fail when it is stale (npm test)
 *
 * Every value must have a description in the schema: a value without one fails here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const chart = join(root, 'helm', 'emporia');
const readme = join(root, 'README.md');
const START = '<!-- values-table:start -->';
const END = '<!-- values-table:end -->';

interface Schema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
  minimum?: number;
  maximum?: number;
}

type Values = Record<string, unknown>;

/** Markdown table cell text: pipes escaped, `<` escaped outside code spans (not an HTML tag). */
function cell(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '\\<')))
    .join('`')
    .replace(/\|/g, '\\|');
}

export function valuesTable(schema: Schema, values: Values): string {
  const resolve = (s: Schema): Schema => {
    if (s.$ref) {
      const name = s.$ref.replace('#/definitions/', '');
      const defs = (schema as { definitions?: Record<string, Schema> }).definitions ?? {};
      const target = defs[name];
      if (!target) throw new Error(`unknown $ref ${s.$ref}`);
      return resolve(target);
    }
    if (s.allOf?.[0]) return resolve(s.allOf[0]);
    return s;
  };
  const typeOf = (s: Schema): string => {
    if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(' \\| ');
    if (s.oneOf) return s.oneOf.map(typeOf).join(' or ');
    const t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
    if (t === 'integer' && s.minimum !== undefined) {
      return s.maximum !== undefined
        ? `integer ${s.minimum}–${s.maximum}`
        : `integer ≥ ${s.minimum}`;
    }
    if (t === 'array' && s.items) return `list of ${typeOf(resolve(s.items))}`;
    if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
      return `map of ${typeOf(resolve(s.additionalProperties))}`;
    }
    return t;
  };
  const show = (v: unknown): string => {
    if (v === undefined) return '';
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) return '`{}`';
      if (keys.length > 3) return `${keys.length} keys: ${keys.map((k) => `\`${k}\``).join(', ')}`;
    }
    return `\`${JSON.stringify(v).replace(/\|/g, '\\|')}\``;
  };
  const serviceNames = Object.keys((values.services ?? {}) as Values);
  const rows: string[] = [];
  const walk = (s: Schema, value: unknown, path: string): void => {
    const node = resolve(s);
    if (!s.$ref && node.properties && node.type === 'object' && path !== 'services') {
      const own = (value ?? {}) as Values;
      for (const [key, child] of Object.entries(node.properties)) {
        if (key === 'global') continue;
        walk(child, own[key], path ? `${path}.${key}` : key);
      }
      return;
    }
    const description = s.description ?? node.description;
    if (!description)
      throw new Error(`helm/emporia/values.schema.json: ${path} has no description`);
    const shown = path === 'services' ? `the ${serviceNames.length} services, below` : show(value);
    rows.push(`| \`${path}\` | ${typeOf(node)} | ${shown} | ${cell(description)} |`);
  };
  walk(schema, values, '');

  const service = resolve({ $ref: '#/definitions/service' });
  const serviceRows: string[] = [];
  const walkService = (s: Schema, path: string): void => {
    const node = resolve(s);
    if (!s.$ref && node.properties && node.type === 'object' && path !== 'ports') {
      for (const [key, child] of Object.entries(node.properties)) {
        walkService(child, path ? `${path}.${key}` : key);
      }
      return;
    }
    const description = s.description ?? node.description;
    if (!description)
      throw new Error(`values.schema.json: services.<name>.${path} has no description`);
    serviceRows.push(`| \`services.<name>.${path}\` | ${typeOf(node)} | ${cell(description)} |`);
  };
  walkService(service, '');

  const services = values.services as Record<string, Values>;
  const perService = Object.entries(services).map(([name, v]) => {
    const ports = v.ports as { grpc?: number; http: number };
    const autoscaling = v.autoscaling as {
      enabled: boolean;
      minReplicas: number;
      maxReplicas: number;
    };
    const resources = v.resources as {
      requests: { cpu: string; memory: string };
      limits: { cpu?: string; memory: string };
    };
    const list = (xs: string[]) => (xs.length ? xs.map((x) => `\`${x}\``).join(', ') : '–');
    return [
      `\`${name}\``,
      ports.grpc ? `${ports.grpc} / ${ports.http}` : `– / ${ports.http}`,
      autoscaling.enabled
        ? `HPA ${autoscaling.minReplicas}–${autoscaling.maxReplicas}`
        : String(v.replicas),
      list((v.grpcBackends as string[]) ?? []),
      list(Object.keys((v.secretEnv as Values) ?? {})),
      `${resources.requests.cpu} / ${resources.requests.memory} → ${resources.limits.cpu ?? '–'} / ${resources.limits.memory}`,
      v.migrate ? 'yes' : '–',
    ].join(' | ');
  });

  return [
    START,
    '<!-- generated by tools/values-table.ts from helm/emporia/values.schema.json and values.yaml: edit those, then run it -->',
    '',
    '| value | type | default | what it does |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Each entry of \`services\` (${serviceNames.map((n) => `\`${n}\``).join(', ')}):`,
    '',
    '| value | type | what it does |',
    '| --- | --- | --- |',
    ...serviceRows,
    '',
    'Their defaults:',
    '',
    '| service | gRPC / http port | replicas | gRPC backends | `secretEnv` (default) | requests → limits (cpu / memory) | migration Job |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...perService.map((r) => `| ${r} |`),
    END,
  ].join('\n');
}

function main(): void {
  const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as Schema;
  const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Values;
  const table = valuesTable(schema, values);
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no ${START} … ${END} section`);
  }
  const next = text.slice(0, start) + table + text.slice(end + END.length);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error(
        'README.md: the Helm values table is stale: run `node -r @swc-node/register tools/values-table.ts` and commit the result',
      );
      process.exit(1);
    }
    console.log('values table: up to date');
    return;
  }
  writeFileSync(readme, next);
  console.log('values table: written into README.md');
}

if (require.main === module) main();
