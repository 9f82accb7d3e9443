import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { messages as orders } from './features/orders/messages';
import { messages as risk } from './features/risk/messages';
import type { Messages } from './i18n-types';

/** The gateway's OpenAPI document, as the typed client was generated from it. */
const doc = JSON.parse(readFileSync(join(__dirname, '../../../libs/sdk/openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, { properties: Record<string, { enum?: unknown[] }> }> };
};
const values = (schema: string, property: string) =>
  (doc.components.schemas[schema].properties[property].enum ?? []).filter(
    (v): v is string => typeof v === 'string',
  );

/**
 * Screens show an API enumeration's values through ids built from them (`risk.kind.${kind}`),
 * which messages.spec.ts cannot see: every value the gateway documents has its words in both
 * languages, so a new kind or status is not shown as its id.
 */
describe('words for every value of the enumerations the screens show', () => {
  it.each<[string, Messages, string, string, string]>([
    ['rule kinds', risk, 'RuleView', 'kind', 'risk.kind.'],
    ['rule kinds explained', risk, 'RuleView', 'kind', 'risk.kindHelp.'],
    ['rule dimensions', risk, 'RuleView', 'dimension', 'risk.dimension.'],
    ['rule subjects', risk, 'RuleView', 'appliesTo', 'risk.subject.'],
    ['return statuses', orders, 'ReturnView', 'status', 'orders.return.'],
    ['return kinds', orders, 'ReturnView', 'kind', 'orders.returnKind.'],
  ])('%s', (_what, part, schema, property, prefix) => {
    const all = values(schema, property);
    expect(all.length).toBeGreaterThan(1);
    for (const locale of ['zh-CN', 'en'] as const)
      expect(all.filter((v) => part[locale][`${prefix}${v}`] === undefined)).toEqual([]);
  });
});
