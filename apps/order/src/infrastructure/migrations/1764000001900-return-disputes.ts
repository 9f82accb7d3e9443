import type { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES_BEFORE = `'REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDING', 'REFUNDED', 'EXCHANGED'`;
const KINDS_BEFORE = `'REFUND', 'EXCHANGE'`;

/**
 * Issue 24: a parcel holding other items than those sold (`items_mismatch`, the return DISPUTED
 * until an operator reviews it) and refunds without the goods coming back (kind REFUND_ONLY).
 * The new column has a constant default (no table rewrite); the two checks are widened.
 */
export class ReturnDisputes1764000001900 implements MigrationInterface {
  name = 'ReturnDisputes1764000001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE returns ADD COLUMN items_mismatch boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE returns DROP CONSTRAINT returns_status_check`);
    await q.query(
      `ALTER TABLE returns ADD CONSTRAINT returns_status_check CHECK (status IN (${STATUSES_BEFORE}, 'DISPUTED'))`,
    );
    await q.query(`ALTER TABLE returns DROP CONSTRAINT returns_kind_check`);
    await q.query(
      `ALTER TABLE returns ADD CONSTRAINT returns_kind_check CHECK (kind IN (${KINDS_BEFORE}, 'REFUND_ONLY'))`,
    );
  }

  /**
   * The previous release knows neither a dispute nor a refund-only return. Refused while a
   * return is DISPUTED (an operator decides it first), or a refund-only one still waits for its
   * refund to start (the previous release would restock goods that never came back). Settled
   * refund-only returns become plain refunds with nothing restocked, as they were.
   */
  async down(q: QueryRunner): Promise<void> {
    const [{ n }] = (await q.query(
      `SELECT count(*)::int AS n FROM returns
        WHERE status = 'DISPUTED' OR (kind = 'REFUND_ONLY' AND status = 'RECEIVED')`,
    )) as { n: number }[];
    if (n > 0)
      throw new Error(
        `${n} returns are DISPUTED or refund-only awaiting their refund: settle them before reverting`,
      );
    await q.query(`UPDATE returns SET kind = 'REFUND' WHERE kind = 'REFUND_ONLY'`);
    await q.query(`ALTER TABLE returns DROP CONSTRAINT returns_kind_check`);
    await q.query(
      `ALTER TABLE returns ADD CONSTRAINT returns_kind_check CHECK (kind IN (${KINDS_BEFORE}))`,
    );
    await q.query(`ALTER TABLE returns DROP CONSTRAINT returns_status_check`);
    await q.query(
      `ALTER TABLE returns ADD CONSTRAINT returns_status_check CHECK (status IN (${STATUSES_BEFORE}))`,
    );
    await q.query(`ALTER TABLE returns DROP COLUMN items_mismatch`);
  }
}
