import { Money } from '@emporia/money';
import type { DataSource } from 'typeorm';
import type { ListEntry, RiskStore, StoredDecision } from '../application/ports';
import type { ListKind, Rule } from '../domain/rules';

type Row = Record<string, unknown>;

const toRule = (r: Row): Rule => {
  const p = r.params as Record<string, unknown>;
  const amount = p.amount as { amountMinor: number; currency: string } | undefined;
  return {
    id: r.id as string,
    name: r.name as string,
    kind: r.kind as Rule['kind'],
    appliesTo: r.applies_to as Rule['appliesTo'],
    action: r.action as Rule['action'],
    score: Number(r.score),
    active: r.active as boolean,
    ...(p as object),
    ...(amount ? { amount: Money.of(Number(amount.amountMinor), amount.currency) } : {}),
  } as Rule;
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

const toDecision = (r: Row): StoredDecision => ({
  id: r.id as string,
  kind: r.kind as StoredDecision['kind'],
  subjectId: r.subject_id as string,
  accountId: r.account_id as string,
  decision: r.decision as StoredDecision['decision'],
  score: Number(r.score),
  reasons: r.reasons as string[],
  signals: r.signals as Record<string, unknown>,
  decidedAt: new Date(r.decided_at as string),
});

export class SqlRiskStore implements RiskStore {
  constructor(private readonly ds: DataSource) {}

  private q(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.ds.query(sql, params) as Promise<Row[]>;
  }

  async upsertRule(r: Rule, now: Date): Promise<void> {
    await this.q(
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
    return (await this.q(`SELECT * FROM rules ORDER BY applies_to, id`)).map(toRule);
  }

  async addEntries(entries: ListEntry[]): Promise<number> {
    const rows = await this.q(
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
    // TypeORM answers a DELETE with [rows, affected], not the rows: count what it affected.
    const [, removed] = (await this.ds.query(
      `DELETE FROM list_entries l USING unnest($1::text[], $2::text[]) AS x(kind, value)
       WHERE l.kind = x.kind AND l.value = x.value`,
      [entries.map((e) => e.kind), entries.map((e) => e.value)],
    )) as [unknown[], number];
    return removed;
  }

  async exportList(kind: ListKind): Promise<ListEntry[]> {
    return (
      await this.q(`SELECT * FROM list_entries WHERE kind = $1 ORDER BY added_at, value`, [kind])
    ).map((r) => ({
      kind: r.kind as ListKind,
      value: r.value as string,
      reason: r.reason as string,
      addedAt: new Date(r.added_at as string),
    }));
  }

  async listed(values: { kind: ListKind; value: string }[]): Promise<ListKind[]> {
    if (values.length === 0) return [];
    const rows = await this.q(
      `SELECT DISTINCT l.kind FROM list_entries l JOIN unnest($1::text[], $2::text[]) AS x(kind, value)
       ON l.kind = x.kind AND l.value = x.value`,
      [values.map((v) => v.kind), values.map((v) => v.value)],
    );
    return rows.map((r) => r.kind as ListKind);
  }

  async recordDecision(d: StoredDecision): Promise<StoredDecision> {
    const rows = await this.q(
      `INSERT INTO decisions (id, kind, subject_id, account_id, decision, score, reasons, signals, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (subject_id) WHERE kind = 'ORDER' DO NOTHING RETURNING id`,
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
      ],
    );
    if (rows.length === 1 || d.kind !== 'ORDER') return d;
    return (await this.findOrderDecision(d.subjectId))!;
  }

  async findOrderDecision(orderId: string): Promise<StoredDecision | null> {
    const [r] = await this.q(`SELECT * FROM decisions WHERE kind = 'ORDER' AND subject_id = $1`, [
      orderId,
    ]);
    return r ? toDecision(r) : null;
  }

  async decisions(f: {
    subjectId?: string;
    accountId?: string;
    limit: number;
  }): Promise<StoredDecision[]> {
    return (
      await this.q(
        `SELECT * FROM decisions WHERE ($1::text IS NULL OR subject_id = $1) AND ($2::text IS NULL OR account_id = $2)
         ORDER BY decided_at DESC LIMIT $3`,
        [f.subjectId || null, f.accountId || null, f.limit],
      )
    ).map(toDecision);
  }
}
