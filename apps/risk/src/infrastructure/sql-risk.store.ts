import { Money } from '@emporia/money';
import { Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type { ListEntry, RiskStore, StoredDecision } from '../application/ports';
import type { ListKind, Rule } from '../domain/rules';

/** Money inside a rule's `params` (jsonb): minor units and currency, as `Money` serialises. */
interface StoredAmount {
  amountMinor: number;
  currency: string;
}

/** A rule's kind-specific fields, as stored in its `params` column. */
type StoredParams<R extends Rule> = Omit<
  R,
  'id' | 'name' | 'kind' | 'appliesTo' | 'action' | 'score' | 'active' | 'amount'
> &
  (R extends { amount: Money } ? { amount: StoredAmount } : unknown);

/** A row of `rules`: the common columns, and `params` as its `kind` says. */
export type RuleRow = {
  id: string;
  name: string;
  applies_to: Rule['appliesTo'];
  action: Rule['action'];
  score: number;
  active: boolean;
  updated_at: Date;
} & (Rule extends infer R
  ? R extends Rule
    ? { kind: R['kind']; params: StoredParams<R> }
    : never
  : never);

interface ListEntryRow {
  kind: ListKind;
  value: string;
  reason: string;
  added_at: Date;
}

interface DecisionRow {
  id: string;
  kind: StoredDecision['kind'];
  subject_id: string;
  account_id: string;
  decision: StoredDecision['decision'];
  score: number;
  reasons: string[];
  signals: Record<string, unknown>;
  decided_at: Date;
  model_version: string | null;
  model_score: number | null;
}

/**
 * The kinds on a list among (kind, value) pairs given as two arrays, `$n` and `$n+1`
 * (`listedParams`): the list lookup, alone or inside `SqlOrderLookups`' statement.
 */
export const listedSql = (n: number): string =>
  `SELECT DISTINCT l.kind FROM list_entries l JOIN unnest($${n}::text[], $${n + 1}::text[]) AS x(kind, value)
       ON l.kind = x.kind AND l.value = x.value`;

export const listedParams = (values: readonly { kind: ListKind; value: string }[]): unknown[] => [
  values.map((v) => v.kind),
  values.map((v) => v.value),
];

const money = (a: StoredAmount): Money => Money.of(Number(a.amountMinor), a.currency);

/** A row of `rules` as a rule (the seeded defaults are read through it too: `seeded-rules.ts`). */
export const toRule = (r: RuleRow): Rule => {
  const base = {
    id: r.id,
    name: r.name,
    appliesTo: r.applies_to,
    action: r.action,
    score: Number(r.score),
    active: r.active,
  };
  switch (r.kind) {
    case 'LIST_MATCH':
      return { ...base, kind: r.kind, listKind: r.params.listKind };
    case 'AMOUNT':
      return { ...base, kind: r.kind, amount: money(r.params.amount) };
    case 'BRUSHING': {
      const { amount, windowSeconds, threshold } = r.params;
      return { ...base, kind: r.kind, amount: money(amount), windowSeconds, threshold };
    }
    case 'LOGIN_ANOMALY':
      return { ...base, kind: r.kind, windowSeconds: r.params.windowSeconds };
    case 'VELOCITY': {
      const { dimension, windowSeconds, threshold } = r.params;
      return { ...base, kind: r.kind, dimension, windowSeconds, threshold };
    }
    case 'COUPON_ABUSE': {
      const { dimension, windowSeconds, threshold } = r.params;
      return { ...base, kind: r.kind, dimension, windowSeconds, threshold };
    }
    case 'LOGIN_VELOCITY': {
      const { dimension, windowSeconds, threshold } = r.params;
      return { ...base, kind: r.kind, dimension, windowSeconds, threshold };
    }
    case 'NEW_ACCOUNT':
      return { ...base, kind: r.kind, windowSeconds: r.params.windowSeconds };
    case 'BULK_AFTER_DELIVERY': {
      const { windowSeconds, threshold, deliveryWindowSeconds } = r.params;
      return { ...base, kind: r.kind, windowSeconds, threshold, deliveryWindowSeconds };
    }
    case 'ADDRESS_QUALITY':
      return { ...base, kind: r.kind, dimension: r.params.dimension };
    case 'ADDRESS_SPREAD': {
      const { dimension, windowSeconds, threshold } = r.params;
      return { ...base, kind: r.kind, dimension, windowSeconds, threshold };
    }
    case 'MODEL_SCORE':
      return { ...base, kind: r.kind, threshold: r.params.threshold };
    case 'RETURN_ABUSE': {
      const { dimension, windowSeconds, threshold, minSample } = r.params;
      return {
        ...base,
        kind: r.kind,
        dimension,
        windowSeconds,
        threshold,
        ...(minSample !== undefined && minSample !== null ? { minSample } : {}),
      };
    }
  }
};

const paramsOf = (r: Rule): Record<string, unknown> => {
  const {
    id: _i,
    name: _n,
    kind: _k,
    appliesTo: _a,
    action: _c,
    score: _s,
    active: _v,
    ...rest
  } = r;
  const p: Record<string, unknown> = { ...rest };
  if ('amount' in r) p.amount = { amountMinor: r.amount.amountMinor, currency: r.amount.currency };
  return p;
};

const toEntry = (r: ListEntryRow): ListEntry => ({
  kind: r.kind,
  value: r.value,
  reason: r.reason,
  addedAt: new Date(r.added_at),
});

const toDecision = (r: DecisionRow): StoredDecision => ({
  id: r.id,
  kind: r.kind,
  subjectId: r.subject_id,
  accountId: r.account_id,
  decision: r.decision,
  score: Number(r.score),
  reasons: r.reasons,
  signals: r.signals,
  decidedAt: new Date(r.decided_at),
  ...(r.model_version ? { modelVersion: r.model_version } : {}),
  ...(r.model_score !== null && r.model_score !== undefined
    ? { modelScore: Number(r.model_score) }
    : {}),
});

export class SqlRiskStore implements RiskStore {
  private readonly sql: Sql;

  constructor(ds: DataSource) {
    this.sql = new Sql(ds);
  }

  async upsertRule(r: Rule, now: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO rules (id, name, kind, applies_to, action, score, active, params, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, applies_to = $4, action = $5, score = $6,
         active = $7, params = $8, updated_at = $9`,
      [
        r.id,
        r.name,
        r.kind,
        r.appliesTo,
        r.action,
        r.score,
        r.active,
        JSON.stringify(paramsOf(r)),
        now,
      ],
    );
  }

  async rules(): Promise<Rule[]> {
    return (await this.sql.rows<RuleRow>(`SELECT * FROM rules ORDER BY applies_to, id`)).map(
      toRule,
    );
  }

  async addEntries(entries: ListEntry[]): Promise<number> {
    const rows = await this.sql.rows<{ value: string }>(
      `INSERT INTO list_entries (kind, value, reason, added_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
       ON CONFLICT DO NOTHING RETURNING value`,
      [
        entries.map((e) => e.kind),
        entries.map((e) => e.value),
        entries.map((e) => e.reason),
        entries.map((e) => e.addedAt),
      ],
    );
    return rows.length;
  }

  async removeEntries(entries: { kind: ListKind; value: string }[]): Promise<number> {
    return this.sql.affected(
      `DELETE FROM list_entries l USING unnest($1::text[], $2::text[]) AS x(kind, value)
       WHERE l.kind = x.kind AND l.value = x.value`,
      [entries.map((e) => e.kind), entries.map((e) => e.value)],
    );
  }

  async exportList(kind: ListKind): Promise<ListEntry[]> {
    return (
      await this.sql.rows<ListEntryRow>(
        `SELECT * FROM list_entries WHERE kind = $1 ORDER BY added_at, value`,
        [kind],
      )
    ).map(toEntry);
  }

  async listed(values: { kind: ListKind; value: string }[]): Promise<ListKind[]> {
    if (values.length === 0) return [];
    const rows = await this.sql.rows<{ kind: ListKind }>(listedSql(1), listedParams(values));
    return rows.map((r) => r.kind);
  }

  async recordDecision(d: StoredDecision): Promise<StoredDecision> {
    // the partial unique index of the kind (one per order, one per review); sign-ins have none
    // and never meet the order index
    const arbiter = d.kind === 'REVIEW' ? 'REVIEW' : 'ORDER';
    const rows = await this.sql.rows<{ id: string }>(
      `INSERT INTO decisions (id, kind, subject_id, account_id, decision, score, reasons, signals, decided_at,
         model_version, model_score)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (subject_id) WHERE kind = '${arbiter}' DO NOTHING RETURNING id`,
      [
        d.id,
        d.kind,
        d.subjectId,
        d.accountId,
        d.decision,
        d.score,
        d.reasons,
        JSON.stringify(d.signals),
        d.decidedAt,
        d.modelVersion ?? null,
        d.modelScore ?? null,
      ],
    );
    if (rows.length === 1 || d.kind === 'LOGIN') return d;
    return (await this.findDecision(d.kind, d.subjectId))!;
  }

  async findDecision(kind: 'ORDER' | 'REVIEW', subjectId: string): Promise<StoredDecision | null> {
    const r = await this.sql.one<DecisionRow>(
      `SELECT * FROM decisions WHERE kind = $1 AND subject_id = $2`,
      [kind, subjectId],
    );
    return r ? toDecision(r) : null;
  }

  async decisions(f: {
    subjectId?: string;
    accountId?: string;
    limit: number;
  }): Promise<StoredDecision[]> {
    return (
      await this.sql.rows<DecisionRow>(
        `SELECT * FROM decisions WHERE ($1::text IS NULL OR subject_id = $1) AND ($2::text IS NULL OR account_id = $2)
         ORDER BY decided_at DESC LIMIT $3`,
        [f.subjectId || null, f.accountId || null, f.limit],
      )
    ).map(toDecision);
  }
}
