import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The seeded per-IP order velocity rule (1764000001600). */
export const RULE_ID = '00000000-0000-4000-8000-000000000007';
export const OLD = {
  name: 'more than 30 orders an hour from one IP',
  params: { dimension: 'IP', windowSeconds: 3600, threshold: 30 },
};
export const NEW = {
  name: 'more than 1000 orders an hour from one IP',
  params: { dimension: 'IP', windowSeconds: 3600, threshold: 1000 },
};

/**
 * The per-IP order velocity default goes from 30 to 1,000 orders an hour: one address of a
 * carrier's NAT is shared by hundreds to thousands of subscribers, so 30 an hour held honest
 * shoppers during a sale (see apps/risk/README.md). One actor is still caught per account
 * (10 an hour), per address (brushing) and per device. A rule an operator has tuned (other
 * params or name) is left as it is.
 */
export class IpVelocityDefault1764000001800 implements MigrationInterface {
  name = 'IpVelocityDefault1764000001800';

  async up(q: QueryRunner): Promise<void> {
    await move(q, OLD, NEW);
  }

  async down(q: QueryRunner): Promise<void> {
    await move(q, NEW, OLD);
  }
}

async function move(q: QueryRunner, from: typeof OLD, to: typeof OLD): Promise<void> {
  await q.query(
    `UPDATE rules SET name = $2, params = $3, updated_at = now()
     WHERE id = $1 AND name = $4 AND params = $5::jsonb`,
    [RULE_ID, to.name, JSON.stringify(to.params), from.name, JSON.stringify(from.params)],
  );
}
