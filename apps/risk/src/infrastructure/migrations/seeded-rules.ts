import type { Rule } from '../../domain/rules';
import { toRule, type RuleRow } from '../sql-risk.store';
import { DEFAULT_RULES } from './1764000001600-risk-schema';
import { REVIEW_RULES } from './1764000001700-risk-reviews';
import { NEW, OLD, RULE_ID } from './1764000001800-ip-velocity-default';
import { RULES as ADDRESS_AND_RETURN_RULES } from './1764000002000-address-and-return-rules';
import { FRAUD_MODEL_RULE } from './1764000002200-fraud-model';

const row = (
  id: string,
  name: string,
  kind: string,
  appliesTo: string,
  action: string,
  score: number,
  params: object,
): RuleRow =>
  ({
    id,
    name,
    kind,
    applies_to: appliesTo,
    action,
    score,
    active: true,
    params,
    updated_at: new Date(0),
  }) as RuleRow;

/**
 * The rules a fresh database holds after every migration, as `RiskStore.rules()` lists them
 * (ordered by subject, then id), read through the SQL store's own row mapping. The fraud model's
 * training replays orders through these to measure the rules alone
 * (tools/fraud-model/generate.ts); `test/fraud-model.int-spec.ts` checks them against a migrated
 * database.
 */
export function seededRules(): Rule[] {
  const rows = [
    ...DEFAULT_RULES.map(([id, name, kind, appliesTo, action, score, params]) =>
      // 1764000001800 moved the per-IP velocity default (a fresh database has the new one)
      id === RULE_ID && name === OLD.name
        ? row(id, NEW.name, kind, appliesTo, action, score, NEW.params)
        : row(id, name, kind, appliesTo, action, score, params),
    ),
    ...REVIEW_RULES.map(([id, name, kind, action, score, params]) =>
      row(id, name, kind, 'REVIEW', action, score, params),
    ),
    ...ADDRESS_AND_RETURN_RULES.map(([id, name, kind, score, params]) =>
      row(id, name, kind, 'ORDER', 'REVIEW', score, params),
    ),
    ((): RuleRow => {
      const [id, name, kind, score, params] = FRAUD_MODEL_RULE;
      return row(id, name, kind, 'ORDER', 'REVIEW', score, params);
    })(),
  ];
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort((a, b) => cmp(a.applies_to, b.applies_to) || cmp(a.id, b.id)).map(toRule);
}
