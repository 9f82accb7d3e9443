import { Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type { TagRepository } from '../application/ports';
import type { TagRule, TagRuleKind } from '../domain/tag';

interface TagRuleRow {
  tag: string;
  kind: TagRuleKind;
  days: number;
  top: number;
  min_units: string;
}

const toRule = (r: TagRuleRow): TagRule => ({
  tag: r.tag,
  kind: r.kind,
  days: r.days,
  top: r.top,
  minUnits: Number(r.min_units),
});

/** Tag rules (tag_rules) and the selections of the rule sweep. */
export class SqlTagRepository implements TagRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async rules(): Promise<TagRule[]> {
    return (
      await this.sql.rows<TagRuleRow>(
        `SELECT tag, kind, days, top, min_units FROM tag_rules ORDER BY position`,
      )
    ).map(toRule);
  }

  async replaceRules(rules: TagRule[]): Promise<void> {
    // one writer at a time: two replacements interleaving would mix their rules
    await this.sql.run(`LOCK TABLE tag_rules IN SHARE ROW EXCLUSIVE MODE`);
    await this.sql.run(`DELETE FROM tag_rules`);
    for (const [position, r] of rules.entries())
      await this.sql.run(
        `INSERT INTO tag_rules (tag, kind, days, top, min_units, position) VALUES ($1, $2, $3, $4, $5, $6)`,
        [r.tag, r.kind, r.days, r.top, r.minUnits, position],
      );
  }

  async firstPublishedSince(since: Date): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT id FROM products WHERE status = 'ACTIVE' AND first_published_at > $1 ORDER BY id`,
      [since],
    );
    return rows.map((r) => r.id);
  }

  async bestSellers(since: Date, top: number, minUnits: number): Promise<string[]> {
    const rows = await this.sql.rows<{ product_id: string; units: string }>(
      `SELECT s.product_id, sum(l.quantity)::bigint AS units
         FROM stock_reservations r
         JOIN stock_reservation_lines l ON l.reservation_id = r.id
         JOIN skus s ON s.id = l.sku_id
         JOIN products p ON p.id = s.product_id
        WHERE r.status = 'COMMITTED' AND r.updated_at > $1 AND p.status = 'ACTIVE'
        GROUP BY s.product_id
       HAVING sum(l.quantity) >= $2
        ORDER BY units DESC, s.product_id
        LIMIT $3`,
      [since, minUnits, top],
    );
    return rows.map((r) => r.product_id);
  }

  async ruleTagged(): Promise<Map<string, string[]>> {
    const rows = await this.sql.rows<{ id: string; rule_tags: string[] }>(
      `SELECT id, rule_tags FROM products WHERE cardinality(rule_tags) > 0`,
    );
    return new Map(rows.map((r) => [r.id, r.rule_tags]));
  }
}
